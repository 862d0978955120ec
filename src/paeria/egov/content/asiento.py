"""Asiento: an entry or exit of the general register (Ley 39/2015 art. 16).

An Asiento is written once, by :func:`paeria.egov.registro.register_entry`, and
never changed afterwards: its number, dates and receipt are computed there, the
workflow (``paeria_asiento_workflow``) gives nobody the permission to modify or
delete it, and the subscribers in ``registro/subscribers.py`` refuse what
reaches it by any other path. Its documents (the citizen's attachments and the
receipt) are ``Documento`` objects inside it.
"""

from paeria.egov import _
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.constraints import checked
from paeria.egov.validators.constraints import FieldValueError
from paeria.egov.validators.constraints import known_code
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.text import validate_plain_text
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from z3c.form.interfaces import IAddForm
from z3c.form.interfaces import IEditForm
from zope import schema
from zope.interface import implementer
from zope.interface import Interface
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


ENTRADA = "entrada"
SALIDA = "salida"
# The register's two series: entries E/AAAA/NNNNNN, exits S/AAAA/NNNNNN.
SERIES = {ENTRADA: "E", SALIDA: "S"}
RESUMEN_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 300

TIPOS_ASIENTO = SimpleVocabulary(
    [
        SimpleTerm(ENTRADA, ENTRADA, _("asiento_entrada", default="Entry")),
        SimpleTerm(SALIDA, SALIDA, _("asiento_salida", default="Exit")),
    ]
)


def check_resumen(value):
    try:
        validate_plain_text(value, RESUMEN_MAX_LENGTH)
    except InvalidIdentifier as error:
        raise FieldValueError(error.args[0]) from None
    if not value.strip():
        raise FieldValueError(
            _("error_resumen_empty", default="The summary cannot be blank.")
        )
    return True


def check_name(value):
    try:
        validate_plain_text(value, NAME_MAX_LENGTH)
    except InvalidIdentifier as error:
        raise FieldValueError(error.args[0]) from None
    return True


class IRegisteredDocument(Interface):
    """Marker of a Documento registered inside an Asiento (an attachment or the
    receipt): it follows the entry's workflow and is as immutable as the entry."""


class IAsiento(model.Schema):
    """What is given at registration; the rest is computed and never changes."""

    tipo = schema.Choice(
        title=_("label_tipo_asiento", default="Entry or exit"),
        vocabulary=TIPOS_ASIENTO,
        default=ENTRADA,
        required=True,
    )
    canal = schema.Choice(
        title=_("label_canal", default="Channel"),
        vocabulary="paeria.egov.Canal",
        constraint=known_code("paeria.egov.Canal"),
        default="presencial",
        required=True,
    )
    interesado_identifier_type = schema.Choice(
        title=_("label_identifier_type", default="Identifier type"),
        vocabulary="paeria.egov.TipoIdentificador",
        constraint=known_code("paeria.egov.TipoIdentificador"),
        default="NIF",
        required=True,
    )
    interesado_identifier = schema.TextLine(
        title=_("label_identifier", default="Identifier"),
        max_length=20,
        required=True,
    )
    interesado_name = schema.TextLine(
        title=_("label_interesado_name", default="Name"),
        max_length=NAME_MAX_LENGTH,
        constraint=check_name,
        required=True,
    )
    resumen = schema.Text(
        title=_("label_resumen", default="Summary"),
        description=_(
            "help_resumen", default="What is filed or sent, in a few plain words."
        ),
        max_length=RESUMEN_MAX_LENGTH,
        constraint=check_resumen,
        required=True,
    )
    organo_origen = schema.TextLine(
        title=_("label_organo_origen", default="Origin body (DIR3)"),
        constraint=checked(validate_dir3),
        required=False,
    )
    organo_destino = schema.TextLine(
        title=_("label_organo_destino", default="Destination body (DIR3)"),
        constraint=checked(validate_dir3),
        required=False,
    )
    unidad_destino = schema.Choice(
        title=_("label_unidad_destino", default="Destination unit"),
        vocabulary="paeria.egov.Unidades",
        required=False,
    )
    procedimiento = schema.Choice(
        title=_("label_procedimiento", default="Procedure"),
        vocabulary="paeria.egov.Procedimientos",
        required=False,
    )

    directives.omitted(IAddForm, "numero", "fecha_presentacion", "fecha_efectiva")
    directives.omitted(IAddForm, "csv", "expediente")
    directives.no_omit(IEditForm, "numero", "fecha_presentacion", "fecha_efectiva")
    numero = schema.TextLine(
        title=_("label_numero_asiento", default="Register number"),
        readonly=True,
        required=False,
    )
    fecha_presentacion = schema.Datetime(
        title=_("label_fecha_presentacion", default="Presented on"),
        readonly=True,
        required=False,
    )
    fecha_efectiva = schema.Datetime(
        title=_("label_fecha_efectiva", default="Effective date for deadlines"),
        description=_(
            "help_fecha_efectiva",
            default="A filing on a non-business day counts from the first hour of "
            "the next business day (Ley 39/2015 art. 31.2.b).",
        ),
        readonly=True,
        required=False,
    )
    csv = schema.TextLine(
        title=_("label_csv_justificante", default="Receipt's verification code"),
        readonly=True,
        required=False,
    )
    expediente = schema.TextLine(
        title=_("label_expediente_asiento", default="Expediente started or joined"),
        readonly=True,
        required=False,
    )


@implementer(IAsiento)
class Asiento(Container):
    """Computed values are plain attributes written by the register only."""

    _ordering = "unordered"

    numero = None
    fecha_presentacion = None
    fecha_efectiva = None
    csv = None
    expediente = None
    # The receipt's id inside the entry.
    justificante = None
    # Set by the ``distribuir`` transition.
    unidad_distribucion = None
    fecha_distribucion = None

    def Title(self):
        return self.title or self.numero or ""

    @property
    def serie(self):
        return SERIES.get(self.tipo)
