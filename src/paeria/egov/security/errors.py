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
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.content.documento import IDocumento
from paeria.egov.states import IMMUTABLE_DOCUMENT_STATES
from pathlib import Path
from plone import api
from plone.rest.errors import ErrorHandling
from Products.CMFPlone.browser import exceptions as plone_exceptions
from Products.CMFPlone.browser.exceptions import ExceptionView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import parse_qsl
from zExceptions import BadRequest
from zExceptions import Unauthorized
from zope.i18n import translate
from zope.i18nmessageid import MessageFactory
from ZPublisher.Converters import get_converter
from ZPublisher.HTTPResponse import status_codes
import contextlib
import functools
import json
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


WRITE_METHODS = frozenset(("PATCH", "PUT", "DELETE", "POST"))
ENTRY_UNCHANGEABLE = _(
    "error_forbidden_register_entry",
    default="Register entries cannot be changed or deleted: the register keeps "
    "them as they were filed (Ley 39/2015, art. 16).",
)
SIGNED_UNCHANGEABLE = _(
    "error_forbidden_signed_document",
    default="This document is signed (or incorporated, or annulled): it cannot "
    "be changed or deleted.",
)
NOT_PERMITTED = _(
    "error_forbidden",
    default="You are logged in, but you may not do this here.",
)


def published_object(request):
    """The content object a request was published on (a REST service's
    context, or the object itself), or None."""
    published = request.get("PUBLISHED")
    found = getattr(published, "context", None)
    if found is None:
        parents = request.get("PARENTS") or [None]
        found = parents[0]
    return found


def logged_in(request) -> bool:
    """Whether the request comes from someone logged in. An Unauthorized met
    while traversing comes before Zope validates the credentials, so the
    security manager still says anonymous: they are validated here, by the
    site's user folder and then Zope's own (the site's administrator)."""
    if not api.user.is_anonymous():
        return True
    for folder in user_folders(request):
        try:
            # PAS's own extraction and authentication (basic auth, the
            # login cookie, plone.restapi's JWT), without authorization.
            if folder._extractUserIds(request, folder._getOb("plugins")):
                return True
        except (AttributeError, KeyError, ValueError):
            continue
    return False


def user_folders(request):
    """The site's acl_users, then the Zope root's."""
    folders = []
    with contextlib.suppress(api.exc.CannotGetPortalError):
        folders.append(api.portal.get_tool("acl_users"))
    root = (request.get("PARENTS") or [None])[-1]
    if getattr(root, "acl_users", None) is not None:
        folders.append(root.acl_users)
    return folders


def forbidden_reason(request):
    """Why a logged-in user is refused, in words: what cannot be changed by
    anyone (a register entry, a signed document), or that they may not."""
    obj = published_object(request)
    if request.get("REQUEST_METHOD", "GET") in WRITE_METHODS and obj is not None:
        if IAsiento.providedBy(obj) or IRegisteredDocument.providedBy(obj):
            return ENTRY_UNCHANGEABLE
        if IDocumento.providedBy(obj) and (
            api.content.get_state(obj, default=None) in IMMUTABLE_DOCUMENT_STATES
        ):
            return SIGNED_UNCHANGEABLE
    return NOT_PERMITTED


class QuietErrorHandling(ErrorHandling):
    """plone.rest's JSON error, without ``traceback`` (nor, for a 5xx, the
    error's own message) unless :func:`tracebacks_shown`. An Unauthorized for
    someone who is logged in is a 403 saying why (a 401 says "log in", which
    would not help): only the anonymous get a 401."""

    def __call__(self):
        if not isinstance(self.context, Unauthorized) or not logged_in(self.request):
            return super().__call__()
        response = self.request.response
        body = {
            "type": "Forbidden",
            "message": translate(forbidden_reason(self.request), context=self.request),
        }
        response.setHeader("Content-Type", "application/json")
        response.setStatus(403, lock=1)
        response.setBody(json.dumps(body, indent=2, sort_keys=True), lock=1)
        response._has_challenged = True  # no login challenge (plone.rest's way)

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
