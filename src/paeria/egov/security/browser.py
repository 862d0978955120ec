"""Refusals Zope would answer with a 500 answer 400 with their reason
(registered in configure.zcml): copy-and-paste refusals, bodies and form
fields that cannot be read.

OFS.CopySupport raises ``CopyError`` ("Not Supported", "Disallowed subobject
type", "No clipboard data found") when a Manager cuts, pastes or renames in
the ZMI what cannot be; Zope derives the status from the exception's class,
which it does not know: a 500 "there seems to be an error" page. Nothing was
changed (the publisher aborted the transaction): the user is told why; a
REST client in the one error body of the REST toolkit (restapi/service.py).
"""

from html import escape
from paeria.egov import _
from paeria.egov import uploads
from paeria.egov.restapi.service import error_body
from paeria.egov.restapi.service import REQUEST_TOO_LARGE
from paeria.egov.restapi.service import TOO_LARGE
from paeria.egov.security.errors import QuietErrorHandling
from plone.rest.interfaces import IAPIRequest
from Products.Five import BrowserView
from zope.i18n import translate
from zope.i18nmessageid import Message
import json


def refuse(request, message, fields=None, as_json=None):
    """Answer 400 with ``message`` (translated): the REST toolkit's error body
    to an API request (or ``as_json``), else a minimal page."""
    if as_json is None:
        as_json = IAPIRequest.providedBy(request)
    response = request.response
    response.setStatus(400, lock=True)
    if as_json:
        response.setHeader("Content-Type", "application/json")
        body = json.dumps(error_body(request, "BadRequest", message, fields))
    else:
        response.setHeader("Content-Type", "text/html; charset=utf-8")
        body = f"<!DOCTYPE html><html><body><p>{escape(message)}</p></body></html>"
    response.setBody(body, lock=True)


class CopyErrorView(BrowserView):
    def __call__(self):
        reason = str(self.context.args[0]) if self.context.args else ""
        message = translate(
            _(
                "error_copy_refused",
                default="This cannot be copied, moved or renamed here: ${reason}",
                mapping={"reason": reason},
            ),
            context=self.request,
        )
        refuse(self.request, message)
        return None


class UnreadableFormView(BrowserView):
    """A form field its declared type cannot read (errors.UnreadableForm),
    met before traversal: the request is not known as an API request yet, so
    the client's ``Accept`` chooses JSON."""

    def __call__(self):
        message = str(self.context.args[0]) if self.context.args else ""
        name = getattr(self.context, "field", None)
        accept = self.request.getHeader("Accept", "") or ""
        as_json = "json" in accept and "text/html" not in accept
        refuse(self.request, message, {name: message} if name else None, as_json)
        return None


class UnreadableBodyView(BrowserView):
    """A JSON body plone.restapi cannot read answers 400, not 500.

    plone.restapi's add service (POST to a folder) lets ``json_body``'s
    DeserializationError through (malformed JSON, invalid UTF-8, a body that
    is not an object), and Python's JSON decoder raises RecursionError on a
    body nested a few thousand levels deep, in every service that reads JSON.
    Registered for API requests only; a RecursionError that does not come from
    decoding JSON is a bug and keeps plone.rest's 500 (without its traceback:
    errors.py).
    """

    def __call__(self):
        error = self.context
        if isinstance(error, RecursionError) and "JSON" not in str(error):
            return QuietErrorHandling(error, self.request)()
        message = translate(
            _(
                "error_body_unreadable",
                default="The request body is not a JSON object that can be read.",
            ),
            context=self.request,
        )
        refuse(self.request, message, as_json=True)
        return None


class TooLargeView(BrowserView):
    """A body refused by its declared length before it is read, outside the
    portal's own services (security/subscribers.py): 413 in the one error
    body."""

    def __call__(self):
        limit_mb = uploads.files_body_limit(1) // (1024 * 1024)
        message = Message(REQUEST_TOO_LARGE, mapping={"limit": limit_mb})
        response = self.request.response
        response.setStatus(413, lock=True)
        response.setHeader("Content-Type", "application/json")
        response.setBody(
            json.dumps(error_body(self.request, TOO_LARGE, message)), lock=True
        )
        return None
