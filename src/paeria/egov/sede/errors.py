"""Refusals of a filing at the citizen office, each with the fields at fault.

Apart from filing.py so that idempotency.py, which filing.py uses, can raise
them too; the browser views and the REST services turn them into a page or a
400/403/409 answer.
"""

from paeria.egov import _


#: The documents of an application were not given as {slot id: file}; the
#: same refusal whether they came in a form, as JSON or to filing.py directly.
DOCUMENTS_NOT_AN_OBJECT = _(
    "error_filing_documents_object",
    default="The documents must be an object: the id of each required "
    "document and its file.",
)


class FilingError(ValueError):
    """A filing refused before anything was stored: ``errors`` maps each field
    (``documentos.<slot>``, ``files[i]``, ``solicita``...) to a message."""

    status = 400
    error_type = "BadRequest"

    def __init__(self, errors, message=None):
        self.errors = dict(errors)
        self.message = message or _(
            "error_filing_refused",
            default="The application was not filed; nothing was stored. "
            "Problems: ${fields}.",
            mapping={"fields": ", ".join(sorted(self.errors))},
        )
        super().__init__(self.message)


class FilingNotAllowed(FilingError):
    """The procedure or the account does not allow filing (403)."""

    status = 403
    error_type = "Forbidden"

    def __init__(self, message, field=None):
        super().__init__({field: message} if field else {}, message=message)


class IdempotencyKeyReused(FilingError):
    status = 409
    error_type = "Conflict"

    def __init__(self):
        message = _(
            "error_idempotency_key_reused",
            default="This Idempotency-Key was already used for another "
            "application: send a new key for a new application.",
        )
        super().__init__({"idempotency_key": message}, message=message)
