"""The register book (libro de registro): the entries and exits of the general
register, filtered, sorted and exported, served from the catalog only.

The same filters serve the Classic UI listing ``@@libro-registro``, its
spreadsheet export and the REST service ``GET /registro/@libro-registro``
(book_service.py); all three need ``paeria.egov: View register book``
(Registrador, Auditor, Site Administrator, Manager) and list only the entries
the catalog lets the user see. Rows are built from brains and metadata columns
(registro/indexers.py); no entry object is woken up.

Filters (query-string parameters, all optional):

- ``serie``: ``E`` (entries) or ``S`` (exits); ``entrada``/``salida`` also do;
- ``desde`` / ``hasta``: presentation days ``YYYY-MM-DD``, inclusive, in
  Europe/Madrid;
- ``canal``: ``telematico``, ``presencial`` or ``postal``;
- ``unidad``: a unit's UID or DIR3 code; finds the entries addressed to it or
  distributed to it;
- ``interesado``: the interested party's NIF/NIE/CIF (separators and case do
  not matter), exact;
- ``nombre``: words of the interested party's name (each a word prefix,
  accents and case ignored);
- ``resumen``: words of the summary (the same way);
- ``orden``: ``desc`` (newest first, the default) or ``asc``.

Order: by presentation time, then by number: within one series that is the
order of the numbers; entries and exits are interleaved by time.
"""

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.registro.register import RECEIPT_ID
from paeria.egov.states import Asiento
from paeria.egov.vocabularies.codes import CODE_LISTS
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr
from zope.component import getUtility
from zope.i18n import translate
from zope.schema.interfaces import IVocabularyFactory
import codecs
import csv
import io
import re
import zipfile


PAGE_SIZE = 50
SERIES = {"E": "E", "S": "S", "ENTRADA": "E", "SALIDA": "S"}
ORDERS = {"desc": "descending", "asc": "ascending"}
FILTERS = (
    "serie",
    "desde",
    "hasta",
    "canal",
    "unidad",
    "interesado",
    "nombre",
    "resumen",
    "orden",
)
SORT_ON = ("registro_fecha", "registro_numero")
MAX_WORDS = 10
MAX_FILTER_LENGTH = 200
_IDENTIFIER_SEPARATORS = str.maketrans("", "", " -.")
_IDENTIFIER_RE = re.compile(r"[0-9A-Z]{1,20}")
# ZCTextIndex reads these as operators, not words.
_QUERY_OPERATORS = {"and", "or", "not"}
# A spreadsheet runs a text cell starting like this as a formula (CSV
# injection): the summary and the name are written by the public.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_MIMETYPE = "text/csv; charset=utf-8"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
EXPORT_FORMATS = ("csv", "ods")


class BookFilterError(ValueError):
    """Filters refused; ``errors`` maps each parameter at fault to a
    translatable message."""

    def __init__(self, errors):
        self.errors = dict(errors)
        self.message = _(
            "error_book_filters",
            default="The register book cannot be filtered this way. Problems: "
            "${fields}.",
            mapping={"fields": ", ".join(sorted(self.errors))},
        )
        super().__init__(self.message)


# -- Filters ---------------------------------------------------------------------


def _channels():
    return [code for code, title in CODE_LISTS["paeria.egov.Canal"]]


def _day(value):
    return (
        date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d\d-\d\d", value) else None
    )


def _words(value):
    words = [
        word
        for word in re.findall(r"[^\W_]+", value)
        if word.lower() not in _QUERY_OPERATORS
    ]
    return words[:MAX_WORDS]


def _unit_uid(value):
    catalog = api.portal.get_tool("portal_catalog")
    for query in ({"UID": value}, {"dir3_code": value.upper()}):
        brains = catalog.unrestrictedSearchResults(portal_type="Unidad", **query)
        if brains:
            return brains[0].UID
    return None


def parse_filters(form):
    """The filters given in ``form`` (a request's form), checked and
    normalised; raises BookFilterError naming every parameter at fault.
    Parameters that are empty are not filters."""
    errors = {}
    filters = {}
    texts = {}
    for key in FILTERS:
        value = form.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[key] = _("error_book_not_text", default="Give one text value.")
            continue
        value = value.strip()
        if len(value) > MAX_FILTER_LENGTH:
            errors[key] = _("error_book_too_long", default="The value is too long.")
            continue
        if value:
            texts[key] = value

    if "serie" in texts:
        serie = SERIES.get(texts["serie"].upper())
        if serie is None:
            errors["serie"] = _(
                "error_book_serie",
                default='Unknown series: use "E" (entries) or "S" (exits).',
            )
        else:
            filters["serie"] = serie

    for key in ("desde", "hasta"):
        if key in texts:
            try:
                day = _day(texts[key])
            except ValueError:
                day = None
            if day is None:
                errors[key] = _(
                    "error_book_date",
                    default="Not a date: write it as YYYY-MM-DD.",
                )
            else:
                filters[key] = day
    if "desde" in filters and "hasta" in filters:
        if filters["hasta"] < filters["desde"]:
            errors["hasta"] = _(
                "error_book_date_order",
                default="The end date is before the start date.",
            )

    if "canal" in texts:
        if texts["canal"] in _channels():
            filters["canal"] = texts["canal"]
        else:
            errors["canal"] = _(
                "error_book_canal",
                default="Unknown channel: use one of ${codes}.",
                mapping={"codes": ", ".join(_channels())},
            )

    if "unidad" in texts:
        uid = _unit_uid(texts["unidad"])
        if uid is None:
            errors["unidad"] = _(
                "error_register_unknown_unit",
                default="There is no unit with this identifier.",
            )
        else:
            filters["unidad"] = uid

    if "interesado" in texts:
        identifier = texts["interesado"].translate(_IDENTIFIER_SEPARATORS).upper()
        if not _IDENTIFIER_RE.fullmatch(identifier):
            errors["interesado"] = _(
                "error_book_identifier",
                default="An identifier has only letters and digits "
                "(NIF, NIE, CIF or passport).",
            )
        else:
            filters["interesado"] = identifier

    for key in ("nombre", "resumen"):
        if key in texts:
            words = _words(texts[key])
            if not words:
                errors[key] = _(
                    "error_book_words",
                    default="Give at least one word to look for.",
                )
            else:
                filters[key] = words

    if "orden" in texts:
        if texts["orden"] in ORDERS:
            filters["orden"] = texts["orden"]
        else:
            errors["orden"] = _(
                "error_book_orden",
                default='Unknown order: use "desc" (newest first) or "asc".',
            )

    if errors:
        raise BookFilterError(errors)
    return filters


def _text_query(words):
    # Each word as a prefix: "puig sol" finds "Maria Puig i Soler".
    return " ".join(f"{word}*" for word in words)


def day_start(day):
    return MADRID.localize(datetime.combine(day, time.min))


def catalog_query(registro, filters):
    """The catalog query of the filtered book (without batching)."""
    query = {
        "portal_type": "Asiento",
        "path": {"query": "/".join(registro.getPhysicalPath()), "depth": 1},
        "sort_on": list(SORT_ON),
        "sort_order": ORDERS[filters.get("orden", "desc")],
    }
    if "serie" in filters:
        query["registro_serie"] = filters["serie"]
    if "desde" in filters or "hasta" in filters:
        # Whole Madrid days; the index keeps minutes, so the last minute of the
        # end day is the inclusive bound.
        bounds = []
        if "desde" in filters:
            bounds.append(day_start(filters["desde"]))
        if "hasta" in filters:
            next_day = day_start(filters["hasta"] + timedelta(days=1))
            bounds.append(next_day - timedelta(minutes=1))
        if len(bounds) == 2:
            query["registro_fecha"] = {"query": bounds, "range": "min:max"}
        elif "desde" in filters:
            query["registro_fecha"] = {"query": bounds[0], "range": "min"}
        else:
            query["registro_fecha"] = {"query": bounds[0], "range": "max"}
    if "canal" in filters:
        query["registro_canal"] = filters["canal"]
    if "unidad" in filters:
        query["registro_unidades"] = filters["unidad"]
    if "interesado" in filters:
        query["registro_interesado_id"] = filters["interesado"]
    if "nombre" in filters:
        query["registro_interesado_nombre"] = _text_query(filters["nombre"])
    if "resumen" in filters:
        query["registro_resumen"] = _text_query(filters["resumen"])
    return query


def search(registro, filters, b_start=None, b_size=None):
    """The entries of the book the current user may see, as lazy brains.

    With ``b_start``/``b_size`` the catalog sorts only as far as the page
    needs; the result still has the length of the whole book."""
    query = catalog_query(registro, filters)
    if b_size is not None:
        query["b_start"] = b_start or 0
        query["b_size"] = b_size
    return api.portal.get_tool("portal_catalog").searchResults(**query)


# -- Rows ------------------------------------------------------------------------


def _value(brain, name):
    value = getattr(brain, name, None)
    # Missing.Value is falsy; the columns hold text or datetimes.
    return value if value else None


def _madrid(value):
    return value.astimezone(MADRID) if isinstance(value, datetime) else None


class RowMaker:
    """Builds the book's rows from brains, translating titles once."""

    def __init__(self, request):
        self.request = request
        catalog = api.portal.get_tool("portal_catalog")
        # Unit names are not personal data; the user may not open the unit.
        self.units = {
            brain.UID: brain.Title
            for brain in catalog.unrestrictedSearchResults(portal_type="Unidad")
        }
        self.channels = {
            code: translate(title, context=request)
            for code, title in CODE_LISTS["paeria.egov.Canal"]
        }
        workflow = api.portal.get_tool("portal_workflow")
        self.states = {
            state: translate(
                workflow.getTitleForStateOnType(state, "Asiento"),
                domain="plone",
                context=request,
            )
            for state in Asiento.STATES
        }

    def __call__(self, brain):
        url = brain.getURL()
        unidad = _value(brain, "registro_unidad")
        canal = _value(brain, "registro_canal")
        state = brain.review_state
        receipt = _value(brain, "registro_justificante") or RECEIPT_ID
        return {
            "@id": url,
            "UID": brain.UID,
            "numero": _value(brain, "registro_numero"),
            "serie": _value(brain, "registro_serie"),
            "fecha_presentacion": _madrid(_value(brain, "registro_fecha")),
            "fecha_efectiva": _madrid(_value(brain, "registro_fecha_efectiva")),
            "canal": canal,
            "canal_title": self.channels.get(canal, canal),
            "interesado_identifier_type": _value(brain, "registro_interesado_tipo"),
            "interesado_identifier": _value(brain, "registro_interesado_id"),
            "interesado_name": _value(brain, "registro_interesado_nombre"),
            "resumen": _value(brain, "registro_resumen"),
            "organo_origen": _value(brain, "registro_origen"),
            "organo_destino": _value(brain, "registro_destino"),
            "unidad": unidad,
            "unidad_title": self.units.get(unidad),
            "review_state": state,
            "review_state_title": self.states.get(state, state),
            "justificante": f"{url}/{receipt}",
            "justificante_download": f"{url}/{receipt}/@@download/file",
        }


def json_row(row):
    """A row as JSON: date-times in ISO 8601 with their offset."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in row.items()
    }


# -- Export ----------------------------------------------------------------------

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


def export_filename(filters, extension):
    """``libro-registro-<from>-<to>.<ext>``; an open end is named ``inicio``
    (the beginning) or by today's date."""
    start = filters.get("desde")
    end = filters.get("hasta") or clock.today()
    start_text = start.isoformat() if start else "inicio"
    return f"libro-registro-{start_text}-{end.isoformat()}.{extension}"


def export(request, registro, filters, file_format):
    """(body, content type, filename) of the whole filtered book — every
    entry, not one page."""
    make_row = RowMaker(request)
    rows = (make_row(brain) for brain in search(registro, filters))
    filename = export_filename(filters, file_format)
    if file_format == "ods":
        sheet = translate(
            _("heading_libro_registro", default="Register book"), context=request
        )
        return ods_bytes(request, rows, sheet), ODS_MIMETYPE, filename
    return csv_bytes(request, rows), CSV_MIMETYPE, filename


def send_file(request, body, content_type, filename):
    response = request.response
    response.setHeader("Content-Type", content_type)
    response.setHeader("Content-Disposition", f'attachment; filename="{filename}"')
    response.setHeader("Content-Length", str(len(body)))
    # Personal data: no shared cache keeps it.
    response.setHeader("Cache-Control", "private, no-store")
    return body


# -- Classic UI ------------------------------------------------------------------


class LibroRegistroView(BrowserView):
    """``@@libro-registro`` on /registro: the filter form, one page of the book
    (plone.batching, PAGE_SIZE rows) and the export links; with
    ``format=csv`` or ``format=ods`` the whole filtered book as a download."""

    error = None
    errors = None
    filters = None
    batch = None

    def __call__(self):
        self.errors = {}
        form = self.request.form
        try:
            self.filters = parse_filters(form)
        except BookFilterError as error:
            self.error = translate(error.message, context=self.request)
            self.errors = error.errors
            return self.index()
        file_format = form.get("format")
        if file_format:
            if file_format not in EXPORT_FORMATS:
                self.errors = {
                    "format": _(
                        "error_book_format",
                        default="Unknown export format: use csv or ods.",
                    )
                }
                self.error = translate(
                    BookFilterError(self.errors).message, context=self.request
                )
                return self.index()
            body, content_type, filename = export(
                self.request, self.context, self.filters, file_format
            )
            return send_file(self.request, body, content_type, filename)
        try:
            b_start = max(0, int(form.get("b_start") or 0))
        except (TypeError, ValueError):
            b_start = 0
        results = search(self.context, self.filters, b_start, PAGE_SIZE)
        self.batch = Batch(results, PAGE_SIZE, b_start)
        self.make_row = RowMaker(self.request)
        return self.index()

    def rows(self):
        return [self.make_row(brain) for brain in self.batch]

    def value(self, name):
        value = self.request.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def field_error(self, name):
        message = (self.errors or {}).get(name)
        return translate(message, context=self.request) if message else None

    def problems(self):
        """(parameter, message) of every refused filter."""
        return [
            (name, translate(message, context=self.request))
            for name, message in sorted((self.errors or {}).items())
        ]

    def channels(self):
        return [
            {"value": code, "title": translate(title, context=self.request)}
            for code, title in CODE_LISTS["paeria.egov.Canal"]
        ]

    def units(self):
        factory = getUtility(IVocabularyFactory, "paeria.egov.Unidades")
        return [
            {"value": term.value, "title": term.title} for term in factory(self.context)
        ]

    def query_string(self, **extra):
        params = [
            (key, self.value(key)) for key in FILTERS if self.value(key)
        ] + sorted(extra.items())
        return urlencode(params)

    def export_url(self, file_format):
        return (
            f"{self.context.absolute_url()}/@@libro-registro?"
            f"{self.query_string(format=file_format)}"
        )

    def when(self, value):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""
