"""The register book as a spreadsheet: CSV (UTF-8 with a byte order mark) or
OpenDocument (ODS), written with the standard library, safe against formula
injection."""

from datetime import datetime
from paeria.egov import _
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr
from zope.i18n import translate
import codecs
import csv
import io
import zipfile


CSV_MIMETYPE = "text/csv; charset=utf-8"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
# A spreadsheet runs a text cell starting like this as a formula (CSV
# injection): the summary and the name are written by the public.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# (row key, title) of each spreadsheet column; explicit msgids so that they
# are extracted.
COLUMNS = (
    ("numero", _("label_numero_asiento", default="Register number")),
    ("fecha_presentacion", _("label_book_fecha_presentacion", default="Presented on")),
    ("fecha_efectiva", _("label_book_fecha_efectiva", default="Effective date")),
    ("canal_title", _("label_canal", default="Channel")),
    (
        "interesado_identifier_type",
        _("label_identifier_type", default="Identifier type"),
    ),
    ("interesado_identifier", _("label_identifier", default="Identifier")),
    ("interesado_name", _("label_book_interesado", default="Interested party")),
    ("resumen", _("label_resumen", default="Summary")),
    ("organo_origen", _("label_organo_origen", default="Origin body (DIR3)")),
    ("organo_destino", _("label_organo_destino", default="Destination body (DIR3)")),
    ("unidad_title", _("label_book_unidad", default="Unit")),
    ("review_state_title", _("label_book_estado", default="State")),
    ("@id", _("label_book_url", default="Address")),
    ("justificante", _("label_book_justificante", default="Receipt")),
)
FREE_TEXT = ("interesado_name", "resumen")


def header(request):
    return [translate(title, context=request) for key, title in COLUMNS]


def _cell_text(key, value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        # ISO 8601 in Madrid's local time, which spreadsheets read as a date.
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    if key in FREE_TEXT and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_bytes(request, rows):
    """UTF-8 with a byte order mark (so that LibreOffice and Excel read the
    accents), a header row, one row per entry."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header(request))
    for row in rows:
        writer.writerow([_cell_text(key, row.get(key)) for key, _title in COLUMNS])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""  # noqa: E501
_ODS_CONTENT_START = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name={name}>
"""  # noqa: E501
_ODS_CONTENT_END = """</table:table></office:spreadsheet></office:body>
</office:document-content>
"""


def _ods_cell(key, value):
    if isinstance(value, datetime):
        # A real date cell, in Madrid's local time (ODF dates carry no zone).
        iso = value.strftime("%Y-%m-%dT%H:%M:%S")
        shown = value.strftime("%Y-%m-%d %H:%M:%S")
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if value is None:
        return "<table:table-cell/>"
    # Typed as a string: never read as a formula.
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def ods_bytes(request, rows, sheet_name):
    """An OpenDocument spreadsheet (ODF 1.2) written with the standard library:
    a header row and one row per entry, the dates as date cells."""
    parts = [_ODS_CONTENT_START.format(name=quoteattr(sheet_name)), "<table:table-row>"]
    parts += [_ods_cell(None, title) for title in header(request)]
    parts.append("</table:table-row>\n")
    for row in rows:
        parts.append("<table:table-row>")
        parts += [_ods_cell(key, row.get(key)) for key, _title in COLUMNS]
        parts.append("</table:table-row>\n")
    parts.append(_ODS_CONTENT_END)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        # The mimetype comes first and uncompressed, as ODF requires.
        archive.writestr(
            zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "META-INF/manifest.xml", _ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED
        )
        archive.writestr(
            "content.xml", "".join(parts), compress_type=zipfile.ZIP_DEFLATED
        )
    return out.getvalue()
