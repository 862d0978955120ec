"""The certificate of an electronic notification, a PDF made with reportlab:
what was notified (document and fingerprint), to whom, through which exit
entry, and the evidence of each state (LPAC 41.1: the notification must leave
proof of its sending, making available, access or rejection, dates and
content)."""

from io import BytesIO
from paeria.egov import _
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.notifications.evidence import EVENT_TEXTS
from paeria.egov.notifications.evidence import STATE_TEXTS
from paeria.egov.registro.receipt import issuer_name
from paeria.egov.registro.receipt import PdfPage
from plone import api
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from zope.i18n import translate


def _t(message):
    return translate(message, target_language=api.portal.get_default_language())


def _when(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "-"


def addressee_line(notificacion):
    name = notificacion.destinatario_name
    return f"{name} ({notificacion.destinatario_identifier})"


def _rows(notificacion, expediente, state):
    """(label, value) of the certificate's summary."""
    return (
        (
            _("label_expediente", default="Expediente"),
            getattr(expediente, "numero", None) or "-",
        ),
        (
            _("label_destinatario_name", default="Addressee"),
            addressee_line(notificacion),
        ),
        (
            _("label_documento_notificado_title", default="Notified document"),
            notificacion.documento_title,
        ),
        (
            _("label_asiento_salida", default="Exit register number"),
            notificacion.asiento_salida,
        ),
        (
            _("label_fecha_puesta_disposicion", default="Made available on"),
            _when(notificacion.fecha_puesta_disposicion),
        ),
        (
            _(
                "label_fecha_expiracion",
                default="Counts as rejected if not accessed by",
            ),
            _when(notificacion.fecha_expiracion),
        ),
        (
            _("label_fecha_acceso", default="Accessed on"),
            _when(notificacion.fecha_acceso),
        ),
        (
            _("label_fecha_rechazo", default="Rejected on"),
            _when(notificacion.fecha_rechazo),
        ),
        (_("label_estado", default="State"), _t(STATE_TEXTS[state])),
    )


def _evidence(page, notificacion):
    """Each evidence entry: when, what, who, from where, and the fingerprint."""
    page.line(_t(_("label_evidencias", default="Evidence")), font="Helvetica-Bold")
    for entry in notificacion.evidencias or ():
        event = EVENT_TEXTS.get(entry.get("evento"))
        page.field(
            entry.get("fecha", ""),
            f"{_t(event) if event else entry.get('evento')} — "
            f"{entry.get('usuario', '')} — {entry.get('direccion') or '-'}",
        )
        page.code(entry.get("huella_documento") or "-")


def certificate_pdf(notificacion):
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    title = _t(
        _(
            "certificate_title",
            default="Certificate of electronic notification",
        )
    )
    canvas.setTitle(title)
    canvas.setAuthor(issuer_name())
    canvas.setSubject(notificacion.asiento_salida or "")
    page = PdfPage(canvas)
    page.line(title, font="Helvetica-Bold", size=14)
    page.line(issuer_name())
    page.gap()
    expediente = enclosing_expediente(notificacion)
    state = api.content.get_state(notificacion)
    for label, value in _rows(notificacion, expediente, state):
        page.field(_t(label), value)
    page.gap()
    page.line(
        _t(
            _(
                "label_huella_documento",
                default="Fingerprint of the notified document (SHA-256)",
            )
        )
    )
    page.code(notificacion.huella_documento or "-")
    page.gap()
    _evidence(page, notificacion)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
