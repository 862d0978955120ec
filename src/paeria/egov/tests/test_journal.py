"""The journal: every kind of event journalled with who, what and which
fields; the chains' hashes link and tampering is reported at the exact link;
concurrent edits of different expedientes never conflict on the journal; the
journal survives renames and moves; the Auditor reads, filters and exports it;
others are kept out."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from paeria.egov.content.expediente import IExpediente
from paeria.egov.events import EniExported
from paeria.egov.events import EniImported
from paeria.egov.events import FileDownloaded
from paeria.egov.events import LocalRolesSetByCode
from paeria.egov.interfaces import IJournalled
from paeria.egov.journal import actions
from paeria.egov.journal import recording
from paeria.egov.journal import search
from paeria.egov.journal import storage
from paeria.egov.journal import verification
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_eni_bridge import EniPortalFixture
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import TEST_USER_ID
from plone.app.workflow.events import LocalrolesModifiedEvent
from plone.uuid.interfaces import IUUID
from ZODB.POSException import ConflictError
from zope.component.hooks import getSite
from zope.component.hooks import setSite
from zope.event import notify
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import ObjectModifiedEvent
import csv
import io
import pathlib
import re
import transaction
import unittest


def chain_of(obj):
    return storage.group_chain(obj, IUUID(obj))


def entries_of(obj):
    return list(chain_of(obj))


def last(obj, action=None):
    entries = [
        entry
        for entry in entries_of(recording.group_of(obj))
        if action is None or entry.content["action"] == action
    ]
    return entries[-1]


class JournalIntegrationTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        self.fixture = WorkflowFixture(self.portal)


class TestEventsJournalled(JournalIntegrationTestCase):
    def test_creation_of_expediente_and_documento(self):
        # Frozen at 12:00:00.5 UTC on 2 Jun 2026 (14:00 in Madrid, CEST).
        base.travel(self, "2026-06-02T12:00:00.5Z", tick=False)
        with as_user("tramitador"):
            expediente = base.create_expediente(
                self.fixture.unidad, self.fixture.procedimiento, title="Obra"
            )
            documento = base.create_documento(expediente, title="Plànol")
        created = [
            entry.content
            for entry in entries_of(expediente)
            if entry.content["action"] == recording.CREATED
        ]
        self.assertEqual(
            [(c["portal_type"], c["title"]) for c in created],
            [("Expediente", "Obra"), ("Documento", "Plànol")],
        )
        for content, obj in zip(created, (expediente, documento), strict=True):
            self.assertEqual(content["user"], "tramitador")
            self.assertEqual(content["uid"], IUUID(obj))
            self.assertEqual(content["path"], "/".join(obj.getPhysicalPath()))
            # The documento's entry is in its expediente's chain.
            self.assertEqual(content["chain"], IUUID(expediente))
            # The instant in UTC, as it is chained and sorted; Madrid's for people.
            self.assertEqual(
                content["when"], datetime(2026, 6, 2, 12, 0, 0, 500000, tzinfo=UTC)
            )
            self.assertEqual(content["when"].utcoffset(), timedelta(0))
            self.assertEqual(content["when_madrid"], "2026-06-02T14:00:00.500000+02:00")
        self.assertIsNone(chain_of(documento))

    def test_modification_lists_the_changed_fields(self):
        expediente = self.fixture.expediente()
        expediente.title = "Obra major"
        expediente.description = "Ampliació"
        notify(
            ObjectModifiedEvent(
                expediente, Attributes(IExpediente, "title", "description")
            )
        )
        content = last(expediente).content
        self.assertEqual(content["action"], recording.MODIFIED)
        self.assertEqual(content["details"], {"fields": ["description", "title"]})
        self.assertEqual(content["title"], "Obra major")
        self.assertEqual(content["user"], TEST_USER_ID)

    def test_transition_with_its_comment(self):
        expediente = self.fixture.expediente()
        with as_user("tramitador"):
            api.content.transition(expediente, "tramitar", comment="Tot correcte")
        content = last(expediente).content
        self.assertEqual(content["action"], recording.TRANSITION)
        self.assertEqual(content["user"], "tramitador")
        self.assertEqual(
            content["details"],
            {
                "transition": "tramitar",
                "from_state": "iniciado",
                "to_state": "en_tramitacion",
                "comment": "Tot correcte",
            },
        )

    def test_local_roles_granted_and_withdrawn(self):
        expediente = self.fixture.expediente()
        # The fixture gave these roles by code, without telling the journal:
        # the helper journals them as granted since the journal last looked.
        entry = recording.record_local_roles(expediente, reason="fixture")
        self.assertEqual(
            entry.content["details"]["granted"],
            {"colaborador": ["Colaborador"], "interesado": ["Interesado"]},
        )
        # The sharing view and @sharing fire this event.
        expediente.manage_setLocalRoles("editor", ["Reader"])
        notify(LocalrolesModifiedEvent(expediente, self.request))
        content = last(expediente).content
        self.assertEqual(content["action"], recording.LOCAL_ROLES)
        self.assertEqual(content["details"]["granted"], {"editor": ["Reader"]})
        self.assertEqual(content["details"]["withdrawn"], {})
        # Code that sets roles without the event calls the helper.
        expediente.manage_delLocalRoles(["editor"])
        recording.record_local_roles(expediente, reason="test")
        content = last(expediente).content
        self.assertEqual(content["details"]["withdrawn"], {"editor": ["Reader"]})
        self.assertEqual(content["details"]["granted"], {})
        self.assertEqual(content["details"]["reason"], "test")
        # Nothing changed: nothing journalled.
        self.assertIsNone(recording.record_local_roles(expediente))

    def test_deletion(self):
        expediente = self.fixture.expediente()
        documento = self.fixture.documento(expediente)
        path = "/".join(documento.getPhysicalPath())
        api.content.delete(documento)
        content = last(expediente).content
        self.assertEqual(content["action"], recording.REMOVED)
        self.assertEqual(content["path"], path)
        # An expediente deleted whole: its chain goes with it, the global
        # journal keeps every entry and verification knows why it is gone.
        uid = IUUID(expediente)
        api.content.delete(expediente)
        results = search.search(self.portal, search.Filters(object=uid))
        actions = [entry.content["action"] for entry, _position in results]
        self.assertEqual(actions[0], recording.REMOVED)
        self.assertIn(recording.CREATED, actions)
        self.assertTrue(verification.verify(self.portal).ok)

    def test_objects_outside_expedientes_chain_on_their_own(self):
        procedimiento = self.fixture.procedimiento
        (first, second) = entries_of(procedimiento)[:2]
        self.assertEqual(first.content["action"], recording.CREATED)
        self.assertEqual(second.content["details"]["transition"], "publicar")
        self.assertEqual(first.content["chain"], IUUID(procedimiento))

    def test_a_copy_starts_its_own_chain(self):
        expediente = self.fixture.expediente()
        copy = api.content.copy(expediente, self.fixture.unidad)
        chain = chain_of(copy)
        self.assertEqual(chain.chain_id, IUUID(copy))
        self.assertEqual(
            {entry.content["uid"] for entry in chain} - {IUUID(copy)},
            {IUUID(child) for child in copy.objectValues()},
        )
        self.assertTrue(verification.verify(self.portal).ok)

    def test_other_types_are_not_journalled(self):
        unidad = base.create_unidad(self.portal, id="hisenda", dir3_code="LA0011111")
        self.assertIsNone(storage.group_chain(unidad, IUUID(unidad)))


JOURNAL_DOC = pathlib.Path(__file__).resolve().parents[4] / "docs" / "journal.md"


def documented_actions():
    """The action ids of docs/journal.md's table "What is journalled"."""
    text = JOURNAL_DOC.read_text(encoding="utf-8")
    section = text.split("## What is journalled", 1)[1].split("\n## ", 1)[0]
    ids = []
    for line in section.splitlines():
        if line.startswith("| `"):
            ids.extend(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return ids


class TestActionTable(unittest.TestCase):
    def test_every_action_is_documented_and_every_documented_one_exists(self):
        documented = documented_actions()
        self.assertEqual(len(documented), len(set(documented)), documented)
        self.assertEqual(set(documented) - set(actions.ACTIONS), set())
        self.assertEqual(set(actions.ACTIONS) - set(documented), set())

    def test_one_label_per_action(self):
        self.assertEqual(len(actions.TABLE), len(set(actions.ACTIONS)))
        self.assertEqual(set(actions.LABELS), set(actions.ACTIONS))
        labels = [str(action.label) for action in actions.TABLE]
        self.assertEqual(len(labels), len(set(labels)))
        self.assertEqual(recording.ACTIONS, actions.ACTIONS)


class TestToldByEvents(JournalIntegrationTestCase):
    """Journalled types are those whose class provides IJournalled; the
    features tell the journal what has no content event by notifying the
    events of paeria.egov.events."""

    def test_journalled_types_by_their_marker(self):
        expediente = self.fixture.expediente("en_tramitacion")
        documento = self.fixture.documento(expediente)
        solicitud = self.fixture.solicitud(expediente)
        journalled = (expediente, documento, solicitud, self.fixture.procedimiento)
        for obj in journalled:
            with self.subTest(obj.portal_type):
                self.assertTrue(IJournalled.providedBy(obj))
                self.assertTrue(recording.is_journalled(obj))
        for obj in (self.fixture.unidad, self.portal["registro"]):
            with self.subTest(obj.portal_type):
                self.assertFalse(recording.is_journalled(obj))

    def test_events_are_journalled_with_their_details(self):
        expediente = self.fixture.expediente("en_tramitacion")
        documento = self.fixture.documento(expediente)
        cases = (
            (
                EniExported(documento, "documento"),
                documento,
                actions.ENI_EXPORT,
                {"kind": "documento"},
            ),
            (
                EniImported(documento, "documento"),
                documento,
                actions.ENI_IMPORT,
                {"kind": "documento"},
            ),
            (
                FileDownloaded(documento, "file", via="csv"),
                documento,
                actions.DOWNLOAD,
                {"field": "file", "via": "csv"},
            ),
        )
        for event, obj, action, details in cases:
            with self.subTest(action):
                notify(event)
                content = last(obj).content
                self.assertEqual(content["action"], action)
                self.assertEqual(content["details"], details)
        recording.record_local_roles(expediente)  # the fixture's grants
        expediente.manage_setLocalRoles("tramitador_otra", ["Reader"])
        notify(LocalRolesSetByCode(expediente, reason="solicitud_informe"))
        content = last(expediente, recording.LOCAL_ROLES).content
        self.assertEqual(content["details"]["reason"], "solicitud_informe")
        self.assertEqual(content["details"]["granted"], {"tramitador_otra": ["Reader"]})

    def test_an_object_not_journalled_is_not(self):
        unidad = self.fixture.unidad
        notify(EniExported(unidad, "documento"))
        self.assertIsNone(chain_of(unidad))


class TestChains(JournalIntegrationTestCase):
    def test_group_chain_links(self):
        expediente = self.fixture.expediente("en_tramitacion")
        self.fixture.documento(expediente)
        entries = entries_of(expediente)
        self.assertEqual(len(entries), 3)  # created, tramitar, created
        previous = storage.GENESIS
        for index, entry in enumerate(entries):
            self.assertEqual(entry.index, index)
            self.assertEqual(entry.prev_hash, previous)
            self.assertEqual(
                entry.content_hash,
                storage.sha256(storage.canonical_json(entry.content)),
            )
            self.assertEqual(
                entry.hash,
                storage.link_hash(
                    IUUID(expediente), index, previous, entry.content_hash
                ),
            )
            previous = entry.hash
        self.assertEqual(chain_of(expediente).head, previous)

    def test_seal_links_the_global_chain_in_time_order(self):
        expediente = self.fixture.expediente()
        root = storage.journal_root(self.portal)
        pending = list(storage.unsealed(root))
        self.assertTrue(pending)
        sealed = verification.seal(self.portal)
        self.assertEqual(sealed, len(pending))
        self.assertEqual(list(storage.unsealed(root)), [])
        self.assertEqual(verification.seal(self.portal), 0)
        links = list(root.chain.links_in_order())
        order = [(entry.content["when"], entry.id) for *_rest, entry in links]
        self.assertEqual(order, sorted(order))
        previous = storage.GENESIS
        for position, prev_hash, entry_hash, entry in links:
            self.assertEqual(prev_hash, previous)
            self.assertEqual(
                entry_hash,
                storage.link_hash("global", position, previous, entry.content_hash),
            )
            previous = entry_hash
        # The same entry objects as in the expediente's chain.
        self.assertIn(
            entries_of(expediente)[0]._p_oid or id(entries_of(expediente)[0]),
            {entry._p_oid or id(entry) for *_rest, entry in links},
        )

    def test_verification_of_an_intact_journal(self):
        self.fixture.expediente("en_tramitacion")
        result = verification.verify(self.portal)
        self.assertTrue(result.ok, result.broken)
        self.assertGreater(result.sealed, 0)
        # Unit chains (none), procedure, expediente, global.
        root = storage.journal_root(self.portal)
        groups = (self.fixture.procedimiento, self.fixture.unidad.objectValues()[0])
        self.assertEqual(result.chains_checked, len(groups) + 1)
        self.assertEqual(
            result.entries_checked,
            sum(len(chain_of(group)) for group in groups) + root.chain.length,
        )


class TestTampering(JournalIntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.fixture.documento(self.expediente)
        verification.seal(self.portal)
        self.chain = chain_of(self.expediente)
        self.root = storage.journal_root(self.portal)

    def position_of(self, entry):
        for position, _prev, _hash, linked in self.root.chain.links_in_order():
            if linked is entry:
                return position
        raise AssertionError("entry not sealed")

    def test_altered_content_is_reported_at_its_link_in_both_chains(self):
        entry = self.chain.entries[2]
        # Behind the API's back: the stored user of one entry is changed.
        entry.content = dict(entry.content, user="someone-else")
        result = verification.verify(self.portal)
        self.assertFalse(result.ok)
        broken = sorted(
            (item.chain, item.index, item.mismatch, item.entry_id)
            for item in result.broken
        )
        self.assertEqual(
            broken,
            sorted(
                [
                    (IUUID(self.expediente), 2, "content", entry.id),
                    ("global", self.position_of(entry), "content", entry.id),
                ]
            ),
        )

    def test_altered_link_hash(self):
        entry = self.chain.entries[1]
        entry.hash = "f" * 64
        result = verification.verify(self.portal)
        (broken,) = result.broken
        self.assertEqual(
            (broken.chain, broken.index, broken.mismatch),
            (IUUID(self.expediente), 1, "hash"),
        )
        self.assertEqual(broken.found, "f" * 64)

    def test_removed_entry(self):
        del self.chain.entries[1]
        (broken,) = verification.verify(self.portal).broken
        self.assertEqual(
            (broken.chain, broken.index, broken.mismatch),
            (IUUID(self.expediente), 1, "index"),
        )

    def test_global_link_replaced(self):
        position = self.root.chain.length - 2
        entry, prev_hash, _hash = self.root.chain.links[position]
        self.root.chain.links[position] = (entry, prev_hash, "0" * 64)
        (broken,) = verification.verify(self.portal).broken
        self.assertEqual(
            (broken.chain, broken.index, broken.mismatch), ("global", position, "hash")
        )

    def test_chain_removed_with_the_annotation(self):
        from zope.annotation.interfaces import IAnnotations

        del IAnnotations(self.expediente)[storage.ANNOTATION_KEY]
        (broken,) = verification.verify(self.portal).broken
        self.assertEqual(
            (broken.chain, broken.mismatch), (IUUID(self.expediente), "missing")
        )


class TestSearch(JournalIntegrationTestCase):
    def test_filters_on_sealed_and_unsealed_entries(self):
        # 23:30 UTC on Wednesday 9 Dec 2026: already Thursday 10 in Madrid,
        # the day the journal's filters count in.
        base.travel(self, "2026-12-09T23:30:00Z")
        with as_user("tramitador"):
            expediente = base.create_expediente(
                self.fixture.unidad, self.fixture.procedimiento
            )
        verification.seal(self.portal)
        with as_user("tramitador"):
            api.content.transition(expediente, "tramitar")
        # One sealed creation, one unsealed transition, both tramitador's.
        results = search.search(self.portal, search.Filters(user="tramitador"))
        self.assertEqual(
            [
                (entry.content["action"], position is None)
                for entry, position in results
            ],
            [(recording.TRANSITION, True), (recording.CREATED, False)],
        )
        by_action = search.search(
            self.portal,
            search.Filters(user="tramitador", action=recording.CREATED),
        )
        self.assertEqual(len(by_action), 1)
        path = "/".join(expediente.getPhysicalPath())
        by_path = search.search(self.portal, search.Filters(object=path))
        self.assertEqual(len(by_path), 2)
        relative = path[len("/".join(self.portal.getPhysicalPath())) :]
        self.assertEqual(
            len(search.search(self.portal, search.Filters(object=relative))), 2
        )
        self.assertEqual(last(expediente).content["when_madrid"][:10], "2026-12-10")
        day = date(2026, 12, 10)
        self.assertEqual(
            len(
                search.search(
                    self.portal,
                    search.Filters(user="tramitador", start=day, end=day),
                )
            ),
            2,
        )
        self.assertEqual(
            len(
                search.search(
                    self.portal,
                    search.Filters(user="tramitador", start=day + timedelta(days=1)),
                )
            ),
            0,
        )
        self.assertEqual(
            len(
                search.search(
                    self.portal,
                    search.Filters(user="tramitador", end=day - timedelta(days=1)),
                )
            ),
            0,
        )


class TestNoConflicts(unittest.TestCase):
    """Two transactions on two connections, as two Zope threads or processes
    would run them."""

    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)
        self.uno = self.fixture.expediente(title="Uno")
        self.dos = self.fixture.expediente(title="Dos")
        for expediente in (self.uno, self.dos):
            self.fixture.documento(expediente)
        transaction.commit()
        self.site = getSite()
        self.connections = []

    def tearDown(self):
        for manager, connection in self.connections:
            manager.abort()
            connection.close()
        setSite(self.site)

    def open(self):
        """A new connection with its own transaction manager: its portal."""
        from Testing.makerequest import makerequest

        manager = transaction.TransactionManager()
        connection = self.layer["zodbDB"].open(transaction_manager=manager)
        self.connections.append((manager, connection))
        app = makerequest(connection.root()["Application"])
        portal = app[self.portal.getId()]
        return manager, portal

    def edit(self, portal, expediente_id, title):
        """Change a field of the expediente and journal it as the modified
        subscriber does, then a download of its document: what an edit and a
        download write, catalog aside (the catalog's own conflicts are
        Plone's, not the journal's: in this tiny site all its metadata share
        one bucket)."""
        setSite(portal)
        expediente = portal["unidades"][self.fixture.unidad.getId()][expediente_id]
        expediente.title = title
        recording.record(expediente, recording.MODIFIED, fields=["title"])
        (documento,) = expediente.objectValues()
        recording.record(documento, recording.DOWNLOAD, field="file")
        return expediente

    def test_edits_of_different_expedientes_both_commit(self):
        manager_a, portal_a = self.open()
        manager_b, portal_b = self.open()
        self.edit(portal_a, self.uno.getId(), "Uno editat")
        self.edit(portal_b, self.dos.getId(), "Dos editat")
        manager_a.commit()
        manager_b.commit()  # no ConflictError
        transaction.begin()
        for expediente, title in ((self.uno, "Uno editat"), (self.dos, "Dos editat")):
            modified, download = entries_of(expediente)[-2:]
            self.assertEqual(modified.content["title"], title)
            self.assertEqual(modified.content["details"], {"fields": ["title"]})
            self.assertEqual(download.content["action"], recording.DOWNLOAD)
        setSite(self.portal)
        result = verification.verify(self.portal)
        self.assertTrue(result.ok, result.broken)
        transaction.commit()
        titles = {
            entry.content["title"]
            for *_rest, entry in storage.journal_root(
                self.portal
            ).chain.links_in_order()
        }
        self.assertTrue({"Uno editat", "Dos editat"} <= titles)

    def test_the_test_sees_conflicts_on_the_same_expediente(self):
        """Control: the same set-up on one expediente does conflict (on the
        expediente and its chain), so the test above can fail."""
        manager_a, portal_a = self.open()
        manager_b, portal_b = self.open()
        self.edit(portal_a, self.uno.getId(), "A")
        self.edit(portal_b, self.uno.getId(), "B")
        manager_a.commit()
        with self.assertRaises(ConflictError):
            manager_b.commit()

    def test_sealing_does_not_conflict_with_edits(self):
        manager_a, portal_a = self.open()
        manager_b, portal_b = self.open()
        setSite(portal_a)
        self.assertGreater(verification.seal(portal_a), 0)
        self.edit(portal_b, self.dos.getId(), "Dos editat")
        manager_a.commit()
        manager_b.commit()  # no ConflictError


class JournalHTTPTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion", title="Obra")
        self.documento = self.fixture.documento(self.expediente, title="Plànol")
        transaction.commit()

    def assertRefused(self, response):
        """401/403/404, or the Classic UI's redirect to the login page."""
        if response.status_code == 302:
            self.assertIn("require_login", response.headers["Location"])
        else:
            self.assertIn(response.status_code, (401, 403, 404), response.text)


class TestJournalledOverHTTP(JournalHTTPTestCase):
    def test_rename_and_move_keep_the_chain(self):
        expediente = self.fixture.expediente()
        documento = self.fixture.documento(expediente)
        # Renamed in a later transaction than its creation (within the same
        # one, plone.api's temporary id is amended into the "created" entry).
        transaction.commit()
        self.assertFalse(
            chain_of(expediente)
            .entries[0]
            .content["path"]
            .endswith("/" + IUUID(expediente))
        )
        uid = IUUID(expediente)
        old_id = expediente.getId()
        before = len(chain_of(expediente))
        api.content.rename(expediente, new_id="renamed")
        content = last(expediente).content
        self.assertEqual(content["action"], recording.RENAMED)
        self.assertTrue(content["details"]["old_path"].endswith("/urbanismo/" + old_id))
        self.assertTrue(content["details"]["new_path"].endswith("/urbanismo/renamed"))
        moved = api.content.move(expediente, self.fixture.otra_unidad)
        content = last(moved).content
        self.assertEqual(content["action"], recording.MOVED)
        self.assertTrue(content["path"].endswith("/cultura/renamed"))
        chain = chain_of(moved)
        self.assertEqual(chain.chain_id, uid)
        self.assertEqual(len(chain), before + 2)
        # The documents moved along write into the same chain.
        documento = moved[documento.getId()]
        notify(ObjectModifiedEvent(documento))
        self.assertEqual(last(moved).content["uid"], IUUID(documento))
        self.assertEqual(len(chain_of(moved)), before + 3)
        result = verification.verify(self.portal)
        self.assertTrue(result.ok, result.broken)

    def test_patch_journals_the_fields(self):
        response = self.session("tramitador").patch(
            self.expediente.absolute_url(), json={"title": "Obra nova"}
        )
        self.assertEqual(response.status_code, 204, response.text)
        self.refresh()
        content = last(self.expediente).content
        self.assertEqual(content["action"], recording.MODIFIED)
        self.assertEqual(content["details"], {"fields": ["title"]})
        self.assertEqual(content["user"], "tramitador")
        self.assertEqual(content["address"], "127.0.0.1")

    def test_workflow_transition_with_comment(self):
        response = self.session("tramitador").post(
            f"{self.documento.absolute_url()}/@workflow/enviar_firma",
            json={"comment": "Per signar"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()
        content = last(self.documento).content
        self.assertEqual(content["uid"], IUUID(self.documento))
        self.assertEqual(content["details"]["transition"], "enviar_firma")
        self.assertEqual(content["details"]["comment"], "Per signar")

    def test_sharing_journals_roles_granted(self):
        recording.record_local_roles(self.expediente)  # the fixture's grants
        transaction.commit()
        response = self.session("admin").post(
            f"{self.expediente.absolute_url()}/@sharing",
            json={
                "entries": [{"id": "editor", "type": "user", "roles": {"Reader": True}}]
            },
        )
        self.assertEqual(response.status_code, 204, response.text)
        self.refresh()
        content = last(self.expediente, recording.LOCAL_ROLES).content
        self.assertEqual(content["details"]["granted"], {"editor": ["Reader"]})
        self.assertEqual(content["user"], SITE_OWNER_NAME)

    def test_download_and_display_of_the_file(self):
        session = self.session("tramitador")
        for view, action in (
            ("@@download/file", recording.DOWNLOAD),
            ("@@display-file/file", recording.VIEW_CONTENT),
        ):
            with self.subTest(view=view):
                response = session.get(f"{self.documento.absolute_url()}/{view}")
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.content.startswith(b"%PDF"))
                self.refresh()
                content = last(self.documento).content
                self.assertEqual(content["action"], action)
                self.assertEqual(content["uid"], IUUID(self.documento))
                self.assertEqual(content["user"], "tramitador")
                self.assertEqual(content["details"], {"field": "file"})
        # A download refused is not journalled as one.
        before = len(chain_of(self.expediente))
        response = self.session("tramitador_otra").get(
            f"{self.documento.absolute_url()}/@@download/file"
        )
        self.assertIn(response.status_code, (401, 403, 404))
        self.refresh()
        self.assertEqual(len(chain_of(self.expediente)), before)


class TestEniJournalled(EniPortalFixture, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.build_portal_content(self.portal)
        transaction.commit()
        self.api = base.api_session(self.portal.absolute_url())

    def tearDown(self):
        self.api.close()

    def test_export_and_import(self):
        documento = self.documentos[1]
        response = self.api.get(f"{documento.absolute_url()}/@eni")
        self.assertEqual(response.status_code, 200)
        transaction.begin()
        content = last(documento).content
        self.assertEqual(content["action"], recording.ENI_EXPORT)
        self.assertEqual(content["details"], {"kind": "documento"})
        target = self.create_expediente(self.other_unidad)
        transaction.commit()
        imported = self.api.post(
            f"{target.absolute_url()}/@eni-import",
            data=response.content,
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(imported.status_code, 201, imported.text[:500])
        transaction.begin()
        (made,) = target.objectValues()
        actions = [
            (entry.content["action"], entry.content["uid"])
            for entry in entries_of(target)
        ]
        self.assertEqual(
            actions[-2:],
            [(recording.CREATED, IUUID(made)), (recording.ENI_IMPORT, IUUID(made))],
        )
        self.assertEqual(last(target).content["details"], {"kind": "documento"})
        response = self.api.get(
            f"{self.expediente.absolute_url()}/@eni", params={"format": "standard"}
        )
        self.assertEqual(response.status_code, 200)
        transaction.begin()
        self.assertEqual(last(self.expediente).content["details"], {"kind": "standard"})


class TestReading(JournalHTTPTestCase):
    def test_auditor_filters_the_global_journal(self):
        auditor = self.session("auditor")
        response = auditor.get("@journal", params={"object": IUUID(self.documento)})
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["items_total"], 1)
        (item,) = body["items"]
        self.assertEqual(item["action"], recording.CREATED)
        self.assertEqual(item["title"], "Plànol")
        self.assertIn("address", item)
        response = auditor.get(
            "@journal",
            params={"object": IUUID(self.expediente), "action": "transition"},
        )
        self.assertEqual(
            [item["details"]["transition"] for item in response.json()["items"]],
            ["tramitar"],
        )
        response = auditor.get("@journal", params={"user": "nobody"})
        self.assertEqual(response.json()["items_total"], 0)
        response = auditor.get("@journal", params={"b_size": 2})
        body = response.json()
        self.assertEqual(len(body["items"]), 2)
        self.assertGreater(body["items_total"], 2)
        whens = [item["when"] for item in body["items"]]
        self.assertEqual(whens, sorted(whens, reverse=True))

    def test_bad_parameters_answer_400_naming_the_field(self):
        auditor = self.session("auditor")
        for params, field in (
            ({"from": "31/12/2024"}, "from"),
            ({"to": "2024-13-01"}, "to"),
            ({"action": "dance"}, "action"),
            ({"b_size": "many"}, "b_size"),
        ):
            with self.subTest(params=params):
                response = auditor.get("@journal", params=params)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json()["error"]["message"])

    def test_csv_export_parses(self):
        self.documento.title = "=HYPERLINK(1)"
        notify(ObjectModifiedEvent(self.documento, Attributes(IExpediente, "title")))
        transaction.commit()
        response = self.session("auditor").get(
            f"{self.portal_url}/@@journal",
            params={"format": "csv", "object": IUUID(self.expediente)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/csv"))
        rows = list(csv.DictReader(io.StringIO(response.text)))
        self.assertEqual(
            [row["action"] for row in rows][-2:], ["transition", "created"]
        )
        self.assertEqual(rows[-1]["uid"], IUUID(self.expediente))
        self.assertEqual(rows[-1]["user"], TEST_USER_ID)
        self.assertEqual(rows[0]["title"], "'=HYPERLINK(1)")

    def test_journal_page(self):
        response = self.session("auditor").get(
            f"{self.portal_url}/@@journal",
            params={"action": "created"},
            headers={"Accept": "text/html"},
        )
        self.assertEqual(response.status_code, 200, response.text[-3000:])
        self.assertIn("Plànol", response.text)
        response = self.session("auditor").get(
            f"{self.portal_url}/@@journal",
            params={"from": "yesterday"},
            headers={"Accept": "text/html"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("YYYY-MM-DD", response.text)

    def test_non_auditors_are_refused_the_global_journal(self):
        for user_id in ("tramitador", "responsable", "ciudadano"):
            session = self.session(user_id)
            for url in ("@journal", "@journal-verify"):
                with self.subTest(user=user_id, url=url):
                    self.assertIn(session.get(url).status_code, (401, 403))
            response = session.get(
                f"{self.portal_url}/@@journal",
                headers={"Accept": "text/html"},
                allow_redirects=False,
            )
            self.assertRefused(response)

    def test_expediente_history(self):
        url = f"{self.expediente.absolute_url()}/@journal"
        response = self.session("tramitador").get(url)
        self.assertEqual(response.status_code, 200, response.text)
        items = response.json()["items"]
        self.assertEqual(
            [(item["action"], item["portal_type"]) for item in items][-2:],
            [("transition", "Expediente"), ("created", "Expediente")],
        )
        self.assertIn("Documento", {item["portal_type"] for item in items})
        # Addresses only for those who read the global journal.
        self.assertNotIn("address", items[0])
        self.assertIn("address", self.session("auditor").get(url).json()["items"][0])
        page = self.session("tramitador").get(
            f"{self.expediente.absolute_url()}/@@historial",
            headers={"Accept": "text/html"},
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("Plànol", page.text)

    def test_only_the_units_staff_and_auditors_read_the_history(self):
        # Another unit's staff see nothing; the citizen and an invited unit
        # read the expediente but not its internal history.
        for user_id in ("tramitador_otra", "interesado", "colaborador"):
            session = self.session(user_id)
            for url in ("@journal", "@@historial"):
                with self.subTest(user=user_id, url=url):
                    response = session.get(
                        f"{self.expediente.absolute_url()}/{url}",
                        headers={"Accept": "text/html"} if url.startswith("@@") else {},
                        allow_redirects=False,
                    )
                    self.assertRefused(response)

    def test_verify_endpoint_reports_the_tampered_link(self):
        auditor = self.session("auditor")
        response = auditor.get("@journal-verify")
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertTrue(body["ok"], body)
        self.assertGreater(body["entries_checked"], 0)
        self.refresh()
        entry = chain_of(self.expediente).entries[1]
        entry.content = dict(entry.content, action="removed")
        transaction.commit()
        body = auditor.get("@journal-verify").json()
        self.assertFalse(body["ok"])
        found = {
            (item["chain"], item["mismatch"], item["entry_id"])
            for item in body["broken"]
        }
        self.assertEqual(
            found,
            {
                (IUUID(self.expediente), "content", entry.id),
                ("global", "content", entry.id),
            },
        )
        (group,) = [b for b in body["broken"] if b["chain"] != "global"]
        self.assertEqual(group["index"], 1)
