"""The ENI code lists and the domain's fixed choices, as vocabularies.

Each term's token is the official code; its title is a message of the
``paeria.egov`` domain whose default is English, translated to Spanish and
Catalan in locales/. Codes follow NTI Documento electrónico and NTI Expediente
electrónico (BOE-A-2011-13169 and BOE-A-2011-13170)."""

from paeria.egov import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


# Tipo documental (NTI Documento electrónico, anexo I).
TIPO_DOCUMENTAL = (
    ("TD01", _("eni_TD01", default="Resolution")),
    ("TD02", _("eni_TD02", default="Agreement")),
    ("TD03", _("eni_TD03", default="Contract")),
    ("TD04", _("eni_TD04", default="Covenant")),
    ("TD05", _("eni_TD05", default="Declaration")),
    ("TD06", _("eni_TD06", default="Communication")),
    ("TD07", _("eni_TD07", default="Notification")),
    ("TD08", _("eni_TD08", default="Publication")),
    ("TD09", _("eni_TD09", default="Acknowledgement of receipt")),
    ("TD10", _("eni_TD10", default="Minutes")),
    ("TD11", _("eni_TD11", default="Certificate")),
    ("TD12", _("eni_TD12", default="Diligence")),
    ("TD13", _("eni_TD13", default="Report")),
    ("TD14", _("eni_TD14", default="Application")),
    ("TD15", _("eni_TD15", default="Complaint")),
    ("TD16", _("eni_TD16", default="Allegation")),
    ("TD17", _("eni_TD17", default="Appeal")),
    ("TD18", _("eni_TD18", default="Citizen's communication")),
    ("TD19", _("eni_TD19", default="Invoice")),
    ("TD20", _("eni_TD20", default="Other seized documents")),
    ("TD99", _("eni_TD99", default="Other")),
)

# Estado de elaboración.
ESTADO_ELABORACION = (
    ("EE01", _("eni_EE01", default="Original")),
    (
        "EE02",
        _("eni_EE02", default="Authentic electronic copy with a change of format"),
    ),
    ("EE03", _("eni_EE03", default="Authentic electronic copy of a paper document")),
    ("EE04", _("eni_EE04", default="Partial authentic electronic copy")),
    ("EE99", _("eni_EE99", default="Other")),
)
# Copies must name the document they copy (NTI Documento, IdentificadorDocumentoOrigen).
COPY_STATES = frozenset(("EE02", "EE03", "EE04"))

# Estado del expediente.
ESTADO_EXPEDIENTE = (
    ("E01", _("eni_E01", default="Open")),
    ("E02", _("eni_E02", default="Closed")),
    ("E03", _("eni_E03", default="Index closed for sending")),
)

# Tipo de firma.
TIPO_FIRMA = (
    ("TF01", _("eni_TF01", default="Secure verification code (CSV)")),
    ("TF02", _("eni_TF02", default="XAdES internally detached signature")),
    ("TF03", _("eni_TF03", default="XAdES enveloped signature")),
    ("TF04", _("eni_TF04", default="CAdES detached/explicit signature")),
    ("TF05", _("eni_TF05", default="CAdES attached/implicit signature")),
    ("TF06", _("eni_TF06", default="PAdES")),
)

# Origen: False (0) citizen, True (1) administration; tokens as words for forms.
ORIGEN = (
    ("ciudadano", _("origin_citizen", default="Citizen")),
    ("administracion", _("origin_administration", default="Administration")),
)

TIPO_IDENTIFICADOR = (
    ("NIF", _("identifier_NIF", default="NIF (Spanish tax ID)")),
    ("NIE", _("identifier_NIE", default="NIE (foreigner's ID)")),
    ("CIF", _("identifier_CIF", default="CIF (legal entity)")),
    ("PASAPORTE", _("identifier_PASAPORTE", default="Passport")),
)

CANAL_NOTIFICACION = (
    ("electronica", _("notification_electronic", default="Electronic")),
    ("postal", _("notification_postal", default="Postal mail")),
)

UNIDAD_PLAZO = (
    ("business_days", _("term_business_days", default="Business days")),
    ("calendar_days", _("term_calendar_days", default="Calendar days")),
    ("months", _("term_months", default="Months")),
)

SILENCIO = (
    ("estimatorio", _("silence_estimatorio", default="Granted (positive silence)")),
    (
        "desestimatorio",
        _("silence_desestimatorio", default="Refused (negative silence)"),
    ),
)

CANAL = (
    ("telematico", _("channel_telematico", default="Online")),
    ("presencial", _("channel_presencial", default="In person")),
    ("postal", _("channel_postal", default="Post")),
)


def make_vocabulary(pairs):
    return SimpleVocabulary([SimpleTerm(code, code, title) for code, title in pairs])


def _factory(pairs):
    vocabulary = make_vocabulary(pairs)

    @provider(IVocabularyFactory)
    def factory(context=None):
        return vocabulary

    return factory


TipoDocumentalVocabulary = _factory(TIPO_DOCUMENTAL)
EstadoElaboracionVocabulary = _factory(ESTADO_ELABORACION)
EstadoExpedienteVocabulary = _factory(ESTADO_EXPEDIENTE)
TipoFirmaVocabulary = _factory(TIPO_FIRMA)
OrigenVocabulary = _factory(ORIGEN)
TipoIdentificadorVocabulary = _factory(TIPO_IDENTIFICADOR)
CanalNotificacionVocabulary = _factory(CANAL_NOTIFICACION)
UnidadPlazoVocabulary = _factory(UNIDAD_PLAZO)
SilencioVocabulary = _factory(SILENCIO)
CanalVocabulary = _factory(CANAL)

# Every code list by its vocabulary name, for registration and for tests.
CODE_LISTS = {
    "paeria.egov.TipoDocumental": TIPO_DOCUMENTAL,
    "paeria.egov.EstadoElaboracion": ESTADO_ELABORACION,
    "paeria.egov.EstadoExpediente": ESTADO_EXPEDIENTE,
    "paeria.egov.TipoFirma": TIPO_FIRMA,
    "paeria.egov.Origen": ORIGEN,
    "paeria.egov.TipoIdentificador": TIPO_IDENTIFICADOR,
    "paeria.egov.CanalNotificacion": CANAL_NOTIFICACION,
    "paeria.egov.UnidadPlazo": UNIDAD_PLAZO,
    "paeria.egov.Silencio": SILENCIO,
    "paeria.egov.Canal": CANAL,
}
