"""Every door to a document's bytes goes through the gate (issue 17, finding 1).

A signed document, notified to its interested party, has its blob file
altered on disk behind the portal's back. Every door the publisher opens on
the document, on its expediente and on the notification (tests/doors.py:
views and services from the component registry, publishable names of the
class and the instance, file-field and widget traversal) is requested as the
Auditor, who reads everything, and as a Manager. No answer may carry the
altered bytes, raw or base64: the gate re-checks the fingerprint and refuses
(500 IntegrityFailure, journalled), or the door is closed.

On an intact document, every answer that carries its bytes must have left a
journal entry on it (or, for an ENI export, on its expediente).
"""

from paeria.egov.journal import search
from paeria.egov.testing import DATE_INDEPENDENT_SWEEP
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests import doors
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone.app.uuid.utils import uuidToObject
import logging
import os
import stat
import transaction
import unittest


def stored_bytes(documento):
    with documento.file.open() as stream:
        return stream.read()


def alter(path):
    """Overwrite bytes in the middle of a committed blob file (read-only on
    disk), keeping its size; the altered bytes."""
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    with open(path, "r+b") as stream:
        original = stream.read()
        stream.seek(len(original) // 2)
        stream.write(b"XXXXXXXX")
    with open(path, "rb") as stream:
        return stream.read()


class TestEveryDoorGoesThroughTheGate(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING
    level = DATE_INDEPENDENT_SWEEP

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        fixture = WorkflowFixture(self.portal)
        self.notificacion = fixture.notificacion()
        self.altered = uuidToObject(self.notificacion.documento)
        self.expediente = self.altered.__parent__
        self.intact = fixture.documento(self.expediente, "firmado", title="Intacte")
        transaction.commit()
        self.intact_bytes = stored_bytes(self.intact)
        self.altered_bytes = alter(self.altered.file._blob.committed())
        # The integrity refusals log an ERROR each: expected by the dozen.
        integrity_logger = logging.getLogger("paeria.egov.integrity")
        self.addCleanup(setattr, integrity_logger, "disabled", False)
        integrity_logger.disabled = True

    def entries(self):
        self.refresh()
        return len(search.history(self.expediente))

    def sweep(self, user_id):
        """([(user, url, status)] of the answers that carry the altered bytes,
        [url] of those that carry the intact document's)."""
        session = self.session(user_id)
        leaks, served = [], []
        for obj in (self.altered, self.intact, self.expediente, self.notificacion):
            url = obj.absolute_url()
            for path, accept in doors.paths(self.portal, obj):
                status, body = doors.get(session, f"{url}/{path}", accept)
                if doors.carries(body, self.altered_bytes):
                    leaks.append((user_id, f"{url}/{path}", status))
                if doors.carries(body, self.intact_bytes):
                    served.append((f"{url}/{path}", accept))
        return leaks, served

    def unjournalled(self, user_id, served):
        """The doors in ``served`` that hand the bytes out again and leave no
        journal entry."""
        session = self.session(user_id)
        found = []
        for url, accept in served:
            before = self.entries()
            _status, body = doors.get(session, url, accept)
            if doors.carries(body, self.intact_bytes) and self.entries() == before:
                found.append(url)
        return found

    def test_no_door_serves_bytes_past_the_gate(self):
        self.maxDiff = None
        leaks, unjournalled = [], []
        for user_id in ("auditor", "manager"):
            altered, served = self.sweep(user_id)
            leaks += altered
            unjournalled += self.unjournalled(user_id, served)
            if user_id == "auditor":
                # The gated doors serve it: @@download, @@display-file, @eni…
                self.assertGreater(len(served), 3, served)
        self.assertEqual(leaks, [])
        self.assertEqual(unjournalled, [])
