"""SolicitudInforme: a report requested from another unit (LPAC arts. 79-80),
inside the Expediente it is about.

What staff say: which unit, what is asked, and by when (10 business days by
default, art. 80.2). Who asked and when, the answer document and the dates of
the answer or cancellation are the server's (collaboration/ sets them); the
requested unit's staff get the Colaborador role on the expediente while the
request is pending.
"""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.calendar.terms import add_business_days
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.validators.constraints import FieldValueError
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.supermodel import model
from plone.uuid.interfaces import IUUID
from z3c.form.interfaces import IAddForm
from zope import schema
from zope.interface import implementer
from zope.interface import provider
from zope.schema.interfaces import IContextAwareDefaultFactory


# LPAC art. 80.2: reports are issued within ten days (business days, art. 30.2).
DEFAULT_TERM_BUSINESS_DAYS = 10


def default_deadline(start=None):
    """The request's default deadline: 10 business days after ``start`` (the
    request's day, today by default) in the site's legal calendar."""
    return add_business_days(
        start or clock.today(), DEFAULT_TERM_BUSINESS_DAYS, site_calendar()
    )


@provider(IContextAwareDefaultFactory)
def default_fecha_limite(context):
    # Shown in the add form; the stored value is computed from the request's
    # own date when it is created (collaboration.requests.solicitud_added).
    try:
        return default_deadline()
    except Exception:  # no site (e.g. schema introspection): no default
        return None


def owning_unidad_of(context):
    """The unit the request (or the expediente it is added in) belongs to."""
    return enclosing_unidad(context)


class RequestedUnitField(schema.Choice):
    """A unit of the portal by UID, never the expediente's own: a request asks
    *another* unit. Bound to the request or to the expediente it is added in
    (Classic UI add form, plone.restapi), it knows the owning unit; the
    refusals carry readable messages under the field / in the 400."""

    def _validate(self, value):
        if self._init_field:
            return
        if value not in self._resolve_vocabulary(value):
            raise FieldValueError(
                _(
                    "error_unidad_solicitada_unknown",
                    default="There is no unit with the identifier “${value}”.",
                    mapping={"value": str(value)[:60]},
                )
            )
        own = owning_unidad_of(self.context) if self.context is not None else None
        if own is not None and IUUID(own, None) == value:
            raise FieldValueError(
                _(
                    "error_unidad_solicitada_own",
                    default="A report is requested from another unit, not from the "
                    "unit that handles the expediente.",
                )
            )
        super()._validate(value)


class ISolicitudInforme(model.Schema):
    """What the requesting unit fills in; the rest is computed."""

    unidad_solicitada = RequestedUnitField(
        title=_("label_unidad_solicitada", default="Requested unit"),
        description=_(
            "help_unidad_solicitada",
            default="The unit asked for the report; its staff may read the "
            "expediente and add their report until it is issued or the request "
            "is cancelled.",
        ),
        vocabulary="paeria.egov.Unidades",
        required=True,
    )

    asunto = schema.Text(
        title=_("label_asunto_informe", default="Question"),
        description=_(
            "help_asunto_informe",
            default="What the report must answer.",
        ),
        max_length=5000,
        required=True,
    )

    fecha_limite = schema.Date(
        title=_("label_fecha_limite_informe", default="Report due by"),
        description=_(
            "help_fecha_limite_informe",
            default="10 business days from the request unless you set another "
            "date (Ley 39/2015 art. 80.2).",
        ),
        defaultFactory=default_fecha_limite,
        required=False,
    )

    directives.omitted(IAddForm, "solicitante", "fecha_solicitud")
    directives.omitted(IAddForm, "documento_respuesta", "fecha_emision")
    directives.omitted(IAddForm, "fecha_cancelacion")
    solicitante = schema.TextLine(
        title=_("label_solicitante", default="Requested by"),
        readonly=True,
        required=False,
    )
    fecha_solicitud = schema.Datetime(
        title=_("label_fecha_solicitud", default="Requested on"),
        readonly=True,
        required=False,
    )
    documento_respuesta = schema.TextLine(
        title=_("label_documento_respuesta", default="Report document"),
        description=_(
            "help_documento_respuesta",
            default="UID of the document of the expediente that answers the "
            "request, given when the report is issued.",
        ),
        readonly=True,
        required=False,
    )
    fecha_emision = schema.Datetime(
        title=_("label_fecha_emision", default="Issued on"),
        readonly=True,
        required=False,
    )
    fecha_cancelacion = schema.Datetime(
        title=_("label_fecha_cancelacion", default="Cancelled on"),
        readonly=True,
        required=False,
    )


@implementer(ISolicitudInforme)
class SolicitudInforme(Item):
    """Computed values are plain attributes, written by collaboration/ only."""

    solicitante = None
    fecha_solicitud = None
    documento_respuesta = None
    fecha_emision = None
    fecha_cancelacion = None
    # Local roles this request granted on itself ({principal: roles}), so
    # that they can be recomputed when the expediente changes unit.
    _granted_roles = None
    # Its own security: not the expediente's Interesado, nor the Colaborador
    # of the other units asked on the same expediente.
    __ac_local_roles_block__ = True
