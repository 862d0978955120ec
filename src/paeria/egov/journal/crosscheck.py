"""Cross-checking each group chain against the global chain and the shards.

A group chain's links prove only the entries it still holds: whoever removes
its last entries and sets its ``length`` and ``head`` back leaves a chain whose
every link holds. But every entry is also in the global chain (once sealed) or
in its shard (until then), so the journal knows which entries each chain must
hold and where: the position an entry was given in its group chain is in its
hashed content (``chain_index``), which the global chain's links bind. An
entry written before ``chain_index`` existed has none; its stored ``index``
(not hashed) stands in for it.

:class:`Journalled` gathers, in one pass over the global chain and the
shards, how many sealed entries name each chain and the unsealed ones;
:func:`cross_check` then finds each chain's sealed entries through the global
chain's ``by_uid`` index (trusted only when it yields exactly the counted
number; otherwise one more pass over the global chain finds them all), so a
verification stays linear in the number of entries. See docs/journal.md,
"What verification detects".
"""

from collections import Counter
from paeria.egov.journal import storage


ABSENT = "absent"  # an entry journalled for the chain is not at its position
EXTRA = "extra"  # the chain holds an entry nothing else journalled


def chain_of(entry):
    content = entry.content if isinstance(entry.content, dict) else {}
    return content.get("chain")


def recorded_position(entry):
    """Where ``entry`` was appended to its group chain: its hashed
    ``chain_index``, else (written before it existed) its stored index."""
    content = entry.content if isinstance(entry.content, dict) else {}
    return content.get("chain_index", entry.index)


class Journalled:
    """What the global chain and the shards say each group chain holds."""

    def __init__(self, root):
        self.root = root
        self.sealed_counts = Counter()
        self.unsealed = {}
        self._sealed_by_chain = None
        if root is None:
            return
        for _position, _prev, _hash, entry in root.chain.links_in_order():
            self.sealed_counts[chain_of(entry)] += 1
        for _key, _position, entry in storage.unsealed(root):
            self.unsealed.setdefault(chain_of(entry), []).append(entry)

    def chain_ids(self):
        """The ids of every chain an entry names."""
        return (set(self.sealed_counts) | set(self.unsealed)) - {None}

    def entries_of(self, chain_id):
        """The entries, sealed or not, that name ``chain_id``."""
        sealed = self._sealed_through_index(chain_id)
        if len(sealed) != self.sealed_counts[chain_id]:
            # The index is not hashed: one that lost (or never had) a
            # position must not hide an entry, so count on one full pass.
            sealed = self._sealed_by_pass().get(chain_id, [])
        return sealed + self.unsealed.get(chain_id, [])

    def _sealed_through_index(self, chain_id):
        if self.root is None:
            return []
        links = self.root.chain.links
        found = []
        for position in self.root.chain.by_uid.get(chain_id, ()):
            link = links.get(position)
            # by_uid also lists the object's own entries and may have been
            # edited: only the links that name this chain count.
            if link is not None and chain_of(link[0]) == chain_id:
                found.append(link[0])
        return found

    def _sealed_by_pass(self):
        if self._sealed_by_chain is None:
            self._sealed_by_chain = {}
            for *_link, entry in self.root.chain.links_in_order():
                self._sealed_by_chain.setdefault(chain_of(entry), []).append(entry)
        return self._sealed_by_chain


def cross_check(chain, journalled):
    """The first position where ``chain`` (whose own links hold) disagrees
    with ``journalled`` (the entries naming it), as a :class:`storage.Broken`;
    None when it holds each of them at its recorded position and nothing
    else."""
    held = chain.entries
    accounted = set()
    first = None
    for entry in journalled:
        position = recorded_position(entry)
        accounted.add(position)
        found = held.get(position) if isinstance(position, int) else None
        if found is not None and found.content_hash == entry.content_hash:
            continue
        index = position if isinstance(position, int) else chain.length
        if first is None or index < first.index:
            first = storage.Broken(
                chain.chain_id,
                index,
                ABSENT,
                entry.content_hash,
                found.content_hash if found is not None else None,
                entry.id,
            )
    if first is None and len(accounted) < chain.length:
        first = _first_extra(chain, accounted)
    return first


def _first_extra(chain, accounted):
    """The first entry of ``chain`` that no journalled entry accounts for
    (appended or inserted behind the journal's back)."""
    for index in range(chain.length):
        if index not in accounted:
            entry = chain.entries.get(index)
            found = entry.content_hash if entry is not None else None
            entry_id = entry.id if entry is not None else None
            return storage.Broken(chain.chain_id, index, EXTRA, None, found, entry_id)
    return None
