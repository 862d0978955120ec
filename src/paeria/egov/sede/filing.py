"""Filing at the electronic office: "Iniciar trámite" on a procedure that can
be started online, and the generic application (instancia genérica).

:func:`file_procedure`, in the request's one transaction: registers the entry
through the register's one code path (``register_entry``: channel telemático,
the citizen as interested party, the procedure and its unit), distributes it to
that unit, opens the Expediente from it (``open_expediente_from_entry``: the
deadline counts from the entry's effective date, the documents are copied with
origin "ciudadano"), gives the citizen the Interesado role on it and returns
the receipt. :func:`file_generic` registers an entry only; the register
distributes it.

The interested party is always the logged-in citizen (their ``nif`` and full
name); a client cannot name another. The statement (expone / solicita) is
filed as the first document, a PDF "application" the entry's receipt lists
with its fingerprint like any other.

The steps that need the register's and the unit's permissions run with the
Manager role adopted (``plone.api.env.adopt_roles``) but as the citizen's own
user, so the journal, the workflow history and the ownership of what they filed
name the citizen. Any error after the entry's number was taken propagates and
the publisher aborts the transaction: nothing is kept, no number consumed.
"""

from AccessControl import Unauthorized
from io import BytesIO
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.events import LocalRolesSetByCode
from paeria.egov.registro.distribution import distribute
from paeria.egov.registro.distribution import open_expediente_from_entry
from paeria.egov.registro.receipt import attached_documents
from paeria.egov.registro.receipt import issuer_name
from paeria.egov.registro.receipt import PdfPage
from paeria.egov.registro.receipt import receipt_of
from paeria.egov.registro.receipt import TEXT_WIDTH
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.sede import idempotency
from paeria.egov.sede.errors import FilingError
from paeria.egov.sede.errors import FilingNotAllowed
from paeria.egov.sede.nif import current_citizen
from paeria.egov.states import Procedimiento
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.text import validate_plain_text
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.i18n.normalizer import idnormalizer
from plone.uuid.interfaces import IUUID
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from zope.event import notify
from zope.i18n import translate
import textwrap


EXPONE_MAX_LENGTH = 20000
SOLICITA_MAX_LENGTH = 5000
RESUMEN_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 200
STATEMENT_TIPO_DOCUMENTAL = "TD14"  # ENI: application
GENERIC_TARGET = "instancia-generica"
# The unit a generic application goes to when the citizen names none: the id
# (in /unidades) or UID of a Unidad, set in profiles/default/registry/sede.xml.
GENERIC_UNIT_RECORD = "paeria.egov.sede.unidad_instancia_generica"
DOCUMENT_KEY = "documentos.{slot}"
EXTRA_KEY = "files[{position}]"


# -- the procedure's documents -------------------------------------------------


class Slot:
    """One document the procedure asks for: ``id`` names its upload."""

    def __init__(self, id, name, mandatory, tipo_documental):
        self.id = id
        self.name = name
        self.mandatory = mandatory
        self.tipo_documental = tipo_documental

    @property
    def key(self):
        return DOCUMENT_KEY.format(slot=self.id)

    def as_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "mandatory": self.mandatory,
            "tipo_documental": self.tipo_documental,
        }


def document_slots(procedimiento):
    """The procedure's required documents, each with a stable id made from its
    name (``fotocopia-del-dni``), unique within the procedure."""
    slots, seen = [], set()
    for position, row in enumerate(procedimiento.required_documents or (), start=1):
        name = (row.get("name") or "").strip() or f"{position}"
        base = idnormalizer.normalize(name, max_length=60) or f"documento-{position}"
        slot_id, suffix = base, 2
        while slot_id in seen:
            slot_id, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(slot_id)
        mandatory = row.get("mandatory")
        slots.append(
            Slot(
                slot_id,
                name,
                True if mandatory is None else bool(mandatory),
                row.get("tipo_documental") or "TD14",
            )
        )
    return slots


# -- checks ------------------------------------------------------------------------


def require_citizen():
    """The logged-in citizen, with the NIF and name an entry needs."""
    citizen = current_citizen()
    if citizen is None:
        raise Unauthorized("Log in to file at the electronic office.")
    if citizen.nif is None:
        raise FilingNotAllowed(
            _(
                "error_filing_no_nif",
                default="Your account has no NIF/NIE: add it in your personal "
                "information before filing.",
            ),
            field="nif",
        )
    if citizen.fullname is None:
        raise FilingNotAllowed(
            _(
                "error_filing_no_fullname",
                default="Your account has no full name: add it in your personal "
                "information before filing.",
            ),
            field="fullname",
        )
    return citizen


def check_procedure_open(procedimiento):
    """A published procedure that can be started online, else FilingNotAllowed."""
    if api.content.get_state(procedimiento, default=None) != Procedimiento.PUBLICADO:
        raise FilingNotAllowed(
            _(
                "error_filing_not_published",
                default="This procedure is not published in the catalogue: it "
                "cannot be started.",
            ),
            field="procedimiento",
        )
    if not procedimiento.online_start:
        raise FilingNotAllowed(
            _(
                "error_filing_not_online",
                default="This procedure cannot be started online: its page says "
                "how to apply.",
            ),
            field="procedimiento",
        )


def _statement_text(data, key, max_length, errors, required=False):
    value = data.get(key)
    if value is None or value == "":
        if required:
            errors[key] = _(
                "error_required_field", default="Required: this value must be given."
            )
        return ""
    if not isinstance(value, str):
        errors[key] = _("error_register_not_text", default="Must be text.")
        return ""
    value = value.strip()
    try:
        validate_plain_text(value, max_length)
    except InvalidIdentifier as error:
        errors[key] = error.args[0]
        return ""
    if required and not value:
        errors[key] = _(
            "error_required_field", default="Required: this value must be given."
        )
    return value


def _is_file(item):
    return isinstance(item, dict) and bool(item.get("data") or item.get("filename"))


# -- the application form as a PDF ------------------------------------------------


def _t(message):
    return translate(message, target_language=api.portal.get_default_language())


def statement_pdf(title, citizen, procedure_title, unit_title, expone, solicita):
    """The application itself (instancia): who, what for, what they state and
    ask, and when it was made."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(title)
    canvas.setAuthor(citizen.fullname)
    canvas.setCreator(issuer_name())
    page = PdfPage(canvas)
    page.line(title, font="Helvetica-Bold", size=14)
    page.gap()
    page.field(
        _t(_("label_interesado", default="Interested party")),
        f"{citizen.fullname} ({citizen.identifier_type} {citizen.nif})",
    )
    if citizen.email:
        page.field(_t(_("label_email", default="E-mail for notices")), citizen.email)
    if procedure_title:
        page.field(_t(_("label_procedimiento", default="Procedure")), procedure_title)
    if unit_title:
        page.field(
            _t(_("label_unidad_destino", default="Destination unit")), unit_title
        )
    page.field(
        _t(_("label_fecha_presentacion_solicitud", default="Made on")),
        clock.office_now().strftime("%Y-%m-%d %H:%M:%S %Z"),
    )
    for label, text in (
        (_t(_("label_expone", default="States (expone)")), expone),
        (_t(_("label_solicita", default="Requests (solicita)")), solicita),
    ):
        if not text:
            continue
        page.gap()
        page.line(label, font="Helvetica-Bold")
        for paragraph in text.splitlines() or [""]:
            if paragraph.strip():
                _wrapped(page, paragraph)
            else:
                page.gap()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrapped(page, paragraph):
    for line in textwrap.wrap(paragraph, TEXT_WIDTH) or [""]:
        page.line(line)


# -- filing -------------------------------------------------------------------------


def _prepare_documents(slots, documents, extras, errors):
    """The files for register_entry after the statement, and the field each
    one came from (to name it in an error)."""
    documents = documents or {}
    if not isinstance(documents, dict):
        errors["documentos"] = _(
            "error_filing_documents_object",
            default="The documents must be an object: the id of each required "
            "document and its file.",
        )
        documents = {}
    by_id = {slot.id: slot for slot in slots}
    for key in documents:
        if key not in by_id:
            errors[DOCUMENT_KEY.format(slot=key)] = _(
                "error_filing_unknown_document",
                default="This procedure asks for no document with this id; its "
                "documents are: ${ids}.",
                mapping={"ids": ", ".join(by_id) or "-"},
            )
    files, keys = [], []
    for slot in slots:
        item = documents.get(slot.id)
        if not _is_file(item):
            if slot.mandatory:
                errors[slot.key] = _(
                    "error_filing_missing_document",
                    default="Required document missing: ${name}.",
                    mapping={"name": slot.name},
                )
            continue
        files.append(dict(item, title=slot.name, tipo_documental=slot.tipo_documental))
        keys.append((slot.key, slot.name))
    for position, item in enumerate(extras or ()):
        if isinstance(item, dict) and not _is_file(item):
            continue  # an empty input of the form
        files.append(item)
        keys.append((EXTRA_KEY.format(position=position), None))
    return files, keys


def _register(data, statement, files, keys):
    """register_entry with the statement first; its errors by our fields."""
    try:
        return register_entry(data, [statement] + files)
    except RegistrationError as error:
        errors = {}
        for key, message in error.errors.items():
            if key.startswith("files[") and key.endswith("]"):
                position = int(key[len("files[") : -1]) - 1
                if 0 <= position < len(keys):
                    field, name = keys[position]
                    if name:
                        message = _(
                            "error_filing_document_problem",
                            default="${name}: ${problem}",
                            mapping={"name": name, "problem": message},
                        )
                    errors[field] = message
                    continue
                key = "solicita" if position < 0 else key
            errors[key] = message
        raise FilingError(errors) from None


def _interesado(citizen):
    return {
        "canal": "telematico",
        "interesado_identifier_type": citizen.identifier_type,
        "interesado_identifier": citizen.nif,
        "interesado_name": citizen.fullname,
    }


def file_procedure(procedimiento, data, documents=None, extras=(), token=None):
    """Start ``procedimiento`` for the logged-in citizen; return the receipt
    (:func:`receipt_summary`). Raises Unauthorized, FilingNotAllowed or
    FilingError (nothing stored)."""
    citizen = require_citizen()
    check_procedure_open(procedimiento)
    target = IUUID(procedimiento)
    replay = idempotency.remembered(citizen.userid, token, target)
    if replay is not None:
        return replay
    errors = {}
    expone = _statement_text(data, "expone", EXPONE_MAX_LENGTH, errors)
    solicita = _statement_text(data, "solicita", SOLICITA_MAX_LENGTH, errors)
    slots = document_slots(procedimiento)
    files, keys = _prepare_documents(slots, documents, extras, errors)
    if errors:
        raise FilingError(errors)
    unidad = uuidToObject(procedimiento.responsible_unit, unrestricted=True)
    title = procedimiento.Title()
    statement_title = _t(
        _(
            "statement_title",
            default="Application: ${procedure}",
            mapping={"procedure": title},
        )
    )
    statement = {
        "data": statement_pdf(
            statement_title,
            citizen,
            title,
            unidad.Title() if unidad is not None else None,
            expone,
            solicita
            or _t(
                _(
                    "statement_default_solicita",
                    default="That the procedure be started.",
                )
            ),
        ),
        "filename": "solicitud.pdf",
        "content_type": "application/pdf",
        "title": statement_title[:255],
        "tipo_documental": STATEMENT_TIPO_DOCUMENTAL,
    }
    entry = _interesado(citizen)
    entry.update(
        resumen=(f"{title}: {solicita}" if solicita else title)[:RESUMEN_MAX_LENGTH],
        procedimiento=target,
        unidad_destino=procedimiento.responsible_unit,
    )
    with api.env.adopt_roles(["Manager"]):
        asiento = _register(entry, statement, files, keys)
        distribute(asiento)
        expediente = open_expediente_from_entry(
            asiento, title=f"{title} - {citizen.fullname}"[:TITLE_MAX_LENGTH]
        )
        rows = [dict(row) for row in expediente.interesados or ()]
        for row in rows:
            if row.get("identifier") == citizen.nif and not row.get("email"):
                row["email"] = citizen.email
        expediente.interesados = rows
        # The entry's documents are incorporated as presented by
        # open_expediente_from_entry.
        expediente.manage_setLocalRoles(citizen.userid, ["Interesado"])
        expediente.reindexObjectSecurity()
        expediente.reindexObject()
        notify(LocalRolesSetByCode(expediente, reason="presentacion_electronica"))
    result = receipt_summary(asiento, expediente)
    idempotency.remember(citizen.userid, token, target, result)
    return result


def generic_unit(unidad_uid):
    """The Unidad a generic application goes to: the one named, else the
    configured default; None if neither (refused then)."""
    if unidad_uid:
        return unidad_uid
    configured = api.portal.get_registry_record(GENERIC_UNIT_RECORD, default=None)
    configured = (configured or "").strip()
    if not configured:
        return None
    unidades = api.portal.get().get("unidades")
    if unidades is not None and configured in unidades.objectIds():
        return IUUID(unidades[configured])
    return configured


def file_generic(data, extras=(), token=None):
    """A generic application (instancia genérica) of the logged-in citizen: an
    entry to the unit they name, or the configured one; the register
    distributes it."""
    citizen = require_citizen()
    replay = idempotency.remembered(citizen.userid, token, GENERIC_TARGET)
    if replay is not None:
        return replay
    errors = {}
    expone = _statement_text(data, "expone", EXPONE_MAX_LENGTH, errors)
    solicita = _statement_text(
        data, "solicita", SOLICITA_MAX_LENGTH, errors, required=True
    )
    unidad_uid = data.get("unidad_destino") or None
    if unidad_uid is not None and not isinstance(unidad_uid, str):
        errors["unidad_destino"] = _("error_register_not_text", default="Must be text.")
        unidad_uid = None
    unidad_uid = generic_unit(unidad_uid)
    if unidad_uid is None:
        errors["unidad_destino"] = _(
            "error_generic_unit_required",
            default="Choose the unit your application is for.",
        )
    files, keys = _prepare_documents([], None, extras, errors)
    if errors:
        raise FilingError(errors)
    unidad = uuidToObject(unidad_uid, unrestricted=True)
    statement_title = _t(_("generic_statement_title", default="Generic application"))
    statement = {
        "data": statement_pdf(
            statement_title,
            citizen,
            None,
            unidad.Title() if unidad is not None else None,
            expone,
            solicita,
        ),
        "filename": "instancia-generica.pdf",
        "content_type": "application/pdf",
        "title": statement_title,
        "tipo_documental": STATEMENT_TIPO_DOCUMENTAL,
    }
    entry = _interesado(citizen)
    entry.update(
        resumen=f"{statement_title}: {solicita}"[:RESUMEN_MAX_LENGTH],
        unidad_destino=unidad_uid,
    )
    with api.env.adopt_roles(["Manager"]):
        asiento = _register(entry, statement, files, keys)
    result = receipt_summary(asiento, None)
    idempotency.remember(citizen.userid, token, GENERIC_TARGET, result)
    return result


# -- the receipt ---------------------------------------------------------------------


def receipt_url(numero):
    return f"{api.portal.get().absolute_url()}/@@justificante?numero={numero}"


def confirmation_url(numero):
    return f"{api.portal.get().absolute_url()}/@@presentado?numero={numero}"


def receipt_summary(asiento, expediente):
    """What the citizen gets back: plain values only (it is also what a repeated
    submission with the same key returns)."""
    receipt = receipt_of(asiento)
    result = {
        "numero": asiento.numero,
        "fecha_presentacion": asiento.fecha_presentacion.isoformat(),
        "fecha_efectiva": asiento.fecha_efectiva.isoformat(),
        "csv": asiento.csv,
        "resumen": asiento.resumen,
        "justificante": {
            "download": receipt_url(asiento.numero),
            "csv": receipt.csv,
            "huella": receipt.huella,
        },
        "confirmation": confirmation_url(asiento.numero),
        "documents": [
            {
                "title": documento.Title(),
                "filename": documento.file.filename,
                "size": documento.file.getSize(),
                "huella": documento.huella,
            }
            for documento in attached_documents(asiento)
        ],
        "expediente": None,
    }
    if expediente is not None:
        result["expediente"] = {
            "@id": expediente.absolute_url(),
            "UID": IUUID(expediente),
            "numero": expediente.numero,
            "fecha_limite": expediente.fecha_limite.isoformat()
            if expediente.fecha_limite
            else None,
        }
    return result


def entry_of_citizen(numero):
    """The entry ``numero`` if the logged-in citizen is its interested party (or
    may see it anyway, as staff), else None: nobody learns of another's."""
    if not isinstance(numero, str) or not numero.strip():
        return None
    registro = api.portal.get().get("registro")
    if registro is None:
        return None
    asiento = registro.get(numero.strip().replace("/", "-").lower())
    if asiento is None or getattr(asiento, "portal_type", None) != "Asiento":
        return None
    if api.user.has_permission("View", obj=asiento):
        return asiento
    citizen = current_citizen()
    if citizen is None or citizen.nif is None:
        return None
    if (asiento.interesado_identifier or "").upper() != citizen.nif:
        return None
    return asiento
