"""An expediente's chain cut short, reordered, replaced or lengthened behind
the journal's back, with its length and head set right so that its own links
all hold, is reported naming the chain: the global chain and the shards still
hold its entries at their recorded positions (issue 17, finding 4)."""

from paeria.egov.journal import crosscheck
from paeria.egov.journal import storage
from paeria.egov.journal import verification
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.uuid.interfaces import IUUID
import unittest
import uuid


def truncate(chain, count):
    """Remove the last ``count`` entries and set length and head back, as an
    attacker with write access to the database would."""
    for index in range(chain.length - count, chain.length):
        del chain.entries[index]
    chain.length -= count
    chain.head = chain.entries[chain.length - 1].hash


def forged_like(entry, **changes):
    """A well-formed entry of the same chain and position as ``entry``."""
    return storage.Entry(dict(entry.content, id=uuid.uuid4().hex, **changes))


class TruncationTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.fixture.documento(self.expediente)
        self.fixture.documento(self.expediente)
        self.chain_id = IUUID(self.expediente)
        self.chain = storage.group_chain(self.expediente, self.chain_id)
        self.root = storage.journal_root(self.portal)

    def only_broken(self, seal_first=True):
        result = verification.verify(self.portal, seal_first=seal_first)
        self.assertFalse(result.ok)
        (broken,) = result.broken
        self.assertEqual(broken.chain, self.chain_id)
        # What every consumer (REST, journal-verify, check-consistency) reads.
        self.assertEqual(
            set(broken.as_dict()),
            {"chain", "index", "mismatch", "expected", "found", "entry_id"},
        )
        return broken


class TestTruncationDetected(TruncationTestCase):
    def setUp(self):
        super().setUp()
        verification.seal(self.portal)
        self.length = self.chain.length
        self.last, self.before_last = (
            self.chain.entries[self.length - 1],
            self.chain.entries[self.length - 2],
        )

    def test_the_intact_chain_verifies(self):
        self.assertEqual(self.length, 4)  # created, tramitar, two documents
        self.assertTrue(verification.verify(self.portal).ok)
        self.assertEqual(
            [entry.content["chain_index"] for entry in self.chain],
            list(range(self.length)),
        )

    def test_last_entry_removed(self):
        truncate(self.chain, 1)
        self.assertEqual(storage.verify_group_chain(self.chain)[1], None)
        broken = self.only_broken()
        self.assertEqual(
            (broken.index, broken.mismatch, broken.entry_id),
            (self.length - 1, "absent", self.last.id),
        )
        self.assertEqual(broken.expected, self.last.content_hash)
        self.assertIsNone(broken.found)

    def test_last_two_entries_removed(self):
        truncate(self.chain, 2)
        broken = self.only_broken()
        self.assertEqual(
            (broken.index, broken.mismatch, broken.entry_id),
            (self.length - 2, "absent", self.before_last.id),
        )

    def test_last_two_entries_reordered(self):
        entries = self.chain.entries
        entries[self.length - 2], entries[self.length - 1] = self.last, self.before_last
        for index in (self.length - 2, self.length - 1):
            entries[index].index = index
        self.chain.relink_from(self.length - 2)
        broken = self.only_broken()
        # The position each was given is hashed into its content.
        self.assertEqual(
            (broken.index, broken.mismatch, broken.entry_id),
            (self.length - 2, "index", self.last.id),
        )

    def test_last_entry_replaced_by_a_well_hashed_forgery(self):
        forged = forged_like(self.last, user="someone-else")
        forged.index = self.length - 1
        self.chain.entries[self.length - 1] = forged
        self.chain.relink_from(self.length - 1)
        self.assertEqual(storage.verify_group_chain(self.chain)[1], None)
        broken = self.only_broken()
        self.assertEqual(
            (broken.index, broken.mismatch, broken.entry_id),
            (self.length - 1, "absent", self.last.id),
        )
        self.assertEqual(broken.found, forged.content_hash)

    def test_a_forged_entry_appended(self):
        forged = forged_like(self.last, chain_index=self.length)
        self.chain.append(forged)
        broken = self.only_broken()
        self.assertEqual(
            (broken.index, broken.mismatch, broken.found),
            (self.length, "extra", forged.content_hash),
        )

    def test_removed_from_the_index_too(self):
        truncate(self.chain, 1)
        for position in range(self.root.chain.length):
            if self.root.chain.links[position][0] is self.last:
                self.root.chain.by_uid[self.chain_id].remove(position)
        broken = self.only_broken()
        self.assertEqual((broken.index, broken.mismatch), (self.length - 1, "absent"))

    def test_an_expediente_removed_through_the_journal_verifies(self):
        api.content.delete(self.expediente)
        self.assertTrue(verification.verify(self.portal).ok)


class TestUnsealed(TruncationTestCase):
    def test_an_unsealed_last_entry_removed_is_reported_from_its_shard(self):
        length = self.chain.length
        last = self.chain.entries[length - 1]
        self.assertTrue(verification.verify(self.portal, seal_first=False).ok)
        truncate(self.chain, 1)
        broken = self.only_broken(seal_first=False)
        self.assertEqual(
            (broken.index, broken.mismatch, broken.entry_id),
            (length - 1, "absent", last.id),
        )


class TestEntriesWrittenBefore(TruncationTestCase):
    """A database whose entries have no chain_index (written before it
    existed) keeps verifying; their stored index stands in for it."""

    def setUp(self):
        super().setUp()
        for entry in self.chain:
            content = dict(entry.content)
            content.pop("chain_index", None)  # what main wrote before it existed
            entry.content = content
            entry.content_hash = storage.content_hash(content)
        self.chain.relink_from(0)
        verification.seal(self.portal)

    def test_they_verify(self):
        result = verification.verify(self.portal)
        self.assertTrue(result.ok, result.broken)
        self.assertNotIn("chain_index", self.chain.entries[0].content)

    def test_their_last_entry_removed(self):
        length = self.chain.length
        last = self.chain.entries[length - 1]
        truncate(self.chain, 1)
        broken = self.only_broken()
        self.assertEqual(
            (broken.index, broken.mismatch, broken.entry_id),
            (length - 1, "absent", last.id),
        )

    def test_their_position_is_their_stored_index(self):
        entry = self.chain.entries[1]
        self.assertEqual(crosscheck.recorded_position(entry), 1)
