"""Where the workflow manager keeps its state: an annotation on the site.

- ``log``: the append-only change log, an OOBTree keyed by (UTC ISO time,
  random id) so that two changes committed at once never write the same key
  and the tree reads back in time order. Entries are plain dicts, written only
  by :func:`record_change` and never rewritten or deleted.
- ``jobs``: the role-mapping updates (job.py), one PersistentMapping each,
  keyed by job id: progress (done/total), who started it, when it started and
  finished.
- ``settings``: how many objects a change may update inside the request
  (``inline_limit``) and how many a background job commits at a time
  (``batch_size``).

The site is annotatable and is there for as long as the data matters; the
workflow tool is not annotatable.
"""

from BTrees.OOBTree import OOBTree
from paeria.egov import clock
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations
import pytz
import uuid


ANNOTATION_KEY = "paeria.egov.workflowmanager"

# Up to this many objects to update, a change updates them inside the request
# (they are visible as soon as the page answers); beyond, in a background job.
DEFAULT_INLINE_LIMIT = 500
DEFAULT_BATCH_SIZE = 100

CELL_CHANGED = "cell_changed"
ROLE_MAPPINGS_UPDATED = "role_mappings_updated"


def _storage(portal=None, create=True):
    portal = portal if portal is not None else api.portal.get()
    annotations = IAnnotations(portal)
    storage = annotations.get(ANNOTATION_KEY)
    if storage is None and create:
        storage = annotations[ANNOTATION_KEY] = PersistentMapping()
    if storage is not None and create:
        # Each part is created on first use, so that reading the page of a
        # site that never changed a workflow writes nothing.
        for key, factory in (
            ("log", OOBTree),
            ("jobs", OOBTree),
            ("settings", PersistentMapping),
        ):
            if key not in storage:
                storage[key] = factory()
    return storage


def _part(name, portal=None, create=False):
    storage = _storage(portal, create=create)
    if storage is None or name not in storage:
        return None
    return storage[name]


# --- settings -----------------------------------------------------------------


def get_setting(name, portal=None):
    defaults = {"inline_limit": DEFAULT_INLINE_LIMIT, "batch_size": DEFAULT_BATCH_SIZE}
    settings = _part("settings", portal)
    if settings is None:
        return defaults[name]
    return settings.get(name, defaults[name])


def set_setting(name, value, portal=None):
    if name not in ("inline_limit", "batch_size"):
        raise KeyError(name)
    value = int(value)
    if value < 0 or (name == "batch_size" and value < 1):
        raise ValueError(f"{name} must be positive")
    _part("settings", portal, create=True)[name] = value


# --- the change log -----------------------------------------------------------


def record_change(
    kind,
    workflow_id,
    user_id,
    state=None,
    permission=None,
    role=None,
    granted=None,
    objects_updated=None,
    job_id=None,
    when=None,
    portal=None,
):
    """Append one entry to the change log and return it.

    ``kind`` is CELL_CHANGED (a permission cell of a state was granted,
    ``granted=True``, or withdrawn, ``granted=False``) or ROLE_MAPPINGS_UPDATED
    (a background job finished bringing ``objects_updated`` existing objects
    in line). A cell change updated inline carries its ``objects_updated``; one
    left to a background job carries the ``job_id`` and None until that job's
    own entry. Every write to the log goes through here, so that the journal
    can take these entries over in one place.
    """
    when = when or clock.now()
    entry = {
        "id": uuid.uuid4().hex,
        "kind": kind,
        "when": when.astimezone(pytz.UTC),
        "user": user_id,
        "workflow": workflow_id,
        "state": state,
        "permission": permission,
        "role": role,
        "granted": granted,
        "objects_updated": objects_updated,
        "job": job_id,
    }
    log = _part("log", portal, create=True)
    log[(entry["when"].isoformat(), entry["id"])] = entry
    return dict(entry)


def log_entries(workflow_id=None, limit=None, portal=None):
    """The log, newest first (copies: the stored entries stay as written)."""
    log = _part("log", portal)
    if log is None:
        return []
    entries = []
    for entry in reversed(list(log.values())):
        if workflow_id is not None and entry["workflow"] != workflow_id:
            continue
        entries.append(dict(entry))
        if limit is not None and len(entries) >= limit:
            break
    return entries


# --- jobs ---------------------------------------------------------------------


def new_job(workflow_id, states, user_id, mode, portal=None):
    job_id = f"{clock.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    job = PersistentMapping(
        {
            "id": job_id,
            "workflow": workflow_id,
            "states": list(states),
            "user": user_id,
            "mode": mode,
            "status": "queued",
            "total": None,
            "done": 0,
            "updated": 0,
            "created": clock.now(),
            "started": None,
            "finished": None,
            "heartbeat": None,
            "error": None,
        }
    )
    _part("jobs", portal, create=True)[job_id] = job
    return job


def get_job(job_id, portal=None):
    jobs = _part("jobs", portal)
    if jobs is None:
        return None
    return jobs.get(job_id)


def list_jobs(workflow_id=None, limit=None, portal=None):
    """Jobs, newest first."""
    jobs = _part("jobs", portal)
    if jobs is None:
        return []
    result = []
    for job in reversed(list(jobs.values())):
        if workflow_id is not None and job["workflow"] != workflow_id:
            continue
        result.append(job)
        if limit is not None and len(result) >= limit:
            break
    return result
