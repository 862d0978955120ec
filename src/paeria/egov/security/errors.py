"""Errors show no internals, to anyone, whatever the thread served before.

Two things let a traceback (with the server's paths) reach an anonymous user:

- **The previous request's user.** Zope's publisher calls
  ``request.processInputs()`` (decoding ``:record``, ``:date``, ``:int``…
  form fields) *before* it clears the thread's security manager, so an error
  there — ``?effective.query:record:list:date=garbage`` — is rendered with the
  security manager of whatever request the worker thread served last; after a
  Manager's request, plone.rest and Plone's error page saw a Manager.
  :func:`forget_previous_user` clears it when the request starts.
- **Tracebacks by role.** plone.rest's JSON errors and Plone's error page show
  the traceback to users with *Manage portal*. Here nobody gets one unless the
  instance is started with ``PAERIA_EGOV_SHOW_TRACEBACKS=1`` (a debugging
  aid; `make start` never sets it): :class:`QuietErrorHandling` and
  :class:`QuietExceptionView` replace them (overrides.zcml). The traceback is
  in the event log either way.

An unexpected error (a 5xx) does not even give its message, which may name
files, modules or objects (``OSError: … '/srv/…/blobstorage/…'``): the JSON
says only Plone's "We're sorry, but there seems to be an error…" and the
error's type; a refusal (4xx) keeps its message.
"""

from AccessControl.SecurityManagement import noSecurityManager
from pathlib import Path
from plone.rest.errors import ErrorHandling
from Products.CMFPlone.browser import exceptions as plone_exceptions
from Products.CMFPlone.browser.exceptions import ExceptionView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
from zope.i18nmessageid import MessageFactory
from ZPublisher.HTTPResponse import status_codes
import os


#: The environment variable that shows tracebacks to Managers (``1``).
SHOW_TRACEBACKS = "PAERIA_EGOV_SHOW_TRACEBACKS"

PLONE_TEMPLATES = str(Path(plone_exceptions.__file__).parent / "templates")

#: Plone's own words for an unexpected error, translated in its domain.
UNEXPECTED = MessageFactory("plone")(
    "heading_site_error_sorry",
    default="We\u2019re sorry, but there seems to be an error\u2026",
)


def tracebacks_shown():
    """Whether errors may show a traceback to Managers: only when the instance
    runs with ``PAERIA_EGOV_SHOW_TRACEBACKS=1``."""
    return os.environ.get(SHOW_TRACEBACKS, "").strip() == "1"


def status_of(exception):
    """The status the publisher answers ``exception`` with (from its class's
    name, as ``HTTPResponse.setStatus`` does)."""
    return status_codes.get(type(exception).__name__.lower(), 500)


def forget_previous_user(event):
    """IPubStart: nothing of a request runs as the user of the request the
    thread served before (the publisher clears it only after reading the
    form)."""
    noSecurityManager()


class QuietErrorHandling(ErrorHandling):
    """plone.rest's JSON error, without ``traceback`` (nor, for a 5xx, the
    error's own message) unless :func:`tracebacks_shown`."""

    def render_exception(self, exception):
        result = super().render_exception(exception)
        if result is None or tracebacks_shown():
            return result
        result.pop("traceback", None)
        if status_of(exception) >= 500:
            result["message"] = translate(UNEXPECTED, context=self.request)
        return result


class QuietExceptionView(ExceptionView):
    """Plone's error page, showing the error's type and traceback to Managers
    only if :func:`tracebacks_shown`."""

    index = ViewPageTemplateFile("error_message.pt", _prefix=PLONE_TEMPLATES)

    def is_manager(self):
        return tracebacks_shown() and super().is_manager()
