"""Where journal entries live, how they are chained, sealed and verified.

See docs/journal.md for the design. In short:

- an :class:`Entry` is one persistent object whose ``content`` (a JSON-ready
  dict, datetimes aside) is hashed as canonical JSON; it is never changed after
  it is written;
- each entry is appended at once to the :class:`GroupChain` of its group (the
  enclosing Expediente, else the enclosing Asiento, else the object itself),
  kept in an annotation of the group, so that it moves and is renamed with it
  and only transactions on the same group ever touch the same chain;
- the same entry object is appended to the :class:`Shard` of the ZODB
  connection that wrote it (one connection runs one transaction at a time, so
  no two concurrent transactions share a shard);
- :func:`seal` links the shards' unsealed entries into the global chain in
  (UTC time, id) order; only sealers write the global chain, its cursors and
  its indexes, so a seal may conflict with another seal but never with an edit.
"""

from BTrees.LLBTree import LLTreeSet
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from persistent import Persistent
from zope.annotation.interfaces import IAnnotations
import hashlib
import json
import os
import socket
import uuid
import weakref


GENESIS = "0" * 64
GLOBAL_CHAIN_ID = "global"
ANNOTATION_KEY = "paeria.egov.journal"
SITE_ANNOTATION_KEY = "paeria.egov.journal"


# -- Canonical form and hashes ----------------------------------------------------


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"not JSON-ready: {value!r}")


def canonical_json(data):
    """Sorted keys, no insignificant white space, UTF-8: one text per content."""
    return json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_json_default,
    ).encode("utf-8")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def content_hash(content):
    return sha256(canonical_json(content))


def link_hash(chain_id, index, prev_hash, entry_content_hash):
    """The hash of position ``index`` of a chain: it binds the entry's content
    to its chain, its position and its predecessor, so that an entry cannot be
    removed, inserted, reordered or moved to another chain unnoticed."""
    return sha256(canonical_json([chain_id, index, prev_hash, entry_content_hash]))


def json_ready(value):
    """``value`` made of JSON types (datetimes stay: they are stored as such
    and hashed in ISO form)."""
    if value is None or isinstance(value, (bool, int, float, str, datetime, date)):
        return value
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(json_ready(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    return str(value)


# -- Persistent structures ---------------------------------------------------------


class Entry(Persistent):
    """One journal entry. ``content`` and ``content_hash`` never change;
    ``prev_hash``, ``hash`` and ``index`` are its links in its group's chain
    (its links in the global chain are kept by the global chain)."""

    prev_hash = None
    hash = None
    index = None

    def __init__(self, content):
        self.content = content
        self.content_hash = content_hash(content)

    def amend(self, **changes):
        """Only for an entry of the current transaction (never committed)."""
        self.content = dict(self.content, **changes)
        self.content_hash = content_hash(self.content)

    @property
    def id(self):
        return self.content["id"]

    @property
    def when(self):
        return self.content["when"]


class GroupChain(Persistent):
    """The chain of one expediente (with its documents and other children) or
    of one object outside any expediente: append-only, in an annotation of
    the group object."""

    def __init__(self, chain_id):
        self.chain_id = chain_id
        self.entries = LOBTree()
        self.length = 0
        self.head = GENESIS

    def append(self, entry):
        index = self.length
        entry.index = index
        entry.prev_hash = self.head
        entry.hash = link_hash(self.chain_id, index, self.head, entry.content_hash)
        self.entries[index] = entry
        self.length = index + 1
        self.head = entry.hash
        return entry

    def relink_from(self, index):
        """Recompute the links from ``index`` on, after the content of an
        entry written in the current transaction was amended (see
        :func:`paeria.egov.journal.recording.amend_created`): only entries of the same,
        uncommitted transaction follow it, since a chain is written by one
        transaction at a time."""
        previous = self.entries[index - 1].hash if index else GENESIS
        for position in range(index, self.length):
            entry = self.entries[position]
            entry.prev_hash = previous
            entry.hash = link_hash(
                self.chain_id, position, previous, entry.content_hash
            )
            previous = entry.hash
        self.head = previous

    def links(self):
        """(index, prev_hash, hash, entry) in order, as stored."""
        for index, entry in self.entries.items():
            yield index, entry.prev_hash, entry.hash, entry

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self):
        return self.length


class Shard(Persistent):
    """Entries written through one ZODB connection, waiting to be sealed into
    the global chain (they stay here afterwards: the sealer never writes a
    shard, it remembers how far it sealed each one)."""

    def __init__(self, key):
        self.key = key
        self.entries = LOBTree()
        self.length = 0

    def append(self, entry):
        self.entries[self.length] = entry
        self.length += 1


class GlobalChain(Persistent):
    """The global chain: written by :func:`seal` only. ``links`` maps the
    position to ``(entry, prev_hash, hash)``; ``cursors`` says how many
    entries of each shard were sealed; the indexes map a user, an action, a
    UID (of the object or of its group) and a day (Europe/Madrid) to the
    positions of their entries."""

    def __init__(self):
        self.links = LOBTree()
        self.length = 0
        self.head = GENESIS
        self.cursors = OOBTree()
        self.by_user = OOBTree()
        self.by_action = OOBTree()
        self.by_uid = OOBTree()
        self.by_day = OOBTree()
        self.last_sealed = None

    def _index(self, index, key, position):
        if key is None:
            return
        positions = index.get(key)
        if positions is None:
            positions = index[key] = LLTreeSet()
        positions.insert(position)

    def append(self, entry):
        position = self.length
        entry_hash = link_hash(GLOBAL_CHAIN_ID, position, self.head, entry.content_hash)
        self.links[position] = (entry, self.head, entry_hash)
        self.length = position + 1
        self.head = entry_hash
        content = entry.content
        self._index(self.by_user, content.get("user"), position)
        self._index(self.by_action, content.get("action"), position)
        self._index(self.by_uid, content.get("uid"), position)
        if content.get("chain") != content.get("uid"):
            self._index(self.by_uid, content.get("chain"), position)
        self._index(self.by_day, (content.get("when_madrid") or "")[:10], position)
        return position

    def links_in_order(self):
        for position, (entry, prev_hash, entry_hash) in self.links.items():
            yield position, prev_hash, entry_hash, entry


class JournalRoot(Persistent):
    """The site's journal: the shards (one per ZODB connection that ever
    wrote an entry) and the global chain."""

    def __init__(self):
        self.shards = OOBTree()
        self.chain = GlobalChain()


# -- Access ------------------------------------------------------------------------


def journal_root(site, create=False):
    annotations = IAnnotations(site)
    root = annotations.get(SITE_ANNOTATION_KEY)
    if root is None and create:
        root = annotations[SITE_ANNOTATION_KEY] = JournalRoot()
    return root


def group_chain(group, chain_id, create=False):
    """The chain kept on ``group``; a chain found there under another id (the
    group is a copy of another object, which carried its annotations along)
    is not this group's and is replaced by a new one."""
    annotations = IAnnotations(group)
    chain = annotations.get(ANNOTATION_KEY)
    if chain is not None and chain.chain_id != chain_id:
        chain = None
    if chain is None and create:
        chain = annotations[ANNOTATION_KEY] = GroupChain(chain_id)
    return chain


# Each connection object gets its own shard key for its whole life; connections
# are pooled and reused, so a process uses about as many shards as its pool holds.
_SHARD_KEYS = weakref.WeakKeyDictionary()


def shard_key(connection):
    key = _SHARD_KEYS.get(connection)
    if key is None:
        key = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:16]}"
        _SHARD_KEYS[connection] = key
    return key


def current_shard(root, connection):
    """The shard of ``connection`` (the site's: a root created in this
    transaction has no connection of its own yet)."""
    key = shard_key(connection)
    shard = root.shards.get(key)
    if shard is None:
        shard = root.shards[key] = Shard(key)
    return shard


def unsealed(root):
    """(shard key, position, entry) of every entry not yet in the global chain."""
    cursors = root.chain.cursors
    for key, shard in root.shards.items():
        start = cursors.get(key, 0)
        for position in range(start, shard.length):
            yield key, position, shard.entries[position]


def seal(root):
    """Link the unsealed entries into the global chain in (UTC time, id) order;
    return how many were sealed. An entry of a transaction that commits after
    a seal goes into the next one: the global chain's order is its sealing
    order, which follows time within each seal."""
    if root is None:
        return 0
    pending = sorted(
        unsealed(root), key=lambda item: (item[2].content["when"], item[2].id)
    )
    if not pending:
        return 0
    chain = root.chain
    cursors = {}
    for key, position, entry in pending:
        chain.append(entry)
        cursors[key] = max(cursors.get(key, 0), position + 1)
    for key, cursor in cursors.items():
        chain.cursors[key] = cursor
    chain.last_sealed = pending[-1][2].content["when"]
    return len(pending)


# -- Verification ------------------------------------------------------------------


@dataclass
class Broken:
    """The first broken link of a chain: ``index`` is the position where the
    chain stops being trustworthy, ``mismatch`` what was found there."""

    chain: str
    index: int
    mismatch: str
    expected: str = None
    found: str = None
    entry_id: str = None

    def as_dict(self):
        return asdict(self)


def verify_links(chain_id, links, length, head, group=False):
    """Walk ``links`` ((index, prev_hash, hash, entry) in order) recomputing
    every hash; return ``(entries_checked, Broken or None)``."""
    expected_prev = GENESIS
    checked = 0
    for expected_index, link in enumerate(links):
        checked += 1
        mismatch = _link_mismatch(chain_id, expected_index, link, expected_prev, group)
        if mismatch is not None:
            what, expected, found = mismatch
            entry = link[3]
            content = entry.content if isinstance(entry.content, dict) else {}
            broken = Broken(
                chain_id, expected_index, what, expected, found, content.get("id")
            )
            return checked, broken
        expected_prev = link[2]
    if checked != length:
        return checked, Broken(chain_id, checked, "length", str(length), str(checked))
    if head != expected_prev:
        return checked, Broken(chain_id, checked, "head", expected_prev, head)
    return checked, None


def _link_mismatch(chain_id, expected_index, link, expected_prev, group):
    """``(what, expected, found)`` for the first check one link fails, in the
    order index, content hash, chain (group chains), prev_hash, hash; None
    if it holds."""
    index, prev_hash, entry_hash, entry = link
    content = entry.content if isinstance(entry.content, dict) else {}
    try:
        recomputed = content_hash(entry.content)
    except TypeError:
        recomputed = None
    if index != expected_index:
        return ("index", str(expected_index), str(index))
    if recomputed != entry.content_hash:
        return ("content", entry.content_hash, recomputed)
    if group and content.get("chain") != chain_id:
        return ("chain", chain_id, content.get("chain"))
    if group and content.get("chain_index", index) != index:
        # Entries written before chain_index existed have none to compare.
        return ("index", str(index), str(content.get("chain_index")))
    if prev_hash != expected_prev:
        return ("prev_hash", expected_prev, prev_hash)
    linked = link_hash(chain_id, index, prev_hash, recomputed)
    if entry_hash != linked:
        return ("hash", linked, entry_hash)
    return None


def verify_group_chain(chain):
    return verify_links(
        chain.chain_id, chain.links(), chain.length, chain.head, group=True
    )


def verify_global_chain(root):
    chain = root.chain
    return verify_links(
        GLOBAL_CHAIN_ID, chain.links_in_order(), chain.length, chain.head
    )


def verify_unsealed(root):
    """Entries not yet sealed are only checked against their own hash (their
    group chain links them already)."""
    checked = 0
    for key, position, entry in unsealed(root):
        checked += 1
        recomputed = content_hash(entry.content)
        if recomputed != entry.content_hash:
            broken = Broken(
                f"unsealed:{key}",
                position,
                "content",
                entry.content_hash,
                recomputed,
                entry.content.get("id"),
            )
            return checked, broken
    return checked, None
