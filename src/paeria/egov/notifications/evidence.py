"""The evidence a notification keeps of each state and notice (LPAC 41.1), and
what its states and events mean in plain words."""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.fingerprints import fingerprint_of
from paeria.egov.http import client_address
from paeria.egov.states import Notificacion
from paeria.egov.system import AUTOMATED_ACTOR
from plone import api
from plone.app.uuid.utils import uuidToObject
import pytz


# What each state and each evidence event mean, in plain words.
STATE_TEXTS = {
    Notificacion.PUESTA_A_DISPOSICION: _(
        "notificacion_state_text_puesta",
        default="Waiting for the addressee to access it.",
    ),
    Notificacion.ACEPTADA: _(
        "notificacion_state_text_aceptada",
        default="Accessed by the addressee: notified.",
    ),
    Notificacion.RECHAZADA: _(
        "notificacion_state_text_rechazada",
        default="Rejected: the procedure goes on as if notified.",
    ),
}
EVENT_TEXTS = {
    Notificacion.PUESTA_A_DISPOSICION: _(
        "evidence_made_available", default="Made available"
    ),
    Notificacion.ACEPTADA: _("evidence_accepted", default="Accessed (accepted)"),
    Notificacion.RECHAZADA: _("evidence_rejected", default="Rejected by the addressee"),
    "expirada": _(
        "evidence_expired",
        default="Not accessed within 10 calendar days: counts as rejected",
    ),
    "aviso_enviado": _("evidence_notice_sent", default="Notice e-mailed"),
    "aviso_no_enviado": _(
        "evidence_notice_not_sent",
        default="Notice not e-mailed (no address, or the mail server refused)",
    ),
}


def now():
    """The current moment in the office's official time, to the second."""
    return clock.office_now()


def notified_document(notificacion):
    return uuidToObject(notificacion.documento, unrestricted=True)


def _fingerprint_now(notificacion):
    documento = notified_document(notificacion)
    if documento is None:
        return None
    return fingerprint_of(documento)


def record_evidence(notificacion, event, request=None, actor=None, **details):
    """Append the evidence of ``event`` (a state or a notice): who, when (UTC
    and Europe/Madrid), from which address, and the fingerprint of the notified
    document now (equal to the notification's ``huella_documento`` unless the
    bytes changed, which the evidence would then show)."""
    if request is None:
        request = getattr(notificacion, "REQUEST", None)
    address = None
    if request is not None and hasattr(request, "environ"):
        address = client_address(request)
    moment = now()
    entry = {
        "evento": event,
        "usuario": actor or api.user.get_current().getId() or AUTOMATED_ACTOR,
        "fecha": moment.isoformat(),
        "fecha_utc": moment.astimezone(pytz.utc).isoformat(),
        "direccion": address or "",
        "huella_documento": _fingerprint_now(notificacion) or "",
    }
    entry.update({key: str(value) for key, value in details.items()})
    # A tuple of plain dicts, replaced whole: evidence is never edited in place.
    notificacion.evidencias = (*tuple(notificacion.evidencias or ()), entry)
    return entry
