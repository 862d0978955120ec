"""The receipt (justificante) of a register entry, a PDF made with reportlab.

Ley 39/2015 art. 16.3: the register issues an automatic receipt with the
number, date and time of presentation, and art. 31.2.b the effective date for
deadlines; it lists each attached document with its size and SHA-256
fingerprint, so that the citizen can prove what was filed, and carries its
own secure verification code (CSV) and the address where to verify it.
"""

from io import BytesIO
from paeria.egov import _
from paeria.egov.content.asiento import TIPOS_ASIENTO
from paeria.egov.content.lookup import title_by_uid
from paeria.egov.vocabularies.codes import CODE_LISTS
from plone import api
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from zope.i18n import translate
import textwrap


MARGIN = 20 * mm
LINE = 5 * mm
TEXT_WIDTH = 95  # characters of 10 pt Helvetica in the page's width
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S %Z"


def verification_url(csv):
    return f"{api.portal.get().absolute_url()}/@@verificar?csv={csv}"


def _language():
    return api.portal.get_default_language() or "es"


def _t(message):
    return translate(message, target_language=_language())


def receipt_title(asiento):
    return _t(
        _(
            "receipt_title",
            default="Receipt of register entry ${numero}",
            mapping={"numero": asiento.numero},
        )
    )


def _code_title(vocabulary_name, code):
    for value, title in CODE_LISTS[vocabulary_name]:
        if value == code:
            return _t(title)
    return code or ""


def _title_of(uid):
    if not uid:
        return ""
    return title_by_uid(uid) or uid


def _size(num_bytes):
    return f"{num_bytes:,} bytes".replace(",", ".")


class PdfPage:
    """Lines of text down an A4 page, with a new page when one is full."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.width, self.height = A4
        self.y = self.height - 25 * mm

    def _room(self, lines=1):
        if self.y - lines * LINE < MARGIN:
            self.canvas.showPage()
            self.y = self.height - 25 * mm

    def line(self, text, font="Helvetica", size=10):
        self._room()
        self.canvas.setFont(font, size)
        self.canvas.drawString(MARGIN, self.y, text)
        self.y -= LINE

    def field(self, label, value):
        lines = textwrap.wrap(f"{label}: {value}", TEXT_WIDTH) or [label]
        for text in lines:
            self.line(text)

    def code(self, text):
        """Codes and fingerprints in a fixed-width font, never broken."""
        self.line(text, font="Courier", size=8)

    def gap(self):
        self.y -= LINE / 2


def issuer_name():
    """The body that issues the receipts (the council, from the settings)."""
    return (
        api.portal.get_registry_record("paeria.egov.organo_name", default=None)
        or "paeria.egov"
    )


def _entry_rows(asiento):
    """(label, value) of what the receipt says of the entry."""
    rows = [
        (_("label_numero_asiento", default="Register number"), asiento.numero),
        (
            _("label_tipo_asiento", default="Entry or exit"),
            _t(TIPOS_ASIENTO.getTerm(asiento.tipo).title),
        ),
        (
            _("label_fecha_presentacion", default="Presented on"),
            asiento.fecha_presentacion.strftime(DATETIME_FORMAT),
        ),
        (
            _("label_fecha_efectiva", default="Effective date for deadlines"),
            asiento.fecha_efectiva.strftime(DATETIME_FORMAT),
        ),
        (
            _("label_canal", default="Channel"),
            _code_title("paeria.egov.Canal", asiento.canal),
        ),
        (
            _("label_interesado", default="Interested party"),
            f"{asiento.interesado_name} ({asiento.interesado_identifier_type} "
            f"{asiento.interesado_identifier})",
        ),
        (_("label_resumen", default="Summary"), asiento.resumen),
        (
            _("label_organo_origen", default="Origin body (DIR3)"),
            asiento.organo_origen or "-",
        ),
        (
            _("label_organo_destino", default="Destination body (DIR3)"),
            asiento.organo_destino or "-",
        ),
        (
            _("label_unidad_destino", default="Destination unit"),
            _title_of(asiento.unidad_destino) or "-",
        ),
    ]
    if asiento.procedimiento:
        rows.append(
            (
                _("label_procedimiento", default="Procedure"),
                _title_of(asiento.procedimiento),
            )
        )
    return rows


def _documents_section(page, asiento):
    """Each attached document with its size and SHA-256 fingerprint."""
    documents = attached_documents(asiento)
    page.line(
        _t(
            _(
                "receipt_documents",
                default="Documents attached: ${count}",
                mapping={"count": len(documents)},
            )
        ),
        font="Helvetica-Bold",
    )
    for position, documento in enumerate(documents, start=1):
        filename = documento.file.filename or documento.Title()
        page.field(f"{position}", f"{filename} ({_size(documento.file.getSize())})")
        page.code(f"SHA-256: {documento.huella}")


def _verification_section(page, csv):
    """The receipt's own CSV and where to verify it."""
    page.line(
        _t(_("receipt_verification", default="Verification")),
        font="Helvetica-Bold",
    )
    page.field(
        _t(_("label_csv", default="Secure verification code (CSV)")),
        "",
    )
    page.code(csv)
    page.field(_t(_("receipt_verify_at", default="Verify it at")), "")
    page.code(verification_url(csv))


def receipt_pdf(asiento, csv):
    """The receipt's bytes; ``csv`` is the receipt's own verification code."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    title = receipt_title(asiento)
    canvas.setTitle(title)
    canvas.setAuthor(issuer_name())
    canvas.setSubject(asiento.numero)
    page = PdfPage(canvas)
    page.line(title, font="Helvetica-Bold", size=14)
    page.gap()
    for label, value in _entry_rows(asiento):
        page.field(_t(label), value)
    page.gap()
    _documents_section(page, asiento)
    page.gap()
    _verification_section(page, csv)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def attached_documents(asiento):
    """The entry's documents other than its receipt, in the order they were
    given in (the entry is an unordered folder)."""
    documents = [
        obj
        for obj in asiento.objectValues()
        if obj.portal_type == "Documento" and obj.getId() != asiento.justificante
    ]
    return sorted(documents, key=lambda obj: getattr(obj, "posicion_registro", 0))


def receipt_of(asiento):
    if not asiento.justificante:
        return None
    return asiento.get(asiento.justificante)


def entry_summary(asiento):
    """An entry as the REST API and the citizen's folder describe it: its
    number, dates, CSV, receipt and documents."""
    receipt = receipt_of(asiento)
    return {
        "@id": asiento.absolute_url(),
        "@type": asiento.portal_type,
        "UID": api.content.get_uuid(asiento),
        "numero": asiento.numero,
        "tipo": asiento.tipo,
        "fecha_presentacion": asiento.fecha_presentacion.isoformat(),
        "fecha_efectiva": asiento.fecha_efectiva.isoformat(),
        "csv": asiento.csv,
        "justificante": {
            "@id": receipt.absolute_url(),
            "download": f"{receipt.absolute_url()}/@@download/file",
            "csv": receipt.csv,
            "huella": receipt.huella,
        },
        "documents": [
            {
                "@id": documento.absolute_url(),
                "title": documento.Title(),
                "filename": documento.file.filename,
                "size": documento.file.getSize(),
                "huella": documento.huella,
            }
            for documento in attached_documents(asiento)
        ],
    }
