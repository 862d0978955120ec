"""Notificacion: an electronic notification of a signed document of an
expediente to one of its interested parties (Ley 39/2015 art. 40-43).

A notification is evidence: every field is set by
:func:`paeria.egov.notifications.notify.notify_document` when it is made available
and by the workflow's subscribers when it is accessed, rejected or expires,
never by a client (the schema marks them read-only, so forms and plone.restapi
skip them), and nobody modifies or deletes it afterwards
(``paeria_notificacion_workflow`` and ``notifications/subscribers.py``).
"""

from paeria.egov import _
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class INotificacion(model.Schema):
    """What the notification records; all of it computed."""

    destinatario_identifier = schema.TextLine(
        title=_("label_destinatario_identifier", default="Addressee's identifier"),
        readonly=True,
    )
    destinatario_name = schema.TextLine(
        title=_("label_destinatario_name", default="Addressee"),
        readonly=True,
    )
    documento = schema.TextLine(
        title=_("label_documento_notificado", default="Notified document (UID)"),
        readonly=True,
    )
    documento_title = schema.TextLine(
        title=_("label_documento_notificado_title", default="Notified document"),
        readonly=True,
    )
    huella_documento = schema.TextLine(
        title=_(
            "label_huella_documento",
            default="Fingerprint of the notified document (SHA-256)",
        ),
        readonly=True,
    )
    asiento_salida = schema.TextLine(
        title=_("label_asiento_salida", default="Exit register number"),
        readonly=True,
    )
    fecha_puesta_disposicion = schema.Datetime(
        title=_("label_fecha_puesta_disposicion", default="Made available on"),
        readonly=True,
    )
    fecha_expiracion = schema.Datetime(
        title=_(
            "label_fecha_expiracion",
            default="Counts as rejected if not accessed by",
        ),
        readonly=True,
    )
    fecha_acceso = schema.Datetime(
        title=_("label_fecha_acceso", default="Accessed on"),
        readonly=True,
    )
    fecha_rechazo = schema.Datetime(
        title=_("label_fecha_rechazo", default="Rejected on"),
        readonly=True,
    )
    rechazo_automatico = schema.Bool(
        title=_(
            "label_rechazo_automatico",
            default="Rejected because the time to access it ran out",
        ),
        readonly=True,
    )


@implementer(INotificacion)
class Notificacion(Item):
    """Item: a notification holds no content of its own; the notified document
    stays in the expediente."""

    destinatario_identifier = None
    destinatario_name = None
    documento = None
    documento_title = None
    huella_documento = None
    asiento_salida = None
    fecha_puesta_disposicion = None
    fecha_expiracion = None
    fecha_acceso = None
    fecha_rechazo = None
    rechazo_automatico = False
    # The evidence of each state (notifications.Evidence), in order.
    evidencias = ()
