"""Full-text indexes that merge concurrent changes of different documents
(paeria.egov.catalog.textindex)."""

from BTrees.IIBTree import IIBTree
from paeria.egov.catalog.textindex import MergingOkapiIndex
from paeria.egov.catalog.textindex import TEXT_INDEXES
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from Products.CMFCore.indexing import processQueue
from Products.ZCTextIndex.Lexicon import CaseNormalizer
from Products.ZCTextIndex.Lexicon import Lexicon
from Products.ZCTextIndex.Lexicon import Splitter
from Products.ZCTextIndex.OkapiIndex import OkapiIndex
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError
import shutil
import tempfile
import transaction
import unittest
import ZODB


# What two clerks write at the same moment in two expedientes: the words they
# share ("obres", "carrer", "revisió") have few documents, as most words of a
# young site; each adds a word of their own. (Two transactions adding the same
# never-seen word still conflict, on the lexicon: see textindex.py.)
BEFORE = {
    1: "Obres al carrer Major, revisió major0",
    2: "Obres al carrer Ferran, revisió ferran0",
    3: "Llicència d'obres al carrer Blondel",
}
CLERK_A = (1, "Obres al carrer Major, revisió major1")
CLERK_B = (2, "Obres al carrer Ferran, revisió ferran1")
NEW_A = (4, "Obres al carrer Cavallers")
NEW_B = (5, "Obres al carrer Magdalena")


class ConcurrentIndexing:
    """Two connections to one FileStorage, each with its own transactions,
    change the same full-text index: whatever both wrote is then searched."""

    index_class = None

    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.db = ZODB.DB(FileStorage(f"{self.folder}/Data.fs"))
        with self.db.transaction() as connection:
            lexicon = Lexicon(Splitter(), CaseNormalizer())
            index = connection.root()["index"] = self.index_class(lexicon)
            for docid, text in BEFORE.items():
                index.index_doc(docid, text)

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.folder)

    def concurrently(self, change_a, change_b):
        """Both changes made on snapshots taken before either commits; the
        first commit wins, the second must merge (or conflict)."""
        managers = [transaction.TransactionManager() for _ in range(2)]
        connections = [self.db.open(transaction_manager=tm) for tm in managers]
        try:
            changes = (change_a, change_b)
            for connection, change in zip(connections, changes, strict=True):
                change(connection.root()["index"])
            for manager in managers:
                manager.commit()
        finally:
            for manager, connection in zip(managers, connections, strict=True):
                manager.abort()
                connection.close()

    def found(self, word):
        with self.db.transaction() as connection:
            return sorted(connection.root()["index"].search(word).keys())


class TestMergingIndex(ConcurrentIndexing, unittest.TestCase):
    index_class = MergingOkapiIndex

    def test_edits_of_different_documents_merge(self):
        self.concurrently(
            lambda index: index.index_doc(*CLERK_A),
            lambda index: index.index_doc(*CLERK_B),
        )
        self.assertEqual(self.found("obres"), [1, 2, 3])
        self.assertEqual(self.found("major1"), [1])
        self.assertEqual(self.found("ferran1"), [2])

    def test_new_documents_merge(self):
        self.concurrently(
            lambda index: index.index_doc(*NEW_A),
            lambda index: index.index_doc(*NEW_B),
        )
        self.assertEqual(self.found("carrer"), [1, 2, 3, 4, 5])
        self.assertEqual(self.found("cavallers"), [4])
        self.assertEqual(self.found("magdalena"), [5])

    def test_removals_of_different_documents_merge(self):
        # Not the smallest document id of a tree: BTrees cannot merge the
        # removal of a bucket's first key with another change of the bucket.
        self.concurrently(
            lambda index: index.unindex_doc(2),
            lambda index: index.unindex_doc(3),
        )
        self.assertEqual(self.found("obres"), [1])
        self.assertEqual(self.found("ferran"), [])
        self.assertEqual(self.found("blondel"), [])

    def test_a_word_gone_from_every_document_leaves_the_word_table(self):
        with self.db.transaction() as connection:
            index = connection.root()["index"]
            words = index.length()
            index.unindex_doc(3)
            only_in_3 = ("llicència", "d", "blondel")
            self.assertEqual(index.length(), words - len(only_in_3))
            for word in only_in_3:
                self.assertFalse(index.search(word))


class TestStockIndexConflicts(ConcurrentIndexing, unittest.TestCase):
    """The control: stock Okapi conflicts in the same situation, so the tests
    above would fail without MergingOkapiIndex."""

    index_class = OkapiIndex

    def test_edits_of_different_documents_conflict(self):
        with self.assertRaises(ConflictError):
            self.concurrently(
                lambda index: index.index_doc(*CLERK_A),
                lambda index: index.index_doc(*CLERK_B),
            )


class TestPortalCatalog(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.catalog = api.portal.get_tool("portal_catalog")
        self.setup = api.portal.get_tool("portal_setup")

    def text_index(self, name):
        return self.catalog._catalog.getIndex(name)

    def test_the_catalogs_full_text_indexes_merge(self):
        for name in TEXT_INDEXES:
            with self.subTest(index=name):
                self.assertIs(type(self.text_index(name).index), MergingOkapiIndex)
                # What the ZMI and GenericSetup export show is unchanged.
                self.assertEqual(
                    self.text_index(name).getIndexType(), "Okapi BM25 Rank"
                )

    def test_clearing_the_catalog_keeps_them(self):
        unidad = base.create_unidad(self.portal, title="Unitat de Paisatge")
        self.catalog.manage_catalogRebuild()
        for name in TEXT_INDEXES:
            with self.subTest(index=name):
                self.assertIs(type(self.text_index(name).index), MergingOkapiIndex)
        found = self.catalog(SearchableText="Paisatge")
        self.assertEqual([brain.getObject() for brain in found], [unidad])

    def test_upgrade_from_1001_converts_stock_indexes(self):
        unidad = base.create_unidad(self.portal, title="Unitat de Cementiris")
        processQueue()
        index = self.text_index("SearchableText")
        # As 1001 left them: stock classes, and rare words' documents in dicts.
        for name in TEXT_INDEXES:
            self.text_index(name)._index_factory = OkapiIndex
            self.text_index(name).index.__class__ = OkapiIndex
        wid = index.getLexicon()._wids["cementiris"]
        index.index._wordinfo[wid] = dict(index.index._wordinfo[wid])
        self.setup.setLastVersionForProfile("paeria.egov:default", "1001")

        self.setup.upgradeProfile("paeria.egov:default")

        self.assertEqual(self.setup.listUpgrades("paeria.egov:default"), [])
        for name in TEXT_INDEXES:
            with self.subTest(index=name):
                self.assertIs(type(self.text_index(name).index), MergingOkapiIndex)
                self.assertIs(self.text_index(name)._index_factory, MergingOkapiIndex)
                postings = self.text_index(name).index._wordinfo.values()
                self.assertTrue(all(isinstance(p, IIBTree) for p in postings))
        found = self.catalog(SearchableText="Cementiris")
        self.assertEqual([brain.getObject() for brain in found], [unidad])
