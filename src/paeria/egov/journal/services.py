"""The journal over plone.restapi.

- ``GET <portal>/@journal?user=&object=&action=&from=&to=&b_start=&b_size=``
  (``paeria.egov: View journal``): the global journal, newest first;
- ``GET <expediente>/@journal``: the expediente's history (whoever may view
  it; addresses only for those who may read the global journal);
- ``GET <portal>/@journal-verify`` (``paeria.egov: View journal``): seals the
  pending entries, then walks every chain: ``{ok, chains_checked,
  entries_checked, sealed, broken: [{chain, index, mismatch, expected, found,
  entry_id}]}``.

A malformed parameter answers 400 ``{"error": {"type": "BadRequest", "message",
"fields": {parameter: message}}}`` (the one error shape, docs/rest.md).
"""

from paeria.egov import _
from paeria.egov.journal import recording
from paeria.egov.journal import search
from paeria.egov.journal import verification
from paeria.egov.journal.browser import can_read_journal
from paeria.egov.journal.browser import DEFAULT_BATCH
from paeria.egov.journal.browser import MAX_BATCH
from paeria.egov.restapi.service import Service
from plone import api


def _batch_bounds(request):
    """(start, size), or the name of the parameter that is not a number."""
    values = {}
    for name, default in (("b_start", 0), ("b_size", DEFAULT_BATCH)):
        try:
            values[name] = int(request.form.get(name, default))
        except (TypeError, ValueError):
            return name
    start = max(0, values["b_start"])
    return start, min(max(values["b_size"], 1), MAX_BATCH)


def _page(service, items, total, start, size, with_address):
    return {
        "@id": f"{service.context.absolute_url()}/{service.__name__}",
        "items_total": total,
        "b_start": start,
        "b_size": size,
        "items": [
            search.entry_data(entry, position, with_address=with_address)
            for entry, position in items
        ],
    }


class _JournalService(Service):
    def bad_request(self, parameter, message):
        return self.refuse(400, "BadRequest", message, {parameter: message})

    def bounds_or_error(self):
        bounds = _batch_bounds(self.request)
        if isinstance(bounds, str):
            return None, self.bad_request(
                bounds,
                _(
                    "error_journal_batch",
                    default="b_start and b_size must be whole numbers.",
                ),
            )
        return bounds, None


class JournalGet(_JournalService):
    def reply(self):
        form = self.request.form
        values = {}
        for name in ("user", "object", "action", "from", "to"):
            value = form.get(name)
            if value is not None and not isinstance(value, str):
                return self.bad_request(
                    name,
                    _(
                        "error_journal_parameter",
                        default="${field} must be given once, as text.",
                        mapping={"field": name},
                    ),
                )
            values[name] = (value or "").strip() or None
        try:
            start_day = search.parse_day(values["from"], "from")
            end_day = search.parse_day(values["to"], "to")
        except ValueError as error:
            return self.bad_request(
                str(error),
                _(
                    "error_journal_date",
                    default="${field}: write the date as YYYY-MM-DD.",
                    mapping={"field": str(error)},
                ),
            )
        if values["action"] and values["action"] not in recording.ACTIONS:
            return self.bad_request(
                "action",
                _(
                    "error_journal_action",
                    default="action: unknown action ${action}; use one of ${actions}.",
                    mapping={
                        "action": values["action"][:40],
                        "actions": ", ".join(recording.ACTIONS),
                    },
                ),
            )
        bounds, error = self.bounds_or_error()
        if error is not None:
            return error
        start, size = bounds
        filters = search.Filters(
            user=values["user"],
            object=values["object"],
            action=values["action"],
            start=start_day,
            end=end_day,
        )
        results = search.search(api.portal.get(), filters)
        return _page(
            self, results[start : start + size], len(results), start, size, True
        )


class HistoryGet(_JournalService):
    def reply(self):
        bounds, error = self.bounds_or_error()
        if error is not None:
            return error
        start, size = bounds
        entries = search.history(self.context)
        items = [(entry, None) for entry in entries[start : start + size]]
        return _page(
            self, items, len(entries), start, size, can_read_journal(self.context)
        )


class JournalVerifyGet(Service):
    def reply(self):
        return verification.verify(api.portal.get(), seal_first=True).as_dict()
