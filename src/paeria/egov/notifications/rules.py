"""Business preconditions of the notification's transitions: only the
addressee accepts or rejects, and only in time; the portal expires it only
when the time ran out."""

from paeria.egov import _
from paeria.egov.content.notificacion import INotificacion
from paeria.egov.notifications.evidence import now
from paeria.egov.workflow.rules import ITransitionPrecondition
from paeria.egov.workflow.rules import Preconditions
from plone import api
from zope.component import adapter
from zope.interface import implementer


# The member property that carries a citizen's NIF/NIE.
NIF_PROPERTY = "nif"


def current_user_identifier():
    user = api.user.get_current()
    value = user.getProperty(NIF_PROPERTY, None) if user is not None else None
    return (value or "").strip().upper() or None


def _when(moment):
    return moment.strftime("%d/%m/%Y %H:%M:%S") if moment else ""


@implementer(ITransitionPrecondition)
@adapter(INotificacion)
class NotificacionPreconditions(Preconditions):
    def _addressee_in_time(self):
        notificacion = self.context
        identifier = (notificacion.destinatario_identifier or "").upper()
        if current_user_identifier() != identifier:
            yield _(
                "error_notificacion_not_addressee",
                default="Only the addressee of this notification may access or "
                "reject it.",
            )
        if notificacion.fecha_expiracion and now() >= notificacion.fecha_expiracion:
            yield _(
                "error_notificacion_expired",
                default="The time to access this notification ran out on "
                "${date}: it counts as rejected.",
                mapping={"date": _when(notificacion.fecha_expiracion)},
            )

    def check_acceder(self, comment):
        return self._addressee_in_time()

    def check_rechazar(self, comment):
        return self._addressee_in_time()

    def check_expirar(self, comment):
        notificacion = self.context
        if notificacion.fecha_expiracion and now() < notificacion.fecha_expiracion:
            yield _(
                "error_notificacion_not_due",
                default="The notification can be accessed until ${date}: it "
                "cannot expire before.",
                mapping={"date": _when(notificacion.fecha_expiracion)},
            )
