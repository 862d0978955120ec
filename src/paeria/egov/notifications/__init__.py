"""Electronic notifications (Ley 39/2015 art. 40-43).

A case worker notifies a signed document of an expediente to one of its
interested parties with :func:`notify_document`, the only way a
``Notificacion`` is made: it registers the exit (S series, the document
attached, through the register's own code path), makes the notification
available in the expediente, records the evidence and e-mails the addressee a
notice that says only that something is waiting (LPAC 41.6).

The addressee then accesses it (``acceder``: notified) or rejects it
(``rechazar``); not accessed within :data:`EXPIRY_DAYS` calendar days it counts
as rejected (LPAC 43.2): the portal takes ``expirar`` itself, from
:func:`expire_due` (console command ``paeria-instance expire-notifications``,
for cron) and lazily whenever a notification is read (:func:`expire_if_due`).
Every state keeps its :func:`evidence <record_evidence>`: who, when, from which
address, and the fingerprint of the notified document at that moment.

Time comes from :mod:`paeria.egov.clock`, so that tests and an operator
re-running expiry as of a day (``PAERIA_AS_OF``) can set it.
"""

from datetime import timedelta
from paeria.egov import _
from paeria.egov import clock
from paeria.egov import logger
from paeria.egov.content.asiento import SALIDA
from paeria.egov.fingerprints import fingerprint_of
from paeria.egov.http import client_address
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Documento
from paeria.egov.states import Notificacion
from paeria.egov.system import as_portal
from paeria.egov.system import AUTOMATED_ACTOR
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from plone.uuid.interfaces import IUUID
from zope.i18n import translate
import pytz


# LPAC 43.2: ten calendar days from being made available.
EXPIRY_DAYS = 10
ELECTRONIC = "electronica"


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


class NotificationError(ValueError):
    """A notification refused before anything was stored; ``errors`` maps each
    field at fault to a translatable message."""

    def __init__(self, errors):
        self.errors = dict(errors)
        self.message = _(
            "error_notification_refused",
            default="The notification was not made; nothing was stored. "
            "Problems: ${fields}.",
            mapping={"fields": ", ".join(sorted(self.errors))},
        )
        super().__init__(self.message)


# -- what can be notified, to whom ------------------------------------------------


def notifiable_documents(expediente):
    """Brains of the expediente's signed documents, in the index's order."""
    catalog = api.portal.get_tool("portal_catalog")
    return catalog.unrestrictedSearchResults(
        portal_type="Documento",
        review_state=Documento.FIRMADO,
        path={"query": "/".join(expediente.getPhysicalPath())},
        sort_on="orden",
    )


def addressees(expediente):
    """The interested parties who can be notified electronically."""
    return [
        row
        for row in expediente.interesados or ()
        if row.get("identifier")
        and (row.get("notification_channel") or ELECTRONIC) == ELECTRONIC
    ]


def _validate(expediente, documento_uid, destinatario):
    errors = {}
    if api.content.get_state(expediente, default=None) in CLOSED_EXPEDIENTE_STATES:
        errors["expediente"] = _(
            "error_notificar_closed",
            default="The expediente is closed: nothing can be notified from it.",
        )
    documento = None
    if not isinstance(documento_uid, str) or not documento_uid.strip():
        errors["documento"] = _(
            "error_required_field", default="Required: this value must be given."
        )
    else:
        signed = {brain.UID: brain for brain in notifiable_documents(expediente)}
        brain = signed.get(documento_uid.strip())
        if brain is None:
            errors["documento"] = _(
                "error_notificar_documento",
                default="Only a signed document of this expediente can be notified.",
            )
        else:
            documento = brain._unrestrictedGetObject()
    row = None
    if not isinstance(destinatario, str) or not destinatario.strip():
        errors["destinatario"] = _(
            "error_required_field", default="Required: this value must be given."
        )
    else:
        wanted = destinatario.strip().upper()
        rows = [
            row
            for row in expediente.interesados or ()
            if (row.get("identifier") or "").upper() == wanted
        ]
        if not rows:
            errors["destinatario"] = _(
                "error_notificar_destinatario",
                default="The addressee must be one of the expediente's interested "
                "parties.",
            )
        elif rows[0] not in addressees(expediente):
            errors["destinatario"] = _(
                "error_notificar_postal",
                default="This interested party chose to be notified by postal mail, "
                "not electronically.",
            )
        else:
            row = rows[0]
    if errors:
        raise NotificationError(errors)
    return documento, row


# -- making one available ---------------------------------------------------------


def notify_document(expediente, documento_uid, destinatario, request=None):
    """Notify the signed document ``documento_uid`` of ``expediente`` to the
    interested party whose identifier is ``destinatario``; return the new
    Notificacion. Raises :class:`NotificationError` (nothing stored, no register
    number consumed) or ``Unauthorized``."""
    from AccessControl import Unauthorized

    if not api.user.has_permission(
        "paeria.egov: Add Notificacion", obj=expediente
    ) or not api.user.has_permission("Add portal content", obj=expediente):
        raise Unauthorized("You may not notify from this expediente.")
    documento, row = _validate(expediente, documento_uid, destinatario)
    numero = expediente.numero or expediente.getId()
    name = row.get("name") or row["identifier"]
    blob = documento.file
    try:
        asiento = register_entry(
            {
                "canal": "telematico",
                "interesado_identifier_type": row.get("identifier_type"),
                "interesado_identifier": row["identifier"],
                "interesado_name": name,
                "resumen": f"Notificación: {documento.title} (expediente {numero})",
                "procedimiento": getattr(expediente, "procedimiento", None),
                "unidad_destino": IUUID(expediente.__parent__, None),
            },
            files=[
                {
                    "data": blob.data,
                    "filename": blob.filename or f"{documento.getId()}.pdf",
                    "content_type": blob.contentType,
                    "tipo_documental": documento.tipo_documental,
                    "title": documento.title,
                }
            ],
            tipo=SALIDA,
        )
    except RegistrationError as error:
        # The register refuses what it would at the counter (a format no longer
        # accepted, a file above today's limit): say so of the document.
        raise NotificationError(
            {"documento": next(iter(error.errors.values()))}
        ) from None
    moment = now()
    notificacion = createContent("Notificacion")
    notificacion.id = "notificacion-" + asiento.numero.replace("/", "-").lower()
    notificacion.title = translate(
        _(
            "notificacion_title",
            default="Notification of “${documento}” to ${destinatario}",
            mapping={"documento": documento.title, "destinatario": name},
        ),
        target_language=api.portal.get_default_language(),
    )
    notificacion.destinatario_identifier = row["identifier"]
    notificacion.destinatario_name = name
    notificacion.documento = IUUID(documento)
    notificacion.documento_title = documento.title
    notificacion.huella_documento = documento.huella
    notificacion.asiento_salida = asiento.numero
    notificacion.fecha_puesta_disposicion = moment
    notificacion.fecha_expiracion = moment + timedelta(days=EXPIRY_DAYS)
    notificacion = addContentToContainer(
        expediente, notificacion, checkConstraints=False
    )
    record_evidence(notificacion, Notificacion.PUESTA_A_DISPOSICION, request=request)
    send_notice(notificacion, row)
    notificacion.reindexObject()
    return notificacion


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
    notificacion.evidencias = tuple(notificacion.evidencias or ()) + (entry,)
    return entry


def send_notice(notificacion, row):
    """E-mail the addressee that a notification is waiting (LPAC 41.6): no
    content, no names, only where to go. Without an address, or when the mail
    server refuses, the evidence says so and the notification stands (the
    notice is not a requirement of its validity)."""
    email = (row.get("email") or "").strip()
    if not email:
        record_evidence(notificacion, "aviso_no_enviado", actor=AUTOMATED_ACTOR)
        return False
    language = api.portal.get_default_language()
    portal_url = api.portal.get().absolute_url()
    subject = translate(
        _(
            "notice_subject",
            default="You have a notification waiting at the electronic office",
        ),
        target_language=language,
    )
    body = translate(
        _(
            "notice_body",
            default="A notification addressed to you has been made available at "
            "the electronic office. Log in to read it: ${url}\n\nIf you do not "
            "access it within ${days} calendar days it will count as rejected "
            "(Ley 39/2015, art. 43.2).",
            mapping={"url": portal_url, "days": EXPIRY_DAYS},
        ),
        target_language=language,
    )
    try:
        api.portal.send_email(recipient=email, subject=subject, body=body)
    except Exception as error:  # the mail server's refusal must not undo it
        logger.warning(
            "Notice of %s not sent: %s", "/".join(notificacion.getPhysicalPath()), error
        )
        record_evidence(notificacion, "aviso_no_enviado", actor=AUTOMATED_ACTOR)
        return False
    record_evidence(notificacion, "aviso_enviado", actor=AUTOMATED_ACTOR)
    return True


# -- expiry ---------------------------------------------------------------------


def is_due(notificacion, moment=None):
    if (
        api.content.get_state(notificacion, default=None)
        != Notificacion.PUESTA_A_DISPOSICION
    ):
        return False
    expiry = notificacion.fecha_expiracion
    return expiry is not None and (moment or now()) >= expiry


def expire_if_due(notificacion, moment=None, request=None):
    """Take ``expirar`` if the time to access ran out; True if it did. Called
    on every read of a notification, so an overdue one is never shown, nor
    accessed, as pending."""
    if not is_due(notificacion, moment):
        return False
    if request is not None:
        # A read (GET) that finds it overdue writes the expiry: the portal's
        # own act, decided by the clock, not by anything the client sent.
        from plone.protect.interfaces import IDisableCSRFProtection
        from zope.interface import alsoProvides

        alsoProvides(request, IDisableCSRFProtection)
    with as_portal():
        api.content.transition(obj=notificacion, transition=Notificacion.EXPIRAR)
    return True


def expire_due(moment=None):
    """Expire every overdue notification in the site; return how many. The
    pending ones are few (a notification waits at most 10 days), so they are
    all looked at."""
    moment = moment or now()
    catalog = api.portal.get_tool("portal_catalog")
    expired = 0
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Notificacion", review_state=Notificacion.PUESTA_A_DISPOSICION
    ):
        if expire_if_due(brain._unrestrictedGetObject(), moment):
            expired += 1
    return expired
