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

from datetime import datetime
from datetime import time
from datetime import timedelta
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.registro.book_filters import BookFilterError
from paeria.egov.registro.book_filters import FILTERS
from paeria.egov.registro.book_filters import ORDERS
from paeria.egov.registro.book_filters import parse_filters
from paeria.egov.registro.book_spreadsheets import csv_bytes
from paeria.egov.registro.book_spreadsheets import CSV_MIMETYPE
from paeria.egov.registro.book_spreadsheets import ods_bytes
from paeria.egov.registro.book_spreadsheets import ODS_MIMETYPE
from paeria.egov.registro.register import RECEIPT_ID
from paeria.egov.states import Asiento
from paeria.egov.vocabularies.codes import CODE_LISTS
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zope.component import getUtility
from zope.i18n import translate
from zope.schema.interfaces import IVocabularyFactory


PAGE_SIZE = 50
SORT_ON = ("registro_fecha", "registro_numero")
EXPORT_FORMATS = ("csv", "ods")


def _text_query(words):
    # Each word as a prefix: "puig sol" finds "Maria Puig i Soler".
    return " ".join(f"{word}*" for word in words)


def day_start(day):
    return MADRID.localize(datetime.combine(day, time.min))


# The filters passed to the catalog as they are, and their indexes.
_PLAIN_FILTERS = (
    ("canal", "registro_canal"),
    ("unidad", "registro_unidades"),
    ("interesado", "registro_interesado_id"),
)
# The word filters, searched as prefixes, and their indexes.
_TEXT_FILTERS = (
    ("nombre", "registro_interesado_nombre"),
    ("resumen", "registro_resumen"),
)


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
        query["registro_fecha"] = _date_range(filters)
    for name, index in _PLAIN_FILTERS:
        if name in filters:
            query[index] = filters[name]
    for name, index in _TEXT_FILTERS:
        if name in filters:
            query[index] = _text_query(filters[name])
    return query


def _date_range(filters):
    """The ``registro_fecha`` query of the ``desde``/``hasta`` filters (at
    least one of them is given)."""
    # Whole Madrid days; the index keeps minutes, so the last minute of the
    # end day is the inclusive bound.
    bounds = []
    if "desde" in filters:
        bounds.append(day_start(filters["desde"]))
    if "hasta" in filters:
        next_day = day_start(filters["hasta"] + timedelta(days=1))
        bounds.append(next_day - timedelta(minutes=1))
    if len(bounds) == 2:
        return {"query": bounds, "range": "min:max"}
    if "desde" in filters:
        return {"query": bounds[0], "range": "min"}
    return {"query": bounds[0], "range": "max"}


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
