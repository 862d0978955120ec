"""Zope's copy-and-paste refusals answer 400, not 500 (registered in
configure.zcml).

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
        response = self.request.response
        response.setStatus(400, lock=True)
        if IAPIRequest.providedBy(self.request):
            response.setHeader("Content-Type", "application/json")
            body = json.dumps(error_body(self.request, "BadRequest", message))
        else:
            response.setHeader("Content-Type", "text/html; charset=utf-8")
            body = f"<!DOCTYPE html><html><body><p>{escape(message)}</p></body></html>"
        response.setBody(body, lock=True)
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
        response = self.request.response
        response.setStatus(400, lock=True)
        response.setHeader("Content-Type", "application/json")
        response.setBody(
            json.dumps(error_body(self.request, "BadRequest", message)), lock=True
        )
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
