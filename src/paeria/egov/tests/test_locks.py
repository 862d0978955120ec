"""A read never locks a document, and a lock never breaks a read (issue 17,
finding 2).

The finding: ``GET <documento>/@@edit/++widget++form.widgets.file/@@download``
as the Auditor answered the file and left a lock taken in nobody's name (the
widget is traversed, and the edit form begun, before the publisher
authenticates); for its ten minutes every REST GET of the document answered
500 MissingParameterError.
"""

from AccessControl.SpecialUsers import nobody
from OFS.LockItem import LockItem
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone.locking.interfaces import ILockable
from plone.locking.interfaces import STEALABLE_LOCK
import transaction
import unittest


class TestLocks(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        fixture = WorkflowFixture(self.portal)
        self.documento = fixture.documento(title="Esborrany")
        transaction.commit()
        with self.documento.file.open() as stream:
            self.data = stream.read()
        self.url = self.documento.absolute_url()

    def locked(self):
        self.refresh()
        return ILockable(self.documento).locked()

    def assert_readable(self):
        response = self.session("tramitador").get(self.url)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["lock"]

    def test_the_edit_forms_widget_serves_nothing_and_locks_nothing(self):
        for user_id in ("auditor", "tramitador", "anonimo"):
            with self.subTest(user=user_id):
                session = self.session(user_id)
                session.headers["Accept"] = "text/html"
                response = session.get(
                    f"{self.url}/@@edit/++widget++form.widgets.file/@@download",
                    allow_redirects=False,
                )
                # Anonymous is sent to log in first (302): the door is
                # closed after authentication.
                self.assertIn(response.status_code, (302, 404))
                self.assertNotIn(self.data, response.content)
                self.assertFalse(self.locked())
                self.assertEqual(self.assert_readable()["locked"], False)

    def test_opening_the_edit_form_locks_nothing(self):
        session = self.session("tramitador")
        session.headers["Accept"] = "text/html"
        response = session.get(f"{self.url}/@@edit")
        self.assertEqual(response.status_code, 200)
        self.assertIn("form.widgets.file", response.text)
        self.assertFalse(self.locked())

    def test_a_lock_is_taken_by_a_request_that_may_write(self):
        response = self.session("tramitador").post(f"{self.url}/@lock")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.locked())
        lock = self.assert_readable()
        self.assertEqual(lock["creator"], "tramitador")

    def test_a_lock_without_creator_does_not_break_reads(self):
        # As the widget's traversal left it before the fix.
        lock = LockItem(nobody, timeout=600)
        self.documento.wl_setLock(lock.getLockToken(), lock)
        ILockable(self.documento)._locks()[STEALABLE_LOCK.__name__] = {
            "type": STEALABLE_LOCK,
            "token": lock.getLockToken(),
        }
        transaction.commit()
        self.assertTrue(self.documento.wl_isLocked())
        # Nobody holds it: it is not reported, nor does it stop the staff.
        info = self.assert_readable()
        self.assertEqual(info["locked"], False)
        self.assertNotIn("creator", info)
