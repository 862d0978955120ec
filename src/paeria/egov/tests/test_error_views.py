"""Error views show no traceback, even to a Manager, unless the instance runs
with PAERIA_EGOV_SHOW_TRACEBACKS=1 (security/errors.py; docs/security.md,
"Errors leak nothing"). The views are found in the component registry: every
``index.html`` view registered for an exception class, for the REST API and
for the Classic UI."""

from Acquisition import aq_base
from paeria.egov.integrity.findings import IntegrityFailure
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.security import errors
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.rest.interfaces import IAPIRequest
from Testing.makerequest import makerequest
from unittest import mock
from zExceptions import NotFound
from zope.component import getGlobalSiteManager
from zope.component import queryMultiAdapter
from zope.interface import alsoProvides
from zope.interface.interface import InterfaceClass
from zope.publisher.browser import setDefaultSkin
import os
import re
import sys
import unittest


TRACEBACK = re.compile(r"Traceback|\"traceback\"|File \"|site-packages")


def loaded_exception_classes():
    """The exception classes of the modules loaded (Zope, Plone, the add-on)."""
    for module in list(sys.modules.values()):
        for value in list(vars(module).values()) if module else ():
            if isinstance(value, type) and issubclass(value, BaseException):
                yield value


def exception_classes():
    """The exception classes some ``index.html`` view is registered for: by
    class, or by an interface that a loaded exception class implements."""
    found = set()
    interfaces = set()
    for registration in getGlobalSiteManager().registeredAdapters():
        if registration.name != "index.html" or not registration.required:
            continue
        spec = registration.required[0]
        cls = getattr(spec, "inherit", None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.add(cls)
        elif isinstance(spec, InterfaceClass):
            interfaces.add(spec)
    for cls in loaded_exception_classes():
        if any(interface.implementedBy(cls) for interface in interfaces):
            found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def an_exception(cls):
    """An instance of ``cls``, or None if it cannot be built from a message."""
    for args in (("Boom in the test",), ()):
        try:
            return cls(*args)
        except Exception:  # the next arguments are tried
            continue
    return None


class TestErrorViews(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])

    def request(self, api):
        # A new request and response each time (a locked body stays locked).
        request = makerequest(aq_base(self.layer["app"])).REQUEST
        setDefaultSkin(request)
        alsoProvides(request, IPaeriaEgovLayer)
        if api:
            alsoProvides(request, IAPIRequest)
            request.environ["HTTP_ACCEPT"] = "application/json"
        else:
            request.environ["HTTP_ACCEPT"] = "text/html"
        request["PARENTS"] = [self.portal]
        return request

    def render(self, exception, api):
        """What the exception view answers, rendered while handling
        ``exception`` (as the publisher does), as the Manager."""
        request = self.request(api)
        view = queryMultiAdapter((exception, request), name="index.html")
        if view is None:
            return None
        view.__parent__ = self.portal
        try:
            raise exception
        except BaseException:
            result = view()
        body = request.response.body
        return "\n".join(
            text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            for text in (result or "", body or "")
        )

    def test_the_views_are_found(self):
        classes = exception_classes()
        self.assertIn(Exception, classes)
        self.assertIn(IntegrityFailure, classes)  # registered by interface
        self.assertGreater(len(classes), 3)

    def test_no_view_shows_a_traceback_to_a_manager(self):
        rendered = 0
        # Those built from more than a message: a document's integrity failure
        # (of the site itself, with no findings).
        built = {IntegrityFailure: lambda: IntegrityFailure(self.portal, [])}
        for cls in exception_classes():
            exception = built[cls]() if cls in built else an_exception(cls)
            if exception is None:
                continue
            for api in (True, False):
                with (
                    self.subTest(exception=cls.__name__, api=api),
                    mock.patch.dict(os.environ, {errors.SHOW_TRACEBACKS: ""}),
                ):
                    text = self.render(exception, api)
                    if text is None:
                        continue
                    rendered += 1
                    self.assertIsNone(TRACEBACK.search(text), text[:2000])
        self.assertGreater(rendered, 4)

    def test_an_unexpected_error_keeps_its_message_to_itself(self):
        with mock.patch.dict(os.environ, {errors.SHOW_TRACEBACKS: ""}):
            text = self.render(OSError("/srv/paeria/var/blobstorage/0x01"), True)
            self.assertNotIn("blobstorage", text)
            self.assertIn('"type": "OSError"', text)
            text = self.render(NotFound("gone"), True)
            self.assertIn("Resource not found", text)

    def test_the_setting_shows_tracebacks_to_managers(self):
        for api in (True, False):
            with (
                self.subTest(api=api),
                mock.patch.dict(os.environ, {errors.SHOW_TRACEBACKS: "1"}),
            ):
                text = self.render(ValueError("Boom in the test"), api)
                self.assertRegex(text, "test_error_views")

    def test_the_setting_is_explicit(self):
        for value in ("", "0", "yes", "true"):
            with mock.patch.dict(os.environ, {errors.SHOW_TRACEBACKS: value}):
                self.assertFalse(errors.tracebacks_shown(), value)
        with mock.patch.dict(os.environ, {errors.SHOW_TRACEBACKS: "1"}):
            self.assertTrue(errors.tracebacks_shown())
