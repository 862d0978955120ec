"""What Mi carpeta shows a citizen: each of their expedientes in their words,
its notifications and receipts, and their register entries."""

from paeria.egov import _
from paeria.egov.carpeta.citizen import current_nif
from paeria.egov.carpeta.citizen import own_entries
from paeria.egov.carpeta.citizen import own_expedientes
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.expedientes.assignment import fullname
from paeria.egov.notifications.evidence import STATE_TEXTS as NOTIFICATION_STATE_TEXTS
from paeria.egov.notifications.expiry import expire_if_due
from paeria.egov.registro.receipt import verification_url
from paeria.egov.states import ANSWERED_NOTIFICACION_STATES
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Expediente
from paeria.egov.states import Notificacion
from plone import api
from plone.app.uuid.utils import uuidToObject
from zope.i18n import translate


# The expediente's state in the citizen's words.
STATE_TEXTS = {
    Expediente.INICIADO: _(
        "carpeta_state_iniciado",
        default="Received: the unit will start working on it.",
    ),
    Expediente.EN_TRAMITACION: _(
        "carpeta_state_en_tramitacion", default="Being processed by the unit."
    ),
    Expediente.SUBSANACION: _(
        "carpeta_state_subsanacion",
        default="Waiting for you: the unit asked you to correct or complete your "
        "application. The time limit is suspended meanwhile.",
    ),
    Expediente.RESUELTO: _(
        "carpeta_state_resuelto",
        default="Resolved: the decision is or will be notified to you.",
    ),
    Expediente.CERRADO: _("carpeta_state_cerrado", default="Finished and closed."),
    Expediente.ARCHIVADO: _(
        "carpeta_state_archivado", default="Finished and archived."
    ),
}
SILENCE_TEXTS = {
    "estimatorio": _(
        "carpeta_silence_estimatorio",
        default="If no decision is notified to you by then, your application "
        "is deemed granted (positive administrative silence).",
    ),
    "desestimatorio": _(
        "carpeta_silence_desestimatorio",
        default="If no decision is notified to you by then, your application "
        "is deemed refused (negative administrative silence) and you may "
        "appeal.",
    ),
}


def subsanacion_request(expediente):
    """What the unit asked for: the comment of the last ``requerir_subsanacion``."""
    history = (getattr(expediente, "workflow_history", None) or {}).get(
        "paeria_expediente_workflow", ()
    )
    for entry in reversed(history):
        if entry.get("action") == Expediente.REQUERIR_SUBSANACION:
            return entry.get("comments") or ""
    return ""


def _date(value):
    return value.isoformat() if value else None


def _notifications(expediente, request):
    result = []
    for notificacion in expediente.objectValues():
        if notificacion.portal_type != "Notificacion":
            continue
        expire_if_due(notificacion, request=request)
        state = api.content.get_state(notificacion)
        readable = state in ANSWERED_NOTIFICACION_STATES
        result.append(
            {
                "@id": notificacion.absolute_url(),
                "title": notificacion.title,
                "review_state": state,
                "state_text": translate(
                    NOTIFICATION_STATE_TEXTS[state], context=request
                ),
                "fecha_puesta_disposicion": _date(
                    notificacion.fecha_puesta_disposicion
                ),
                "fecha_expiracion": _date(notificacion.fecha_expiracion),
                "pending": state == Notificacion.PUESTA_A_DISPOSICION,
                # The notified document, readable once the notification is
                # accessed (or counts as rejected).
                "documento": (
                    f"{notificacion.absolute_url()}/@@documento" if readable else None
                ),
            }
        )
    return result


def _entry_json(asiento):
    return {
        "numero": asiento.numero,
        "fecha_presentacion": _date(asiento.fecha_presentacion),
        "resumen": asiento.resumen,
        # The receipt by its verification address: its CSV is the citizen's
        # own credential, and the register itself is not theirs to browse.
        "justificante": verification_url(asiento.csv),
    }


def _receipts(expediente, entries):
    """The citizen's entries that started or joined the expediente."""
    uid = api.content.get_uuid(expediente)
    return [
        _entry_json(asiento)
        for asiento in entries
        if asiento.expediente == uid
        or api.content.get_uuid(asiento) == getattr(expediente, "asiento", None)
    ]


def handler_summary(expediente, unidad):
    """``{"fullname", "unidad"}`` of who handles the expediente, or None."""
    if not expediente.tramitador_asignado:
        return None
    return {
        "fullname": fullname(expediente.tramitador_asignado),
        "unidad": unidad.title if unidad is not None else None,
    }


def expediente_summary(expediente, request, entries=()):
    state = api.content.get_state(expediente)
    unidad = enclosing_unidad(expediente)
    procedimiento = uuidToObject(
        getattr(expediente, "procedimiento", None), unrestricted=True
    )
    silence = getattr(procedimiento, "silence_effect", None)
    summary = {
        "@id": expediente.absolute_url(),
        "numero": expediente.numero,
        "title": expediente.title,
        "review_state": state,
        "state_text": translate(STATE_TEXTS[state], context=request),
        "unidad": unidad.title if unidad is not None else None,
        # Who handles it, by name and unit (LPAC art. 53.1.b).
        "tramitador": handler_summary(expediente, unidad),
        "procedimiento": procedimiento.title if procedimiento is not None else None,
        "fecha_limite": _date(expediente.fecha_limite),
        "silencio": silence,
        "silencio_text": (
            translate(SILENCE_TEXTS[silence], context=request)
            if silence in SILENCE_TEXTS and state not in CLOSED_EXPEDIENTE_STATES
            else None
        ),
        "notificaciones": _notifications(expediente, request),
        "justificantes": _receipts(expediente, entries),
        "subsanacion": None,
    }
    if state == Expediente.SUBSANACION:
        summary["subsanacion"] = {
            "requerimiento": subsanacion_request(expediente),
            "aportar": f"{expediente.absolute_url()}/@@aportar",
        }
    return summary


def carpeta(request):
    """The whole carpeta of the current user."""
    user_id = api.user.get_current().getId()
    nif = current_nif()
    entries = own_entries(nif)
    return {
        "user": user_id,
        "nif": nif,
        "expedientes": [
            expediente_summary(expediente, request, entries)
            for expediente in own_expedientes(user_id)
        ],
        "registros": [_entry_json(asiento) for asiento in entries],
    }
