"""``GET <portal>/registro/@libro-registro``: the register book over REST.

The filters of book_filters.py as query-string parameters; the answer is one batch
(``b_start``, ``b_size``; 50 rows by default)::

    {"@id": "…/registro/@libro-registro?serie=E",
     "items": [{"numero": "E/2026/000001", "fecha_presentacion": "…", …}],
     "items_total": 120,
     "batching": {"@id", "first", "last", "next", "prev"} or null}

With ``format=csv`` (or ``format=ods``) it answers the whole filtered book as
a spreadsheet download instead. A bad parameter answers 400
``{"error": {"type": "BadRequest", "message", "fields": {name: message}}}``
(the one error shape, docs/rest.md).
"""

from paeria.egov import _
from paeria.egov.registro.book import export
from paeria.egov.registro.book import EXPORT_FORMATS
from paeria.egov.registro.book import json_row
from paeria.egov.registro.book import PAGE_SIZE
from paeria.egov.registro.book import RowMaker
from paeria.egov.registro.book import search
from paeria.egov.registro.book import send_file
from paeria.egov.registro.book_filters import BookFilterError
from paeria.egov.registro.book_filters import parse_filters
from paeria.egov.restapi.service import Refused
from paeria.egov.restapi.service import Service
from plone.restapi.batching import HypermediaBatch
from plone.restapi.deserializer import parse_int
from zExceptions import BadRequest


MAX_BATCH_SIZE = 1000


def batch_arguments(form):
    """(b_start, b_size) from the form, or BookFilterError naming them."""
    values, errors = {}, {}
    for key, default in (("b_start", 0), ("b_size", PAGE_SIZE)):
        try:
            values[key] = parse_int(form, key, default)
        except BadRequest:
            values[key] = -1
        if values[key] < 0 or (key == "b_size" and values[key] > MAX_BATCH_SIZE):
            errors[key] = _(
                "error_book_batch",
                default="Must be a whole number from 0 to ${max}.",
                mapping={"max": MAX_BATCH_SIZE},
            )
    if errors:
        raise BookFilterError(errors)
    return values["b_start"], values["b_size"] or PAGE_SIZE


class LibroRegistroGet(Service):
    """Needs ``paeria.egov: View register book`` (configure.zcml)."""

    filters = None
    b_start = 0
    b_size = PAGE_SIZE

    def refuse_filters(self, errors):
        """Answers a spreadsheet on success: the refusal is rendered here."""
        return self.render_refusal(
            Refused(400, "BadRequest", BookFilterError(errors).message, errors)
        )

    def render(self):
        self.check_permission()
        form = self.request.form
        try:
            self.filters = parse_filters(form)
            self.b_start, self.b_size = batch_arguments(form)
        except BookFilterError as error:
            return self.refuse_filters(error.errors)
        file_format = form.get("format")
        if file_format:
            if file_format not in EXPORT_FORMATS:
                return self.refuse_filters(
                    {
                        "format": _(
                            "error_book_format",
                            default="Unknown export format: use csv or ods.",
                        )
                    }
                )
            body, content_type, filename = export(
                self.request, self.context, self.filters, file_format
            )
            return send_file(self.request, body, content_type, filename)
        return super().render()

    def reply(self):
        # HypermediaBatch reads the batch size from the form: the book's own
        # default, not plone.restapi's.
        self.request.form["b_size"] = str(self.b_size)
        results = search(self.context, self.filters, self.b_start, self.b_size)
        batch = HypermediaBatch(self.request, results)
        make_row = RowMaker(self.request)
        return {
            "@id": batch.canonical_url,
            "items": [json_row(make_row(brain)) for brain in batch],
            "items_total": batch.items_total,
            "batching": batch.links,
        }
