"""A GET never changes anything (issue 17, finding 2).

One object of every portal type the site holds (the catalog's, and the site
itself), every door tests/doors.py enumerates on it, requested with GET by a
Manager, and by the other users (anonymous, the interested party, the
Auditor, the unit's Tramitador) wherever the Manager did not get a 404. The
same code at the same path is requested once, on the first object that has
it (a view registered for every content object is not rendered again for
each type: the sweep stays within CI's time).

What may change: the journal, whose design appends an entry for a download
or an export (journal/storage.py's objects, in the B-trees that hold them),
and what a door whose code is marked ``IRecordsWhatItHandsOut`` records (the
ENI exports: the index they issued). Each user is shown two pages before the
sweep: the first pages store Plone's portlet assignments (the member's
dashboard, the site's columns). Objects that are not written do not
change: a GET that wrote a swept object would also change its serial.
Nothing else: after each request, if the database has new transactions, each
object they wrote must be of those classes; and at the end, no swept
object's ZODB serial (its ``_p_serial``, the transaction that last wrote it)
has changed.
"""

from Acquisition import aq_base
from paeria.egov.interfaces import IRecordsWhatItHandsOut
from paeria.egov.journal import storage as journal_storage
from paeria.egov.testing import DATE_INDEPENDENT_SWEEP
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests import doors
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
import logging
import transaction
import unittest


USERS = ("manager", "anonimo", "interesado", "auditor", "tramitador")


def journal_write(obj):
    """Whether a written object is the journal's: one of its storage classes
    or a node of the B-trees that hold them."""
    cls = type(aq_base(obj))
    return cls.__module__ in (journal_storage.__name__,) or cls.__module__.startswith(
        "BTrees."
    )


class TestGetChangesNothing(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING
    level = DATE_INDEPENDENT_SWEEP

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        fixture = WorkflowFixture(self.portal)
        expediente = fixture.expediente("en_tramitacion")
        fixture.documento(expediente, "borrador")
        fixture.solicitud(expediente)
        fixture.notificacion(expediente)
        fixture.asiento()
        transaction.commit()
        self.db = self.portal._p_jar.db()
        logging.getLogger("paeria.egov.integrity").disabled = True
        self.addCleanup(
            setattr, logging.getLogger("paeria.egov.integrity"), "disabled", False
        )

    def objects(self):
        """One object of each portal type, and the site."""
        catalog = api.portal.get_tool("portal_catalog")
        first = {}
        for brain in catalog.unrestrictedSearchResults(
            path="/".join(self.portal.getPhysicalPath())
        ):
            first.setdefault(brain.portal_type, brain)
        return [self.portal] + [
            brain._unrestrictedGetObject() for brain in first.values()
        ]

    def written_since(self, tid):
        """The objects the transactions after ``tid`` wrote."""
        self.refresh()
        connection = self.portal._p_jar
        written = []
        for record_tx in self.db.storage.iterator(start=tid):
            if record_tx.tid == tid:
                continue
            written.extend(connection.get(record.oid) for record in record_tx)
        return written

    def request(self, session, url, accept, code):
        """(status, [the non-journal objects the GET wrote])."""
        before = self.db.lastTransaction()
        status, _body = doors.get(session, url, accept)
        if self.db.lastTransaction() == before:
            return status, []
        written = self.written_since(before)
        if isinstance(code, type) and IRecordsWhatItHandsOut.implementedBy(code):
            self.declared.update(obj._p_oid for obj in written)
            return status, []
        return status, [
            repr(type(aq_base(obj))) for obj in written if not journal_write(obj)
        ]

    def sweep(self, objects):
        sessions = {user_id: self.session(user_id) for user_id in USERS}
        for session in sessions.values():
            session.headers.pop("Accept", None)
            # The first pages shown store Plone's portlet assignments: the
            # member's default dashboard, the site's columns for a Manager
            # (plone.app.portlets), once: not a door's doing.
            for page in ("@@dashboard", "@@accessibility-info"):
                doors.get(session, f"{self.portal_url}/{page}", "text/html")
        seen, writes = set(), []
        for obj in objects:
            url = obj.absolute_url()
            for code, path, accept in doors.keyed_paths(self.portal, obj):
                key = (code, path)
                if key in seen:
                    continue
                seen.add(key)
                for user_id in USERS:
                    status, written = self.request(
                        sessions[user_id], f"{url}/{path}", accept, code
                    )
                    if written:
                        writes.append((user_id, f"{url}/{path}", status, written))
                    if user_id == "manager" and status == 404:
                        break  # not there for anybody
        return writes

    def changed(self, obj, serial):
        obj = aq_base(obj)
        return obj._p_serial != serial and obj._p_oid not in self.declared

    def test_no_get_writes_anything_but_the_journal(self):
        self.maxDiff = None
        objects = self.objects()
        self.assertGreaterEqual(len({obj.portal_type for obj in objects[1:]}), 8)
        serials = {obj.getPhysicalPath(): aq_base(obj)._p_serial for obj in objects}
        self.declared = set()  # what declared doors wrote
        writes = self.sweep(objects)
        self.refresh()
        changed = [
            "/".join(path)
            for path, serial in serials.items()
            if self.changed(self.portal.unrestrictedTraverse(path), serial)
        ]
        self.assertEqual(writes, [])
        self.assertEqual(changed, [])
