"""Classic UI of notifications: the expediente's ``@@notificar`` form, the
notification's page (state in plain words, dates, evidence) and its PDF
certificate ``@@certificado``."""

from paeria.egov import _
from paeria.egov.events import FileDownloaded
from paeria.egov.http import set_download_headers
from paeria.egov.http import stream
from paeria.egov.integrity.checks import check_document
from paeria.egov.notifications.certificate import certificate_pdf
from paeria.egov.notifications.evidence import EVENT_TEXTS
from paeria.egov.notifications.evidence import notified_document
from paeria.egov.notifications.evidence import STATE_TEXTS
from paeria.egov.notifications.expiry import expire_if_due
from paeria.egov.notifications.notify import addressees
from paeria.egov.notifications.notify import notifiable_documents
from paeria.egov.notifications.notify import NotificationError
from paeria.egov.notifications.notify import notify_document
from paeria.egov.signing.sealing import seal_pdf
from paeria.egov.states import ANSWERED_NOTIFICACION_STATES
from paeria.egov.states import Notificacion
from plone import api
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import Forbidden
from zExceptions import NotFound
from zope.event import notify
from zope.i18n import translate


def formatted(moment):
    return moment.strftime("%d/%m/%Y %H:%M:%S") if moment else ""


class NotificarView(BrowserView):
    """On an Expediente: choose a signed document and an addressee."""

    error = None
    errors = None

    def __call__(self):
        self.errors = {}
        form = self.request.form
        if self.request.method == "POST" and form.get("form.submitted"):
            check_authenticator(self.request)
            try:
                notificacion = notify_document(
                    self.context,
                    form.get("documento") or None,
                    form.get("destinatario") or None,
                    request=self.request,
                )
            except NotificationError as error:
                self.error = error.message
                self.errors = error.errors
            else:
                IStatusMessage(self.request).add(
                    _(
                        "msg_notificacion_made",
                        default="The notification was made available (exit ${numero}).",
                        mapping={"numero": notificacion.asiento_salida},
                    ),
                    type="info",
                )
                self.request.response.redirect(notificacion.absolute_url())
                return ""
        return self.index()

    def field_error(self, name):
        message = (self.errors or {}).get(name)
        return translate(message, context=self.request) if message else None

    def error_message(self):
        """A refusal about the expediente itself, or the summary."""
        return self.field_error("expediente") or translate(
            self.error, context=self.request
        )

    def documents(self):
        return [
            {"uid": brain.UID, "title": brain.Title}
            for brain in notifiable_documents(self.context)
        ]

    def addressees(self):
        return [
            {"identifier": row["identifier"], "name": row.get("name") or ""}
            for row in addressees(self.context)
        ]

    def selected(self, name, value):
        return self.request.form.get(name) == value or None


class NotificacionView(BrowserView):
    def __call__(self):
        expire_if_due(self.context, request=self.request)
        return self.index()

    def state(self):
        return api.content.get_state(self.context)

    def state_text(self):
        return translate(STATE_TEXTS[self.state()], context=self.request)

    def dates(self):
        context = self.context
        rows = [
            (
                _("label_fecha_puesta_disposicion", default="Made available on"),
                context.fecha_puesta_disposicion,
            ),
            (
                _(
                    "label_fecha_expiracion",
                    default="Counts as rejected if not accessed by",
                ),
                context.fecha_expiracion,
            ),
            (_("label_fecha_acceso", default="Accessed on"), context.fecha_acceso),
            (_("label_fecha_rechazo", default="Rejected on"), context.fecha_rechazo),
        ]
        return [
            {"label": translate(label, context=self.request), "value": formatted(when)}
            for label, when in rows
            if when
        ]

    def evidence(self):
        return [
            {
                "event": translate(
                    EVENT_TEXTS.get(entry.get("evento"), entry.get("evento")),
                    context=self.request,
                ),
                "user": entry.get("usuario"),
                "when": entry.get("fecha"),
                "address": entry.get("direccion"),
                "huella": entry.get("huella_documento"),
            }
            for entry in self.context.evidencias or ()
        ]

    def document_url(self):
        """Where the user reads the notified document: the document itself
        for the unit's staff, the notification's copy for the addressee once
        accessed; None while it waits (reading it is accessing it)."""
        documento = notified_document(self.context)
        if documento is None:
            return None
        if api.user.has_permission("View", obj=documento):
            return documento.absolute_url()
        if self.state() in ANSWERED_NOTIFICACION_STATES:
            return f"{self.context.absolute_url()}/@@documento"
        return None

    def can_answer(self):
        return (
            self.state() == Notificacion.PUESTA_A_DISPOSICION
            and api.user.has_permission(
                "paeria.egov: Responder notificacion", obj=self.context
            )
        )


class DocumentoNotificadoView(BrowserView):
    """The notified document, for whoever may see the notification, once the
    addressee accessed it or it counts as rejected (LPAC 43.2: the content is
    reached by accessing the notification, which makes it notified); before,
    only for those who read the document itself (the unit's staff)."""

    def __call__(self):
        expire_if_due(self.context, request=self.request)
        documento = notified_document(self.context)
        if documento is None or documento.file is None:
            raise NotFound("The notified document is gone.")
        state = api.content.get_state(self.context)
        if state not in ANSWERED_NOTIFICACION_STATES and not api.user.has_permission(
            "View", obj=documento
        ):
            raise Forbidden(
                translate(
                    _(
                        "error_notificacion_not_accessed",
                        default="Access the notification first: reading its "
                        "document is what notifies you.",
                    ),
                    context=self.request,
                )
            )
        check_document(documento)
        notify(FileDownloaded(documento, "file", via="notificacion"))
        set_download_headers(self.request.response, documento)
        return stream(documento)


class CertificadoView(BrowserView):
    """The certificate of the notification, as a PDF."""

    def __call__(self):
        expire_if_due(self.context, request=self.request)
        # Sealed with the council's seal (PAdES) when one is configured.
        data, _sealed = seal_pdf(certificate_pdf(self.context))
        response = self.request.response
        response.setHeader("Content-Type", "application/pdf")
        response.setHeader(
            "Content-Disposition",
            f'attachment; filename="certificado-{self.context.getId()}.pdf"',
        )
        response.setHeader("Content-Length", str(len(data)))
        return data
