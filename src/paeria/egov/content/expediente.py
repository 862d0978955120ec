"""Expediente: the electronic case file (Ley 39/2015 art. 70), inside its Unidad."""

from Acquisition import aq_chain
from collective.z3cform.datagridfield.datagridfield import DataGridFieldFactory
from collective.z3cform.datagridfield.datagridfield import DataGridValidator
from collective.z3cform.datagridfield.row import DictRow
from paeria.egov import _
from paeria.egov.content.unidad import IUnidad
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Procedimiento as ProcedimientoStates
from paeria.egov.validators.constraints import FieldValueError
from paeria.egov.validators.constraints import known_code
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import validate_identifier
from paeria.egov.validators.text import validate_plain_text
from plone import api
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from z3c.form import validator
from z3c.form.interfaces import IAddForm
from z3c.form.interfaces import IEditForm
from z3c.form.interfaces import NO_VALUE
from zope import schema
from zope.interface import implementer
from zope.interface import Interface


class IInteresado(Interface):
    """An interested party (Ley 39/2015 art. 4) and how to reach them."""

    identifier_type = schema.Choice(
        title=_("label_identifier_type", default="Identifier type"),
        vocabulary="paeria.egov.TipoIdentificador",
        constraint=known_code("paeria.egov.TipoIdentificador"),
        default="NIF",
        required=True,
    )
    identifier = schema.TextLine(
        title=_("label_identifier", default="Identifier"),
        max_length=20,
        required=True,
    )
    name = schema.TextLine(
        title=_("label_interesado_name", default="Name"),
        max_length=300,
        required=True,
    )
    representative = schema.TextLine(
        title=_("label_representative", default="Representative"),
        description=_(
            "help_representative",
            default="Name and identifier of whoever acts on their behalf, if anyone.",
        ),
        max_length=300,
        required=False,
    )
    notification_channel = schema.Choice(
        title=_("label_notification_channel", default="Notification channel"),
        vocabulary="paeria.egov.CanalNotificacion",
        constraint=known_code("paeria.egov.CanalNotificacion"),
        default="electronica",
        required=True,
    )
    email = schema.TextLine(
        title=_("label_email", default="E-mail for notices"),
        max_length=254,
        required=False,
    )


def validate_interesados(rows):
    """Check each party's identifier against its type; normalise it in place so
    that what is stored and indexed is the canonical form."""
    for position, row in enumerate(rows or (), start=1):
        try:
            row["identifier"] = validate_identifier(
                row.get("identifier_type"), row.get("identifier")
            )
            for key in ("name", "representative", "email"):
                if row.get(key):
                    validate_plain_text(row[key], 300)
        except InvalidIdentifier as error:
            raise FieldValueError(
                _(
                    "error_interesado_row",
                    default="Interested party ${position}: ${problem}",
                    mapping={"position": position, "problem": error.args[0]},
                )
            ) from None
    return True


class IExpediente(model.Schema):
    """What staff fill in; number, identifiers, dates and state are computed."""

    procedimiento = schema.Choice(
        title=_("label_procedimiento", default="Procedure"),
        vocabulary="paeria.egov.Procedimientos",
        required=True,
    )

    directives.widget("interesados", DataGridFieldFactory, auto_append=False)
    interesados = schema.List(
        title=_("label_interesados", default="Interested parties"),
        value_type=DictRow(
            title=_("label_interesado", default="Interested party"), schema=IInteresado
        ),
        constraint=validate_interesados,
        default=[],
        required=False,
    )

    directives.omitted(IAddForm, "numero", "eni_identifier", "clasificacion")
    directives.omitted(IAddForm, "fecha_apertura", "fecha_limite", "eni_state")
    directives.no_omit(IEditForm, "numero", "eni_identifier", "clasificacion")
    numero = schema.TextLine(
        title=_("label_numero_expediente", default="Expediente number"),
        readonly=True,
        required=False,
    )
    eni_identifier = schema.TextLine(
        title=_("label_eni_identifier", default="ENI identifier"),
        readonly=True,
        required=False,
    )
    clasificacion = schema.TextLine(
        title=_("label_clasificacion", default="Classification (SIA)"),
        readonly=True,
        required=False,
    )
    fecha_apertura = schema.Datetime(
        title=_("label_fecha_apertura", default="Opened on"),
        readonly=True,
        required=False,
    )
    fecha_limite = schema.Date(
        title=_("label_fecha_limite", default="Legal deadline"),
        description=_(
            "help_fecha_limite",
            default="Maximum date to resolve and notify, from the procedure's "
            "maximum time; suspensions extend it.",
        ),
        readonly=True,
        required=False,
    )
    eni_state = schema.Choice(
        title=_("label_eni_state", default="ENI state"),
        vocabulary="paeria.egov.EstadoExpediente",
        readonly=True,
        required=False,
    )


def procedure_problem(procedimiento_uid, place):
    """Why an expediente in ``place``'s unit cannot be opened for the
    procedure ``procedimiento_uid``, or None: only a published procedure of
    that unit takes new expedientes (a draft is not offered yet, a withdrawn
    one no longer; another unit's is handled there). An unknown UID is the
    vocabulary's to refuse."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        UID=procedimiento_uid, portal_type="Procedimiento"
    )
    if not brains:
        return None
    procedure = brains[0]._unrestrictedGetObject()
    if brains[0].review_state != ProcedimientoStates.PUBLICADO:
        return _(
            "error_procedure_not_published",
            default="The procedure ${title} is not published (it is a draft or "
            "was withdrawn): expedientes are opened only for published "
            "procedures.",
            mapping={"title": procedure.Title()},
        )
    unidad = next((item for item in aq_chain(place) if IUnidad.providedBy(item)), None)
    if unidad is not None and procedure.responsible_unit != api.content.get_uuid(
        unidad
    ):
        return _(
            "error_procedure_other_unit",
            default="The procedure ${title} belongs to another unit: open the "
            "expediente in that unit.",
            mapping={"title": procedure.Title()},
        )
    return None


class ProcedimientoValidator(validator.SimpleFieldValidator):
    """The Classic UI add and edit forms: a new expediente's procedure (or a
    changed one) must be published and of the expediente's unit."""

    def validate(self, value, force=False):
        super().validate(value, force)
        if not value or value is NO_VALUE:
            return
        if value == getattr(self.context, "procedimiento", None):
            return  # unchanged on edit: it was valid when chosen
        problem = procedure_problem(value, self.context)
        if problem is not None:
            raise FieldValueError(problem)


validator.WidgetValidatorDiscriminators(
    ProcedimientoValidator, field=IExpediente["procedimiento"]
)


class InteresadosValidator(DataGridValidator):
    """The datagrid's own validator checks the grid's cells only, never the
    field's constraint: without this one an invalid NIF would pass the Classic
    UI forms (plone.restapi validates the field itself). Registered in
    configure.zcml; the error shows under the field."""

    def validate(self, value, force=False):
        super().validate(value, force)
        if value and value is not NO_VALUE:
            validate_interesados(value)


validator.WidgetValidatorDiscriminators(
    InteresadosValidator, field=IExpediente["interesados"]
)


@implementer(IExpediente)
class Expediente(Container):
    """Documents are kept unordered: their legal order is their `orden` (foliado)."""

    _ordering = "unordered"

    numero = None
    eni_identifier = None
    clasificacion = None
    fecha_apertura = None
    fecha_limite = None
    # When the deadline starts to run (the entry's effective date when the
    # expediente comes from the register); the opening date otherwise.
    fecha_inicio_computo = None
    # (start, end or None) periods during which the deadline is suspended.
    suspensions = ()
    index_closed = False
    # Who handles it (LPAC art. 20): a user id, or None while unassigned
    # (expedientes/assignment.py; never set through the edit forms).
    tramitador_asignado = None
    # When the citizen answered the last subsanación (transition subsanar),
    # until the next transition: the desk lists it (desk/desk.py).
    subsanacion_respondida = None
    _last_order = 0

    def take_order_number(self):
        """The next position in this expediente's index (foliado); conflicts
        between concurrent additions are retried, never merged."""
        self._last_order = self._last_order + 1
        return self._last_order

    @property
    def eni_state(self):
        if self.index_closed:
            return "E03"
        try:
            state = api.content.get_state(self, default=None)
        except Exception:  # no workflow tool yet, e.g. while being created
            state = None
        # Closed for ENI (E02) in a closed state, else open (E01); E03 is set
        # explicitly when its index is closed for sending.
        return "E02" if state in CLOSED_EXPEDIENTE_STATES else "E01"

    @eni_state.setter
    def eni_state(self, value):
        # Derived from the workflow; never stored.
        pass
