"""Making a notification available: :func:`notify_document`, the only way a
``Notificacion`` is made (registered as an exit, evidence recorded, the
addressee told)."""

from AccessControl import Unauthorized
from datetime import timedelta
from paeria.egov import _
from paeria.egov.content.asiento import SALIDA
from paeria.egov.notifications.evidence import now
from paeria.egov.notifications.evidence import record_evidence
from paeria.egov.notifications.expiry import EXPIRY_DAYS
from paeria.egov.notifications.notice import send_notice
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Documento
from paeria.egov.states import Notificacion
from plone import api
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from plone.uuid.interfaces import IUUID
from zope.i18n import translate


ELECTRONIC = "electronica"
REQUIRED = _("error_required_field", default="Required: this value must be given.")


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


def _document_to_notify(expediente, documento_uid):
    """(the signed Documento, None) or (None, the problem)."""
    if not isinstance(documento_uid, str) or not documento_uid.strip():
        return None, REQUIRED
    signed = {brain.UID: brain for brain in notifiable_documents(expediente)}
    brain = signed.get(documento_uid.strip())
    if brain is None:
        return None, _(
            "error_notificar_documento",
            default="Only a signed document of this expediente can be notified.",
        )
    return brain._unrestrictedGetObject(), None


def _addressee_row(expediente, destinatario):
    """(the interested party's row, None) or (None, the problem)."""
    if not isinstance(destinatario, str) or not destinatario.strip():
        return None, REQUIRED
    wanted = destinatario.strip().upper()
    rows = [
        row
        for row in expediente.interesados or ()
        if (row.get("identifier") or "").upper() == wanted
    ]
    if not rows:
        return None, _(
            "error_notificar_destinatario",
            default="The addressee must be one of the expediente's interested parties.",
        )
    if rows[0] not in addressees(expediente):
        return None, _(
            "error_notificar_postal",
            default="This interested party chose to be notified by postal mail, "
            "not electronically.",
        )
    return rows[0], None


def _validate(expediente, documento_uid, destinatario):
    errors = {}
    if api.content.get_state(expediente, default=None) in CLOSED_EXPEDIENTE_STATES:
        errors["expediente"] = _(
            "error_notificar_closed",
            default="The expediente is closed: nothing can be notified from it.",
        )
    documento, problem = _document_to_notify(expediente, documento_uid)
    if problem is not None:
        errors["documento"] = problem
    row, problem = _addressee_row(expediente, destinatario)
    if problem is not None:
        errors["destinatario"] = problem
    if errors:
        raise NotificationError(errors)
    return documento, row


# -- making one available ---------------------------------------------------------


def _register_exit(expediente, documento, row, name):
    """The exit entry (S series) of the notification, the document attached,
    through the register's own code path."""
    numero = expediente.numero or expediente.getId()
    blob = documento.file
    try:
        return register_entry(
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


def _new_notificacion(documento, row, name, asiento):
    """The Notificacion of ``documento`` to ``row``, not yet added."""
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
    return notificacion


def notify_document(expediente, documento_uid, destinatario, request=None):
    """Notify the signed document ``documento_uid`` of ``expediente`` to the
    interested party whose identifier is ``destinatario``; return the new
    Notificacion. Raises :class:`NotificationError` (nothing stored, no register
    number consumed) or ``Unauthorized``."""
    if not api.user.has_permission(
        "paeria.egov: Add Notificacion", obj=expediente
    ) or not api.user.has_permission("Add portal content", obj=expediente):
        raise Unauthorized("You may not notify from this expediente.")
    documento, row = _validate(expediente, documento_uid, destinatario)
    name = row.get("name") or row["identifier"]
    asiento = _register_exit(expediente, documento, row, name)
    notificacion = addContentToContainer(
        expediente,
        _new_notificacion(documento, row, name, asiento),
        checkConstraints=False,
    )
    record_evidence(notificacion, Notificacion.PUESTA_A_DISPOSICION, request=request)
    send_notice(notificacion, row)
    notificacion.reindexObject()
    return notificacion
