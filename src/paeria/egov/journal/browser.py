"""Reading the journal in the Classic UI.

``@@journal`` on the site root (permission ``paeria.egov: View journal``): the
global journal, filtered by user, object (UID or path), action and date range,
batched, and as CSV with ``?format=csv``. ``@@historial`` on an Expediente
(whoever may view it): its chain; the client addresses are shown only to those
who may read the global journal.
"""

from paeria.egov import _
from paeria.egov.journal import actions
from paeria.egov.journal import recording
from paeria.egov.journal import search
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zope.i18n import translate
import csv
import io
import json


PERMISSION = "paeria.egov: View journal"
DEFAULT_BATCH = 50
MAX_BATCH = 500

ACTION_LABELS = actions.LABELS

CSV_COLUMNS = (
    "position",
    "id",
    "when",
    "when_madrid",
    "user",
    "action",
    "portal_type",
    "uid",
    "path",
    "title",
    "address",
    "details",
    "chain",
    "chain_index",
    "hash",
)
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def can_read_journal(context):
    return bool(api.user.has_permission(PERMISSION, obj=context))


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    value = str(value)
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    return value


def describe(details):
    """Details as one line of ``key: value`` pairs, for tables."""
    parts = []
    for key in sorted(details or {}):
        value = details[key]
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, dict):
            value = "; ".join(
                f"{name}: {', '.join(map(str, roles))}"
                for name, roles in sorted(value.items())
            )
        parts.append(f"{key}: {value}")
    return " · ".join(parts)


class _JournalTable(BrowserView):
    table_template = ViewPageTemplateFile("templates/table.pt")

    def action_label(self, action):
        label = ACTION_LABELS.get(action)
        return translate(label, context=self.request) if label else action

    def show_address(self):
        return can_read_journal(self.context)

    def row(self, entry, position=None):
        data = search.entry_data(entry, position, with_address=self.show_address())
        data["action_label"] = self.action_label(data["action"])
        data["summary"] = describe(data["details"])
        return data

    def batch_bounds(self):
        try:
            start = max(0, int(self.request.form.get("b_start", 0)))
        except (TypeError, ValueError):
            start = 0
        try:
            size = int(self.request.form.get("b_size", DEFAULT_BATCH))
        except (TypeError, ValueError):
            size = DEFAULT_BATCH
        return start, min(max(size, 1), MAX_BATCH)


class JournalView(_JournalTable):
    """The global journal for the Auditor."""

    error = None
    results = ()

    def value(self, name):
        value = self.request.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def actions(self):
        return [(action, self.action_label(action)) for action in recording.ACTIONS]

    def filters(self):
        """The filters of the request; sets ``error`` on a bad date."""
        try:
            start = search.parse_day(self.value("from"), "from")
            end = search.parse_day(self.value("to"), "to")
        except ValueError as error:
            self.error = _(
                "error_journal_date",
                default="${field}: write the date as YYYY-MM-DD.",
                mapping={"field": str(error)},
            )
            return None
        return search.Filters(
            user=self.value("user") or None,
            object=self.value("object") or None,
            action=self.value("action") or None,
            start=start,
            end=end,
        )

    def __call__(self):
        filters = self.filters()
        if filters is None:
            self.request.response.setStatus(400)
            return self.index()
        self.results = search.search(api.portal.get(), filters)
        if self.request.form.get("format") == "csv":
            return self.csv()
        return self.index()

    def batch(self):
        start, size = self.batch_bounds()
        return [
            self.row(entry, position)
            for entry, position in self.results[start : start + size]
        ]

    def total(self):
        return len(self.results)

    def batch_links(self):
        """(previous URL or None, next URL or None, first, last shown)."""
        start, size = self.batch_bounds()
        total = self.total()
        query = {
            key: self.value(key)
            for key in ("user", "object", "action", "from", "to")
            if self.value(key)
        }
        base = f"{self.context.absolute_url()}/@@journal"

        def url(b_start):
            return f"{base}?{urlencode(dict(query, b_start=b_start, b_size=size))}"

        previous = url(max(0, start - size)) if start > 0 else None
        following = url(start + size) if start + size < total else None
        return {
            "previous": previous,
            "next": following,
            "first": min(start + 1, total),
            "last": min(start + size, total),
            "csv": f"{base}?{urlencode(dict(query, format='csv'))}",
        }

    def csv(self):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for entry, position in self.results:
            data = search.entry_data(entry, position)
            writer.writerow([csv_cell(data.get(column)) for column in CSV_COLUMNS])
        response = self.request.response
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader("Content-Disposition", 'attachment; filename="journal.csv"')
        response.setHeader("Cache-Control", "private, no-store")
        return out.getvalue()


class HistorialView(_JournalTable):
    """An expediente's history: its own entries and its documents'."""

    def __call__(self):
        self.entries = search.history(self.context)
        return self.index()

    def total(self):
        return len(self.entries)

    def batch(self):
        start, size = self.batch_bounds()
        return [self.row(entry) for entry in self.entries[start : start + size]]

    def batch_links(self):
        start, size = self.batch_bounds()
        base = f"{self.context.absolute_url()}/@@historial"
        total = self.total()
        return {
            "previous": (
                f"{base}?b_start={max(0, start - size)}&b_size={size}"
                if start > 0
                else None
            ),
            "next": (
                f"{base}?b_start={start + size}&b_size={size}"
                if start + size < total
                else None
            ),
            "first": min(start + 1, total),
            "last": min(start + size, total),
        }
