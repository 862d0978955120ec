"""Sealing the journal's pending entries into the global chain and verifying
every chain: :func:`seal`, :func:`verify` and its :class:`Verification`."""

from dataclasses import dataclass
from dataclasses import field
from paeria.egov.journal import crosscheck
from paeria.egov.journal import storage
from paeria.egov.journal.recording import GROUP_TYPES
from paeria.egov.journal.recording import mark_safe
from paeria.egov.journal.recording import registered_before
from paeria.egov.journal.recording import REMOVED
from plone import api
from plone.app.uuid.utils import uuidToObject
from zope.globalrequest import getRequest


def seal(site=None):
    """Seal the unsealed entries into the global chain; return how many."""
    site = site if site is not None else api.portal.get()
    root = storage.journal_root(site)
    if root is None:
        return 0
    request = getRequest()
    connection = site._p_jar
    before = registered_before(connection, request)
    sealed = storage.seal(root)
    mark_safe(connection, before, request)
    return sealed


def global_state(site=None):
    """``(length, head)`` of the global chain: what an operator copies to a
    place the server cannot rewrite, to anchor the journal (docs/journal.md,
    "Anchoring the global head")."""
    site = site if site is not None else api.portal.get()
    root = storage.journal_root(site)
    if root is None:
        return 0, storage.GENESIS
    return root.chain.length, root.chain.head


@dataclass
class Verification:
    chains_checked: int = 0
    entries_checked: int = 0
    sealed: int = 0
    broken: list = field(default_factory=list)
    global_length: int = 0
    global_head: str = storage.GENESIS

    @property
    def ok(self):
        return not self.broken

    def as_dict(self):
        return {
            "ok": self.ok,
            "chains_checked": self.chains_checked,
            "entries_checked": self.entries_checked,
            "sealed": self.sealed,
            "global_length": self.global_length,
            "global_head": self.global_head,
            "broken": [broken.as_dict() for broken in self.broken],
        }


def _holders():
    """UIDs of the objects that may hold a chain by their type, found in the
    catalog (a chain no entry names is still checked if one is there)."""
    catalog = api.portal.get_tool("portal_catalog")
    holders = {
        brain.UID
        for brain in catalog.unrestrictedSearchResults(
            portal_type=[*GROUP_TYPES, "Procedimiento"]
        )
    }
    holders.discard(None)
    return holders


def _removed_uids(root):
    removed = set()
    if root is None:
        return removed
    for position in root.chain.by_action.get(REMOVED, ()):
        removed.add(root.chain.links[position][0].content.get("uid"))
    for _key, _position, entry in storage.unsealed(root):
        if entry.content.get("action") == REMOVED:
            removed.add(entry.content.get("uid"))
    return removed


def verify(site=None, seal_first=True):
    """Walk every chain (each group's, the global one and the unsealed
    entries) recomputing hashes; report the first broken link of each."""
    site = site if site is not None else api.portal.get()
    result = Verification()
    if seal_first:
        result.sealed = seal(site)
    root = storage.journal_root(site)
    _verify_group_chains(root, result)
    if root is not None:
        result.global_length = root.chain.length
        result.global_head = root.chain.head
        result.chains_checked += 1
        _count(result, *storage.verify_global_chain(root))
        _count(result, *storage.verify_unsealed(root))
    return result


def _count(result, checked, broken):
    """Add one walk's ``(entries_checked, Broken or None)`` to ``result``."""
    result.entries_checked += checked
    if broken is not None:
        result.broken.append(broken)


def _verify_group_chains(root, result):
    """Check each group's chain into ``result``: its own links, then against
    the entries the global chain and the shards hold for it (so that its last
    entries cannot be removed, reordered or replaced unnoticed); a journalled
    group whose chain is gone, unless the group was removed through the
    journal, is broken."""
    removed = None
    journalled = crosscheck.Journalled(root)
    named = journalled.chain_ids()
    for chain_id in sorted(named | _holders()):
        group = uuidToObject(chain_id, unrestricted=True)
        chain = storage.group_chain(group, chain_id) if group is not None else None
        if chain is not None:
            result.chains_checked += 1
            checked, broken = storage.verify_group_chain(chain)
            if broken is None:
                broken = crosscheck.cross_check(chain, journalled.entries_of(chain_id))
            _count(result, checked, broken)
            continue
        if chain_id not in named:
            continue  # never journalled (it predates the journal)
        if group is None:
            if removed is None:
                removed = _removed_uids(root)
            if chain_id in removed:
                continue  # removed, its chain with it; the global one keeps it
        # Journalled, yet its chain is gone: removed behind the journal's back.
        result.broken.append(storage.Broken(chain_id, 0, "missing"))
