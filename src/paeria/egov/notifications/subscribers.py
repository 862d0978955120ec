"""What keeps a notification as evidence, and what each of its transitions
records (registered in configure.zcml).

The workflow gives nobody the permissions to modify, delete, move or copy a
notification; these subscribers refuse what reaches it by a path that skips
permissions (Python, a Manager's ZMI, a generic add form or POST)."""

from paeria.egov import _
from paeria.egov.notifications.evidence import now
from paeria.egov.notifications.evidence import record_evidence
from paeria.egov.states import Notificacion
from paeria.egov.system import AUTOMATED_ACTOR
from paeria.egov.workflow.errors import refuse_record_change


def refuse_unmade_notification(notificacion, event):
    """IObjectAddedEvent: notifications.notify.notify_document sets the moment it is
    made available before adding it; anything else is refused."""
    if notificacion.fecha_puesta_disposicion is None:
        refuse_record_change(
            notificacion,
            _(
                "error_notificacion_not_made",
                default="Notifications are made with the expediente's “Notify” "
                "form or its @notificar service only.",
            ),
        )


def refuse_modification(notificacion, event):
    refuse_record_change(
        notificacion,
        _(
            "error_notificacion_not_modified",
            default="A notification is evidence: it cannot be modified.",
        ),
    )


def refuse_removal_or_move(notificacion, event):
    if event.oldParent is None:
        return  # being added
    refuse_record_change(
        notificacion,
        _(
            "error_notificacion_not_removed",
            default="A notification is evidence: it cannot be deleted, moved or "
            "renamed.",
        ),
    )


def transition_recorded(notificacion, event):
    """IAfterTransitionEvent: the date and the evidence of the new state."""
    if event.transition is None:
        return
    transition = event.transition.getId()
    if transition == Notificacion.ACCEDER:
        notificacion.fecha_acceso = now()
        record_evidence(notificacion, Notificacion.ACEPTADA)
    elif transition == Notificacion.RECHAZAR:
        notificacion.fecha_rechazo = now()
        record_evidence(notificacion, Notificacion.RECHAZADA)
    elif transition == Notificacion.EXPIRAR:
        # It counts as rejected from the moment the time ran out, whenever the
        # portal noticed.
        notificacion.fecha_rechazo = notificacion.fecha_expiracion
        notificacion.rechazo_automatico = True
        record_evidence(notificacion, "expirada", actor=AUTOMATED_ACTOR)
    notificacion.reindexObject()
