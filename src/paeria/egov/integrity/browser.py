"""A refused download: 500 with a message saying why, JSON for the REST API
and a page for the Classic UI. The exception view (``index.html``) of
:class:`paeria.egov.integrity.IntegrityFailure`, more specific than Plone's
and plone.rest's views for ``Exception``.

No internals in the answer: neither the path on disk nor the fingerprints;
those are in the log and the journal.
"""

from html import escape
from paeria.egov import _
from paeria.egov.integrity import logger
from paeria.egov.services.conflicts import wants_json
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
import json


STATUS = 500
ERROR_TYPE = "IntegrityFailure"
HEADING = _(
    "heading_integrity_failure", default="The document failed its integrity check"
)
HELP = _(
    "help_integrity_failure",
    default="Your request was correct. Please contact the council's offices if "
    "you need this document.",
)


def failure_message(documento):
    return _(
        "error_integrity_failure",
        default="The document “${title}” failed its integrity check: its file no "
        "longer matches the fingerprint recorded when it was stored, so it is not "
        "served. The incident has been recorded and the portal's administrators "
        "have been alerted.",
        mapping={"title": documento.Title()},
    )


class IntegrityFailureView(BrowserView):
    page = ViewPageTemplateFile("templates/integrity_failure.pt")

    def __call__(self):
        failure = self.context
        request = self.request
        response = request.response
        message = translate(failure_message(failure.documento), context=request)
        # Locked: the publisher, before calling this view, and
        # plone.transformchain, after it, set the status from the exception.
        response.setStatus(STATUS, lock=True)
        response.setHeader("Cache-Control", "no-store")
        if wants_json(request):
            response.setHeader("Content-Type", "application/json")
            return json.dumps({"error": {"type": ERROR_TYPE, "message": message}})
        response.setHeader("Content-Type", "text/html;charset=utf-8")
        # The site's layout, in the context the request was published in;
        # if that cannot be rendered, a plain page still says what happened.
        self.context = self.__parent__
        try:
            return self.page(message=message)
        except Exception:
            logger.exception("cannot render the integrity failure page in the layout")
            return self.basic_page(message)

    def basic_page(self, message):
        heading = escape(translate(HEADING, context=self.request))
        help_text = escape(translate(HELP, context=self.request))
        return (
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{heading}</title></head><body>"
            f"<h1>{heading}</h1><p>{escape(message)}</p><p>{help_text}</p>"
            "</body></html>"
        )
