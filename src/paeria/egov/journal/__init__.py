"""The journal: who did what to which object, when and from where.

Entries are written by event subscribers (subscribers.py) and, where no event
exists, by whoever calls :func:`record`. They are append-only and chained by
hash per group (an expediente with its documents and other children; any
other journalled object on its own) and in one global chain, sealed later
(storage.py, docs/journal.md).

Public API:

- :func:`record` ``(obj, action, **details)``: journal an action on ``obj``;
- :func:`record_local_roles` ``(obj)``: journal what changed in the local roles
  of ``obj`` since the journal last saw them (for code that sets local roles
  without the sharing view's event);
- :func:`record_eni_import` / :func:`record_eni_export`;
- :func:`seal`, :func:`verify`, :func:`search`, :func:`history`.
"""

from AccessControl import getSecurityManager
from Acquisition import aq_base
from Acquisition import aq_chain
from Acquisition import aq_inner
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.http import client_address
from paeria.egov.journal import storage
from plone import api
from plone.uuid.interfaces import IUUID
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
import transaction
import uuid


# portal_type ids journalled; SolicitudInforme and Notificacion are matched by
# their id so that they are journalled as soon as their types exist.
JOURNALLED_TYPES = frozenset(
    {
        "Expediente",
        "Documento",
        "Asiento",
        "Procedimiento",
        "SolicitudInforme",
        "Notificacion",
    }
)
# Objects whose group is themselves and holds the documents below them.
GROUP_TYPES = ("Expediente", "Asiento")

# Actions (their labels are in browser.py).
CREATED = "created"
MODIFIED = "modified"
TRANSITION = "transition"
LOCAL_ROLES = "local_roles"
MOVED = "moved"
RENAMED = "renamed"
REMOVED = "removed"
DOWNLOAD = "download"
VIEW_CONTENT = "view_content"
ENI_EXPORT = "eni_export"
ENI_IMPORT = "eni_import"
# A file that no longer matches its fingerprint was refused (integrity/).
INTEGRITY_FAILURE = "integrity_failure"
ACTIONS = (
    CREATED,
    MODIFIED,
    TRANSITION,
    LOCAL_ROLES,
    MOVED,
    RENAMED,
    REMOVED,
    DOWNLOAD,
    VIEW_CONTENT,
    ENI_EXPORT,
    ENI_IMPORT,
    INTEGRITY_FAILURE,
)

ROLES_SNAPSHOT_KEY = "paeria.egov.journal.local_roles"
# Key of the current transaction's data: uid -> its "created" entry.
_CREATED_IN_TRANSACTION = object()
CREATED_IN_REQUEST_KEY = "paeria.egov.journal.created"


def is_journalled(obj):
    return getattr(aq_base(obj), "portal_type", None) in JOURNALLED_TYPES


def group_of(obj):
    """The object whose chain holds ``obj``'s entries: its expediente (itself
    for an expediente), else its register entry, else ``obj`` itself."""
    chain = aq_chain(aq_inner(obj))
    for portal_type in GROUP_TYPES:
        for item in chain:
            if getattr(aq_base(item), "portal_type", None) == portal_type:
                return item
    return obj


def current_user_id():
    user = getSecurityManager().getUser()
    if user is None:
        return "Anonymous User"
    return user.getId() or user.getUserName()


def current_address(request=None):
    """The client's address as the CSV verification takes it: REMOTE_ADDR, or
    X-Forwarded-For's first address only behind a trusted proxy."""
    request = request if request is not None else getRequest()
    if request is None or getattr(request, "environ", None) is None:
        return None
    if not request.environ.get("REMOTE_ADDR") and not request.getHeader(
        "X-Forwarded-For"
    ):
        # Scripts and tests run without a client.
        return None
    return client_address(request)


def physical_path(obj):
    return "/".join(obj.getPhysicalPath())


def _title(obj):
    title = getattr(aq_base(obj), "Title", None)
    if callable(title):
        return obj.Title() or ""
    return getattr(aq_base(obj), "title", "") or ""


def _uid(obj):
    return IUUID(obj, None)


def _registered_before(connection, request):
    """What ``connection`` had to write before a journal write, when the
    request is a GET or HEAD (None otherwise: only those need
    :func:`_mark_safe`)."""
    if request is None or getattr(request, "environ", None) is None:
        return None
    if request.environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        return None
    return {id(item) for item in connection._registered_objects}


def _mark_safe(connection, before, request):
    """Journal writes happen on GET requests too (downloads, verification):
    tell plone.protect that the objects this write dirtied are intended, and
    only those."""
    if before is None:
        return
    from plone.protect.utils import safeWrite

    for obj in connection._registered_objects:
        if id(obj) not in before:
            safeWrite(obj, request)


def record(obj, action, path=None, **details):
    """Journal ``action`` on ``obj`` now, as the current user, with
    ``details`` (JSON-ready values); return the :class:`storage.Entry`.

    ``path`` overrides the object's path (a removed object's former one).
    The entry is part of the current transaction: it exists if and only if
    what it journals is committed.
    """
    site = api.portal.get()
    request = getRequest()
    connection = site._p_jar
    before = _registered_before(connection, request)
    group = group_of(obj)
    moment = clock.now()
    uid = _uid(obj)
    content = {
        "id": uuid.uuid4().hex,
        "when": moment,
        "when_madrid": moment.astimezone(MADRID).isoformat(),
        "user": current_user_id(),
        "address": current_address(request),
        "action": action,
        "details": storage.json_ready(details),
        "uid": uid,
        "path": path or physical_path(obj),
        "portal_type": getattr(aq_base(obj), "portal_type", None),
        "title": _title(obj),
        "chain": _uid(group) or uid,
    }
    entry = storage.Entry(content)
    storage.group_chain(group, content["chain"], create=True).append(entry)
    root = storage.journal_root(site, create=True)
    storage.current_shard(root, connection).append(entry)
    _mark_safe(connection, before, request)
    return entry


def _created_in_transaction():
    current = transaction.get()
    try:
        return current.data(_CREATED_IN_TRANSACTION)
    except KeyError:
        created = {}
        current.set_data(_CREATED_IN_TRANSACTION, created)
        return created


def record_created(obj, **details):
    entry = record(obj, CREATED, **details)
    uid = entry.content["uid"]
    if uid is not None:
        _created_in_transaction()[uid] = entry
    return entry


def amend_created(obj):
    """When an object created in this transaction is renamed or moved before
    it is committed (plone.api creates under a temporary id, then renames),
    its "created" entry is brought up to date instead of journalling a
    rename nobody saw; return whether it was."""
    entry = _created_in_transaction().get(_uid(obj))
    if entry is None:
        return False
    group = group_of(obj)
    chain = storage.group_chain(group, _uid(group) or _uid(obj))
    if chain is None or chain.entries.get(entry.index) is not entry:
        return False
    entry.amend(path=physical_path(obj), title=_title(obj))
    chain.relink_from(entry.index)
    return True


# -- Local roles ---------------------------------------------------------------------


def local_roles_of(obj):
    roles = {
        principal: sorted(set(granted))
        for principal, granted in (obj.get_local_roles() or ())
        if granted
    }
    blocked = bool(getattr(aq_base(obj), "__ac_local_roles_block__", False))
    return {"roles": roles, "inherit": not blocked}


def snapshot_local_roles(obj):
    IAnnotations(obj)[ROLES_SNAPSHOT_KEY] = local_roles_of(obj)


def record_local_roles(obj, **details):
    """Journal the roles granted and withdrawn on ``obj`` since the journal
    last saw its local roles (at its creation or its last such entry) and
    whether it stopped or started inheriting them; nothing when nothing
    changed. Call it after setting local roles by code (the sharing view and
    plone.restapi's @sharing fire an event the journal listens to)."""
    annotations = IAnnotations(obj)
    previous = annotations.get(ROLES_SNAPSHOT_KEY) or {"roles": {}, "inherit": True}
    current = local_roles_of(obj)
    granted = {}
    withdrawn = {}
    principals = set(previous["roles"]) | set(current["roles"])
    for principal in sorted(principals):
        before = set(previous["roles"].get(principal, ()))
        after = set(current["roles"].get(principal, ()))
        if after - before:
            granted[principal] = sorted(after - before)
        if before - after:
            withdrawn[principal] = sorted(before - after)
    inherit_changed = previous.get("inherit", True) != current["inherit"]
    if not granted and not withdrawn and not inherit_changed:
        return None
    annotations[ROLES_SNAPSHOT_KEY] = current
    if inherit_changed:
        details["inherit"] = current["inherit"]
    return record(obj, LOCAL_ROLES, granted=granted, withdrawn=withdrawn, **details)


# -- ENI -----------------------------------------------------------------------------


def record_eni_export(obj, kind, **details):
    """An ENI file of ``obj`` was handed out (``kind``: documento, intercambio,
    standard…)."""
    return record(obj, ENI_EXPORT, kind=kind, **details)


def record_eni_import(obj, kind, **details):
    """``obj`` was created from an ENI file (``kind``: expediente, documento)."""
    return record(obj, ENI_IMPORT, kind=kind, **details)


def remember_created(obj, request=None):
    """Objects created during this request, for the publication subscriber
    that journals ENI imports (the import views do not say what they made)."""
    request = request if request is not None else getRequest()
    if request is None:
        return
    try:
        annotations = IAnnotations(request)
    except TypeError:
        return
    annotations.setdefault(CREATED_IN_REQUEST_KEY, []).append(obj)


def created_in_request(request):
    try:
        return IAnnotations(request).get(CREATED_IN_REQUEST_KEY, [])
    except TypeError:
        return []


# -- Sealing and verification ------------------------------------------------------


def seal(site=None):
    """Seal the unsealed entries into the global chain; return how many."""
    site = site if site is not None else api.portal.get()
    root = storage.journal_root(site)
    if root is None:
        return 0
    request = getRequest()
    connection = site._p_jar
    before = _registered_before(connection, request)
    sealed = storage.seal(root)
    _mark_safe(connection, before, request)
    return sealed


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


def _group_ids(root):
    """(ids of the chains the global journal names, UIDs of the objects that
    may hold a chain by their type, found in the catalog)."""
    named = set()
    if root is not None:
        for _position, _prev, _hash, entry in root.chain.links_in_order():
            named.add(entry.content.get("chain"))
        for _key, _position, entry in storage.unsealed(root):
            named.add(entry.content.get("chain"))
    catalog = api.portal.get_tool("portal_catalog")
    holders = {
        brain.UID
        for brain in catalog.unrestrictedSearchResults(
            portal_type=[*GROUP_TYPES, "Procedimiento"]
        )
    }
    named.discard(None)
    holders.discard(None)
    return named, holders


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
    from plone.app.uuid.utils import uuidToObject

    site = site if site is not None else api.portal.get()
    result = Verification()
    if seal_first:
        result.sealed = seal(site)
    root = storage.journal_root(site)
    removed = None
    named, holders = _group_ids(root)
    for chain_id in sorted(named | holders):
        group = uuidToObject(chain_id, unrestricted=True)
        chain = storage.group_chain(group, chain_id) if group is not None else None
        if chain is None:
            if chain_id not in named:
                continue  # never journalled (it predates the journal)
            if group is None:
                if removed is None:
                    removed = _removed_uids(root)
                if chain_id in removed:
                    continue  # removed, its chain with it; the global one keeps it
            # Journalled, yet its chain is gone: removed behind the journal's back.
            result.broken.append(storage.Broken(chain_id, 0, "missing"))
            continue
        result.chains_checked += 1
        checked, broken = storage.verify_group_chain(chain)
        result.entries_checked += checked
        if broken is not None:
            result.broken.append(broken)
    if root is not None:
        result.global_length = root.chain.length
        result.global_head = root.chain.head
        result.chains_checked += 1
        checked, broken = storage.verify_global_chain(root)
        result.entries_checked += checked
        if broken is not None:
            result.broken.append(broken)
        checked, broken = storage.verify_unsealed(root)
        result.entries_checked += checked
        if broken is not None:
            result.broken.append(broken)
    return result


# -- Reading -------------------------------------------------------------------------


def entry_data(entry, position=None, with_address=True):
    """An entry as the API, the views and the CSV show it."""
    content = entry.content
    data = {
        "id": content.get("id"),
        "when": content["when"].isoformat(),
        "when_madrid": content.get("when_madrid"),
        "user": content.get("user"),
        "action": content.get("action"),
        "details": content.get("details") or {},
        "uid": content.get("uid"),
        "path": content.get("path"),
        "portal_type": content.get("portal_type"),
        "title": content.get("title"),
        "chain": content.get("chain"),
        "chain_index": entry.index,
        "hash": entry.hash,
        "content_hash": entry.content_hash,
        "sealed": position is not None,
        "position": position,
    }
    if with_address:
        data["address"] = content.get("address")
    return data


def history(expediente):
    """The expediente's chain (or any group's), newest first."""
    chain = storage.group_chain(expediente, _uid(expediente))
    if chain is None:
        return []
    return [chain.entries[index] for index in range(chain.length - 1, -1, -1)]


@dataclass
class Filters:
    """What the Auditor asks for; ``start`` and ``end`` are dates (inclusive)
    in Europe/Madrid."""

    user: str = None
    object: str = None
    action: str = None
    start: object = None
    end: object = None


class Results:
    """Matching entries, newest first: the unsealed ones (few: the sealer runs
    often), then the sealed ones from the global chain's indexes; entries are
    loaded only for the slice asked for."""

    def __init__(self, pending, positions, chain, check=None):
        self.pending = pending
        self.chain = chain
        if check is not None:
            positions = [
                position for position in positions if check(chain.links[position][0])
            ]
        self.positions = positions

    def __len__(self):
        return len(self.pending) + len(self.positions)

    def _item(self, index):
        if index < len(self.pending):
            return self.pending[index], None
        position = self.positions[index - len(self.pending)]
        return self.chain.links[position][0], position

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __iter__(self):
        for index in range(len(self)):
            yield self._item(index)


def _resolve_object(site, value):
    """(uid, path): a UID as given; a path resolved to its object's UID when
    it still exists, else kept to be matched against the stored paths."""
    value = value.strip()
    if not value.startswith("/"):
        return value, None
    site_path = physical_path(site)
    path = value.rstrip("/") or "/"
    if not (path == site_path or path.startswith(site_path + "/")):
        path = site_path + (path if path != "/" else "")
    try:
        obj = site.unrestrictedTraverse(path.lstrip("/").split("/", 1)[1])
    except Exception:
        # Not found, not traversable: match the stored paths instead.
        obj = None
    uid = _uid(obj) if obj is not None and obj is not site else None
    if uid is not None:
        return uid, None
    return None, path


def search(site, filters):
    root = storage.journal_root(site)
    if root is None:
        return []
    uid, path = (None, None)
    if filters.object:
        uid, path = _resolve_object(site, filters.object)
    start = filters.start.isoformat() if filters.start else None
    end = filters.end.isoformat() if filters.end else None

    def matches(entry):
        content = entry.content
        if filters.user and content.get("user") != filters.user:
            return False
        if filters.action and content.get("action") != filters.action:
            return False
        if uid and uid not in (content.get("uid"), content.get("chain")):
            return False
        if path:
            stored = content.get("path") or ""
            if stored != path and not stored.startswith(path + "/"):
                return False
        day = (content.get("when_madrid") or "")[:10]
        if start and day < start:
            return False
        if end and day > end:
            return False
        return True

    pending = sorted(
        (entry for _key, _position, entry in storage.unsealed(root) if matches(entry)),
        key=lambda entry: (entry.content["when"], entry.id),
        reverse=True,
    )
    chain = root.chain
    from BTrees.LLBTree import intersection
    from BTrees.LLBTree import LLTreeSet
    from BTrees.LLBTree import multiunion

    sets = []
    if filters.user:
        sets.append(chain.by_user.get(filters.user) or LLTreeSet())
    if filters.action:
        sets.append(chain.by_action.get(filters.action) or LLTreeSet())
    if uid:
        sets.append(chain.by_uid.get(uid) or LLTreeSet())
    if start or end:
        days = list(chain.by_day.values(min=start, max=end))
        sets.append(multiunion(days) if days else LLTreeSet())
    if sets:
        selected = sets[0]
        for other in sets[1:]:
            selected = intersection(selected, other)
        positions = list(reversed(list(selected)))
    else:
        positions = range(chain.length - 1, -1, -1)
    return Results(pending, positions, chain, check=matches if path else None)


def parse_day(value, name):
    """A YYYY-MM-DD filter value; ValueError naming the parameter otherwise."""
    if not value:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise ValueError(name)
