"""The citizen's statement (expone / solicita): read from what they sent and
written as the application PDF (instancia) filed as the entry's first
document."""

from io import BytesIO
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.registro.receipt import issuer_name
from paeria.egov.registro.receipt import PdfPage
from paeria.egov.registro.receipt import TEXT_WIDTH
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.text import validate_plain_text
from plone import api
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from zope.i18n import translate
import textwrap


def statement_text(data, key, max_length, errors, required=False):
    value = data.get(key)
    if value is None or value == "":
        if required:
            errors[key] = _(
                "error_required_field", default="Required: this value must be given."
            )
        return ""
    if not isinstance(value, str):
        errors[key] = _("error_register_not_text", default="Must be text.")
        return ""
    value = value.strip()
    try:
        validate_plain_text(value, max_length)
    except InvalidIdentifier as error:
        errors[key] = error.args[0]
        return ""
    if required and not value:
        errors[key] = _(
            "error_required_field", default="Required: this value must be given."
        )
    return value


def translated(message):
    return translate(message, target_language=api.portal.get_default_language())


def statement_pdf(title, citizen, procedure_title, unit_title, expone, solicita):
    """The application itself (instancia): who, what for, what they state and
    ask, and when it was made."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(title)
    canvas.setAuthor(citizen.fullname)
    canvas.setCreator(issuer_name())
    page = PdfPage(canvas)
    page.line(title, font="Helvetica-Bold", size=14)
    page.gap()
    page.field(
        translated(_("label_interesado", default="Interested party")),
        f"{citizen.fullname} ({citizen.identifier_type} {citizen.nif})",
    )
    if citizen.email:
        page.field(
            translated(_("label_email", default="E-mail for notices")), citizen.email
        )
    if procedure_title:
        page.field(
            translated(_("label_procedimiento", default="Procedure")), procedure_title
        )
    if unit_title:
        page.field(
            translated(_("label_unidad_destino", default="Destination unit")),
            unit_title,
        )
    page.field(
        translated(_("label_fecha_presentacion_solicitud", default="Made on")),
        clock.office_now().strftime("%Y-%m-%d %H:%M:%S %Z"),
    )
    for label, text in (
        (translated(_("label_expone", default="States (expone)")), expone),
        (translated(_("label_solicita", default="Requests (solicita)")), solicita),
    ):
        if not text:
            continue
        page.gap()
        page.line(label, font="Helvetica-Bold")
        for paragraph in text.splitlines() or [""]:
            if paragraph.strip():
                _wrapped(page, paragraph)
            else:
                page.gap()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrapped(page, paragraph):
    for line in textwrap.wrap(paragraph, TEXT_WIDTH) or [""]:
        page.line(line)
