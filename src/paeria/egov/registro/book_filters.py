"""The filters of the register book: read from a request's form, checked and
normalised, each refusal named by its parameter (see :mod:`.book`)."""

from datetime import date
from paeria.egov import _
from paeria.egov.vocabularies.codes import CODE_LISTS
from plone import api
import re


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
MAX_WORDS = 10
MAX_FILTER_LENGTH = 200
_IDENTIFIER_SEPARATORS = str.maketrans("", "", " -.")
_IDENTIFIER_RE = re.compile(r"[0-9A-Z]{1,20}")
# ZCTextIndex reads these as operators, not words.
_QUERY_OPERATORS = {"and", "or", "not"}


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


class _Refused(ValueError):
    """One filter refused, with its translatable message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _serie(text):
    serie = SERIES.get(text.upper())
    if serie is None:
        raise _Refused(
            _(
                "error_book_serie",
                default='Unknown series: use "E" (entries) or "S" (exits).',
            )
        )
    return serie


def _date(text):
    try:
        day = _day(text)
    except ValueError:
        day = None
    if day is None:
        raise _Refused(
            _("error_book_date", default="Not a date: write it as YYYY-MM-DD.")
        )
    return day


def _canal(text):
    if text in _channels():
        return text
    raise _Refused(
        _(
            "error_book_canal",
            default="Unknown channel: use one of ${codes}.",
            mapping={"codes": ", ".join(_channels())},
        )
    )


def _unidad(text):
    uid = _unit_uid(text)
    if uid is None:
        raise _Refused(
            _(
                "error_register_unknown_unit",
                default="There is no unit with this identifier.",
            )
        )
    return uid


def _interesado(text):
    identifier = text.translate(_IDENTIFIER_SEPARATORS).upper()
    if not _IDENTIFIER_RE.fullmatch(identifier):
        raise _Refused(
            _(
                "error_book_identifier",
                default="An identifier has only letters and digits "
                "(NIF, NIE, CIF or passport).",
            )
        )
    return identifier


def _search_words(text):
    words = _words(text)
    if not words:
        raise _Refused(
            _("error_book_words", default="Give at least one word to look for.")
        )
    return words


def _orden(text):
    if text in ORDERS:
        return text
    raise _Refused(
        _(
            "error_book_orden",
            default='Unknown order: use "desc" (newest first) or "asc".',
        )
    )


#: How each filter is read from its text, in the order of FILTERS.
_FILTER_PARSERS = {
    "serie": _serie,
    "desde": _date,
    "hasta": _date,
    "canal": _canal,
    "unidad": _unidad,
    "interesado": _interesado,
    "nombre": _search_words,
    "resumen": _search_words,
    "orden": _orden,
}


def _filter_texts(form, errors):
    """The non-empty text of each filter given in ``form``; a value that is not
    one text or is too long goes to ``errors``."""
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
    return texts


def parse_filters(form):
    """The filters given in ``form`` (a request's form), checked and
    normalised; raises BookFilterError naming every parameter at fault.
    Parameters that are empty are not filters."""
    errors = {}
    filters = {}
    for key, text in _filter_texts(form, errors).items():
        try:
            filters[key] = _FILTER_PARSERS[key](text)
        except _Refused as refusal:
            errors[key] = refusal.message
    if (
        "desde" in filters
        and "hasta" in filters
        and filters["hasta"] < filters["desde"]
    ):
        errors["hasta"] = _(
            "error_book_date_order",
            default="The end date is before the start date.",
        )
    if errors:
        raise BookFilterError(errors)
    return filters
