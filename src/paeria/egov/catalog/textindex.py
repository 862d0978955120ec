"""Full-text indexes whose concurrent changes of different documents merge.

Plone's full-text indexes (``SearchableText``, ``Title``, ``Description``:
ZCTextIndex with Okapi BM25) keep, for every word, the documents holding it.
Stock ZCTextIndex keeps them in a plain dict inside the word table until a
word has 10 documents, and writes the word's entry back into the table on
every change, dict or tree. Two transactions that index different documents
sharing a word (two clerks editing two expedientes, on two Zope processes)
therefore change the same entry of the same bucket, which ZODB cannot merge:
one of them conflicts and the publisher runs its request again
(docs/scaling.md measured 22–33 such retries for 48 edits of 8 expedientes).

:class:`MergingOkapiIndex` keeps every word's documents in a tree of its own
from the word's first document and never writes an existing tree back: changes
to different documents of one word are changes to different keys of that
tree, which BTrees merge, and the word table changes only when a word appears
in, or disappears from, the whole catalog. Word ids are already drawn at
random per connection by the lexicon, so two processes adding different new
words do not collide either. What still conflicts, rarely: two transactions
adding the very same never-seen word at the same moment (the lexicon's entry),
a bucket split by both, and removing a tree's smallest document id while
another transaction changes that tree (BTrees cannot merge a change of a
bucket's first key).

The price is one persistent tree per word instead of a dict inside a bucket,
about 100 bytes per distinct word of the catalog.
"""

from BTrees.IIBTree import IIBTree
from Products.ZCTextIndex.OkapiIndex import OkapiIndex


# The catalog's ZCTextIndexes (profiles/default/catalog.xml).
TEXT_INDEXES = ("SearchableText", "Title", "Description")


class MergingOkapiIndex(OkapiIndex):
    """Okapi BM25 ranking, as stock, with each word's documents in a tree of
    its own (see the module's docstring)."""

    def _postings(self, wid):
        """The tree of the documents holding ``wid``, or None. A dict left by
        stock ZCTextIndex becomes a tree the first time it is touched."""
        postings = self._wordinfo.get(wid)
        if isinstance(postings, dict):
            postings = self._wordinfo[wid] = IIBTree(postings)
        return postings

    def _add_wordinfo(self, wid, f, docid):
        self._mass_add_wordinfo({wid: f}, docid)

    def _mass_add_wordinfo(self, wid2weight, docid):
        new_words = 0
        for wid, weight in wid2weight.items():
            postings = self._postings(wid)
            if postings is None:
                postings = self._wordinfo[wid] = IIBTree()
                new_words += 1
            # An unchanged weight leaves the tree untouched (IIBTree compares).
            postings[docid] = weight
        if new_words:
            self.length.change(new_words)

    def _del_wordinfo(self, wid, docid):
        postings = self._postings(wid)
        del postings[docid]
        if not postings:
            del self._wordinfo[wid]
            self.length.change(-1)


def use_merging_indexes(catalog):
    """Make the catalog's full-text indexes :class:`MergingOkapiIndex`, now
    and when they are cleared (a catalog rebuild makes a new index from the
    factory), and turn the dicts stock ZCTextIndex left into trees. Returns
    how many words' documents were converted. Idempotent."""
    converted = 0
    for name in TEXT_INDEXES:
        text_index = catalog._catalog.indexes.get(name)
        if text_index is None or text_index.meta_type != "ZCTextIndex":
            continue
        if text_index._index_factory is OkapiIndex:
            text_index._index_factory = MergingOkapiIndex
        index = text_index.index
        if type(index) is OkapiIndex:
            index.__class__ = MergingOkapiIndex
            index._p_changed = True
        if type(index) is not MergingOkapiIndex:
            continue  # another ranking (Cosine): left as it is
        wordinfo = index._wordinfo
        stale = [
            wid for wid, postings in wordinfo.items() if isinstance(postings, dict)
        ]
        for wid in stale:
            wordinfo[wid] = IIBTree(wordinfo[wid])
        converted += len(stale)
    return converted
