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
from paeria.egov import _
from pathlib import Path
from plone.rest.errors import ErrorHandling
from Products.CMFPlone.browser import exceptions as plone_exceptions
from Products.CMFPlone.browser.exceptions import ExceptionView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import parse_qsl
from zExceptions import BadRequest
from zope.i18n import translate
from zope.i18nmessageid import MessageFactory
from ZPublisher.Converters import get_converter
from ZPublisher.HTTPResponse import status_codes
import functools
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


def refuse_unreadable_form(event):
    """IPubStart: a form field whose value its declared type cannot read
    (``?when:date=garbage``, ``?size:int=x``) is the client's mistake, a 400
    naming the field; Zope's publisher lets the converter's error through as
    a 500. The publisher reads the form right after this event, through the
    request's ``processInputs``, which is wrapped for this request only."""
    request = event.request
    read_form = request.processInputs

    @functools.wraps(read_form)
    def read_form_or_refuse():
        try:
            return read_form()
        except BadRequest:
            raise
        except Exception:
            raise UnreadableForm(*unreadable_form_message(request)) from None

    request.processInputs = read_form_or_refuse


class UnreadableForm(BadRequest):
    """A form field its declared type cannot read: the translated message and
    the field's name (None when unknown); answered by
    browser.UnreadableFormView."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def unreadable_form_message(request):
    """(Why the form cannot be read, the field) naming the first field of the
    query string that its declared type refuses (a posted form's field is not
    named: its body was read already)."""
    name = unreadable_query_field(request.environ.get("QUERY_STRING", ""))
    if name is None:
        message = _(
            "error_form_unreadable",
            default="A form field's value does not match its declared type.",
        )
    else:
        message = _(
            "error_form_field_unreadable",
            default="The form field ${name} does not match its declared type.",
            mapping={"name": name},
        )
    return translate(message, context=request), name


def unreadable_query_field(query_string):
    """The name (without its ``:type`` suffixes) of the first field of
    ``query_string`` that a Zope converter refuses, or None."""
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        name, *suffixes = key.split(":")
        for suffix in suffixes:
            converter = get_converter(suffix, None)
            if converter is None:
                continue
            try:
                converter(value)
            except Exception:
                return name
    return None


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
