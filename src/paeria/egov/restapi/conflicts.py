"""A request that keeps losing write conflicts answers 503, readably.

ZODB's concurrency is optimistic: when two transactions change the same object
(the register's number counter, a folder's listing) the second to commit gets
a ``ConflictError``, and Zope's publisher aborts it and runs the whole request
again, up to ``max-conflict-retries`` times (3 by default, so 4 attempts) with a
random, growing pause between attempts. Every attempt's writes are discarded by
the abort, so a retried registration takes its number afresh and nothing of a
failed attempt is kept.

When the last attempt also conflicts, the publisher looks up an exception view
for the error; without this module the client would get Plone's generic 500
(``{"error_type": "ConflictError"}`` or the "there seems to be an error" page).
:class:`BusyView` answers instead 503 Service Unavailable with ``Retry-After``
and a message saying that nothing was saved: JSON for the REST API, a page for
the Classic UI. It is registered for every ``TransientError`` (of which
``ConflictError`` is one): all of them mean "the same request may succeed if
sent again".

:func:`log_conflict` adds a warning to the event log when the publisher gives
up; Zope already logs each retried attempt at INFO ("… Request will be
retried."), so operators, and the system tests, can count both.
"""

from paeria.egov import _
from paeria.egov.restapi.errorviews import ReadableErrorView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from transaction.interfaces import TransientError
import logging


logger = logging.getLogger("paeria.egov.conflicts")

# Seconds a client should wait before sending the request again: by then the
# burst of concurrent writes that defeated four attempts has usually passed.
RETRY_AFTER_SECONDS = 5

HEADING = _("heading_conflict_busy", default="The portal is busy")
HELP = _(
    "help_conflict_busy",
    default="Go back and send it again; if it keeps happening, tell the "
    "portal's administrators.",
)


def attempts_made(request):
    """How many times the publisher ran this request (1 + its retries)."""
    return getattr(request, "retry_count", 0) + 1


def busy_message(request):
    return _(
        "error_conflict_busy",
        default="The portal was saving other changes at the same moment and "
        "could not save yours after ${attempts} attempts. Nothing was saved: "
        "please try again in a few seconds.",
        mapping={"attempts": attempts_made(request)},
    )


class BusyView(ReadableErrorView):
    """The exception view (``index.html``) of ``TransientError``."""

    status = 503
    error_type = "ServiceUnavailable"
    heading = HEADING
    help = HELP
    page = ViewPageTemplateFile("conflict.pt")

    def message(self):
        return busy_message(self.request)

    def headers(self, response):
        response.setHeader("Retry-After", str(RETRY_AFTER_SECONDS))
        super().headers(response)

    def error(self, message):
        return super().error(message) | {"retry_after": RETRY_AFTER_SECONDS}


def log_conflict(event):
    """``IPubBeforeAbort``: a warning when the publisher gives up on a request
    that conflicted on its last attempt. (Each retried attempt is already
    logged by Zope, at INFO, as "ConflictError at <path>: …. Request will be
    retried." by Zope.SiteErrorLog.)"""
    error = event.exc_info[1]
    if event.retry or not isinstance(error, TransientError):
        return
    request = event.request
    logger.warning(
        "%s at %s %s: %s. Gave up after %d attempts: answered 503.",
        error.__class__.__name__,
        request.get("REQUEST_METHOD", "?"),
        request.get("PATH_INFO", "?"),
        " ".join(str(error).split())[:300],
        attempts_made(request),
    )
