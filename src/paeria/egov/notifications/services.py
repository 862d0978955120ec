"""REST: ``POST <expediente>/@notificar`` makes a notification available;
a notification's own JSON (GET) carries its evidence, and is read only after
the lazy expiry check.

Body of ``@notificar``: ``{"documento": "<UID of a signed document of the
expediente>", "destinatario": "<identifier of an interested party>"}``. It
answers 201 with the notification's JSON; a refused one answers 400
``{"error": {"type": "BadRequest", "message", "fields": {field: message}}}``
(the one error shape, docs/rest.md) and stores nothing (no exit number consumed).
"""

from paeria.egov.content.notificacion import INotificacion
from paeria.egov.notifications.expiry import expire_due
from paeria.egov.notifications.expiry import expire_if_due
from paeria.egov.notifications.notify import NotificationError
from paeria.egov.notifications.notify import notify_document
from paeria.egov.restapi.service import Service
from paeria.egov.states import ANSWERED_NOTIFICACION_STATES
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.dxcontent import SerializeToJson
from zope.component import adapter
from zope.component import getMultiAdapter
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.interface import Interface


def evidence_json(notificacion):
    return [dict(entry) for entry in notificacion.evidencias or ()]


@implementer(ISerializeToJson)
@adapter(INotificacion, Interface)
class SerializeNotificacionToJson(SerializeToJson):
    """The standard content JSON, after the lazy expiry, plus the evidence."""

    def __call__(self, version=None, include_items=True):
        expire_if_due(self.context, request=self.request)
        result = super().__call__(version=version, include_items=include_items)
        result["evidencias"] = evidence_json(self.context)
        answered = result.get("review_state") in ANSWERED_NOTIFICACION_STATES
        # Where the addressee reads the notified document, once accessed.
        result["documento_url"] = (
            f"{self.context.absolute_url()}/@@documento" if answered else None
        )
        result["certificado"] = f"{self.context.absolute_url()}/@@certificado"
        return result


class NotificarPost(Service):
    def reply(self):
        # Like plone.restapi's own write services: authenticated by header.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = self.read_json_object()
        try:
            notificacion = notify_document(
                self.context,
                data.get("documento"),
                data.get("destinatario"),
                request=self.request,
            )
        except NotificationError as error:
            return self.refuse(400, "BadRequest", error.message, error.errors)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", notificacion.absolute_url())
        return getMultiAdapter((notificacion, self.request), ISerializeToJson)()


class ExpireNotificationsPost(Service):
    """``POST <portal>/@expire-notifications`` (Manager): what the console
    command does, for a cron job that reaches a running FileStorage instance
    over HTTP (the console cannot open a database the server holds)."""

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        return {"expired": expire_due()}
