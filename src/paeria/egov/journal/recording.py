"""Recording journal entries: who did what to which object, when and from where.

Entries are written by event subscribers (subscribers.py) and, where no event
exists, by whoever calls :func:`record`. They are append-only and chained by
hash per group (an expediente with its documents and other children; any
other journalled object on its own) and in one global chain, sealed later
(verification.py, storage.py, docs/journal.md).

- :func:`record` ``(obj, action, **details)``: journal an action on ``obj``;
- :func:`record_local_roles` ``(obj)``: journal what changed in the local roles
  of ``obj`` since the journal last saw them (for code that sets local roles
  without the sharing view's event);
- :func:`record_eni_import` / :func:`record_eni_export` (outside HTTP: the
  ENI doors notify events the subscribers journal).

Which objects are journalled is said by the marker :class:`paeria.egov.
interfaces.IJournalled`, which configure.zcml declares for the journalled
content classes.
"""

from AccessControl import getSecurityManager
from Acquisition import aq_base
from Acquisition import aq_chain
from Acquisition import aq_inner
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.http import client_address
from paeria.egov.interfaces import IJournalled
from paeria.egov.journal import actions
from paeria.egov.journal import storage
from plone import api
from plone.protect.utils import safeWrite
from plone.uuid.interfaces import IUUID
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
import transaction
import uuid


# Objects whose group is themselves and holds the documents below them.
GROUP_TYPES = ("Expediente", "Asiento")

# The actions' ids; their table, with the labels, is actions.py.
CREATED = actions.CREATED
MODIFIED = actions.MODIFIED
TRANSITION = actions.TRANSITION
LOCAL_ROLES = actions.LOCAL_ROLES
MOVED = actions.MOVED
RENAMED = actions.RENAMED
REMOVED = actions.REMOVED
DOWNLOAD = actions.DOWNLOAD
VIEW_CONTENT = actions.VIEW_CONTENT
ENI_EXPORT = actions.ENI_EXPORT
ENI_IMPORT = actions.ENI_IMPORT
ASSIGNED = actions.ASSIGNED
INTEGRITY_FAILURE = actions.INTEGRITY_FAILURE
SIGNED = actions.SIGNED
SIGNING_KEY_LOCKED = actions.SIGNING_KEY_LOCKED
ACTIONS = actions.ACTIONS

ROLES_SNAPSHOT_KEY = "paeria.egov.journal.local_roles"
# Key of the current transaction's data: uid -> its "created" entry.
_CREATED_IN_TRANSACTION = object()


def is_journalled(obj):
    """Whether ``obj``'s type is journalled: its class provides IJournalled
    (declared in this package's configure.zcml)."""
    return IJournalled.providedBy(obj)


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


def uid_of(obj):
    return IUUID(obj, None)


def registered_before(connection, request):
    """What ``connection`` had to write before a journal write, when the
    request is a GET or HEAD (None otherwise: only those need
    :func:`mark_safe`)."""
    if request is None or getattr(request, "environ", None) is None:
        return None
    if request.environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        return None
    return {id(item) for item in connection._registered_objects}


def mark_safe(connection, before, request):
    """Journal writes happen on GET requests too (downloads, verification):
    tell plone.protect that the objects this write dirtied are intended, and
    only those."""
    if before is None:
        return
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
    before = registered_before(connection, request)
    group = group_of(obj)
    moment = clock.now()
    uid = uid_of(obj)
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
        "chain": uid_of(group) or uid,
    }
    chain = storage.group_chain(group, content["chain"], create=True)
    # Hashed, so that the global chain binds where the entry sits in its
    # group chain: verification then notices the chain's last entries removed
    # or reordered (journal/crosscheck.py).
    content["chain_index"] = chain.length
    entry = storage.Entry(content)
    chain.append(entry)
    root = storage.journal_root(site, create=True)
    storage.current_shard(root, connection).append(entry)
    mark_safe(connection, before, request)
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
    entry = _created_in_transaction().get(uid_of(obj))
    if entry is None:
        return False
    group = group_of(obj)
    chain = storage.group_chain(group, uid_of(group) or uid_of(obj))
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
