"""Exception views that answer readably: a status the publisher cannot
overwrite, JSON for the REST API, and a page in the site's layout for the
Classic UI (with a plain page if the layout itself cannot be rendered).

Subclasses say what happened (:meth:`ReadableErrorView.message`), with which
status, heading and help, and which headers and JSON members go with it."""

from html import escape
from paeria.egov.restapi.service import error_body
from plone.rest.interfaces import IAPIRequest
from Products.Five.browser import BrowserView
from zope.i18n import translate
import json
import logging


logger = logging.getLogger("paeria.egov.errors")


def wants_json(request):
    if IAPIRequest.providedBy(request):
        return True
    accept = request.getHeader("Accept", "") or ""
    return "application/json" in accept and "text/html" not in accept


class ReadableErrorView(BrowserView):
    status = 500
    error_type = "Error"
    heading = None  # translatable messages
    help = None
    page = None  # a ViewPageTemplateFile taking ``message``

    def message(self):
        """The translatable message saying what happened."""
        raise NotImplementedError

    def headers(self, response):
        response.setHeader("Cache-Control", "no-store")

    def error(self, message):
        """The members of the one error body (restapi/service.py)."""
        return error_body(self.request, self.error_type, message)["error"]

    def __call__(self):
        request = self.request
        response = request.response
        message = translate(self.message(), context=request)
        # Locked: the publisher, before calling this view, and
        # plone.transformchain, after it, set the status from the exception's
        # class, which would make it a 500 whatever this view says.
        response.setStatus(self.status, lock=True)
        self.headers(response)
        if wants_json(request):
            response.setHeader("Content-Type", "application/json")
            return json.dumps({"error": self.error(message)})
        response.setHeader("Content-Type", "text/html;charset=utf-8")
        # The site's layout, in the context the request was published in;
        # if that cannot be rendered, a plain page still says what happened.
        self.context = self.__parent__
        try:
            return self.page(message=message)
        except Exception:
            logger.exception("cannot render %s in the site's layout", self.error_type)
            return self.basic_page(message)

    def basic_page(self, message):
        heading = escape(translate(self.heading, context=self.request))
        help_text = escape(translate(self.help, context=self.request))
        return (
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{heading}</title></head><body>"
            f"<h1>{heading}</h1><p>{escape(message)}</p><p>{help_text}</p>"
            "</body></html>"
        )
