"""Bringing existing objects in line with a changed workflow definition.

A permission cell changed in a state applies to new transitions at once, but
the objects already in that state keep the role mappings DCWorkflow copied
onto them. A job walks the catalog (unrestricted: the Manager's own view of
the site must not limit it) for the objects in the changed states, calls
``wf.updateRoleMappingsFor(obj)`` and reindexes their security.

Up to ``inline_limit`` objects (storage.py, 500 by default) the job runs in
the request, in its transaction. Beyond, it runs in a thread of this Zope
process with its own database connection, started once the request has
committed the change, as the user who made the change; it commits every
``batch_size`` objects and records its progress (done/total, heartbeat) on the
job, which the page and the REST service show. A conflicting batch is retried.
If the process stops, the job stays "running" with an old heartbeat; the
Manager starts a new update of the workflow from the page (the update is
idempotent).
"""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import noSecurityManager
from paeria.egov import clock
from paeria.egov import logger
from paeria.egov.workflowmanager import storage
from plone import api
from Testing.makerequest import makerequest
from ZODB.POSException import ConflictError
from zope.component.hooks import setSite
from zope.globalrequest import clearRequest
from zope.globalrequest import setRequest
import threading
import transaction


RETRIES = 3


def _brains(site, states):
    return site.portal_catalog.unrestrictedSearchResults(
        review_state=list(states),
        path="/".join(site.getPhysicalPath()),
    )


def object_paths(site, wf, states):
    """Paths of the cataloged objects in ``states``; whether each follows
    ``wf`` is checked on the object, since some objects take their chain from
    an adapter rather than from their type (registered documents)."""
    return [brain.getPath() for brain in _brains(site, states)]


def update_object(site, wf, path):
    """Update one object's role mappings; True if they changed."""
    obj = site.unrestrictedTraverse(path, None)
    if obj is None:
        return False
    if wf.getId() not in site.portal_workflow.getChainFor(obj):
        return False
    if not wf.updateRoleMappingsFor(obj):
        return False
    obj.reindexObjectSecurity()
    return True


def _in_transaction(commit, job_id, step):
    """Run ``step()``; with ``commit``, commit it and retry it whole when it
    conflicts with another transaction (a request reading or changing the
    same objects)."""
    for attempt in range(1, RETRIES + 1):
        try:
            result = step()
            if commit:
                transaction.commit()
            return result
        except ConflictError:
            if not commit or attempt == RETRIES:
                raise
            transaction.abort()
            logger.info("Role mapping job %s: conflict, retrying", job_id)


def run(site, job_id, commit):
    """Process the job; with ``commit``, one transaction per batch."""
    wf = site.portal_workflow[storage.get_job(job_id, portal=site)["workflow"]]

    def begin():
        job = storage.get_job(job_id, portal=site)
        paths = object_paths(site, wf, job["states"])
        job["status"] = "running"
        job["started"] = job["heartbeat"] = clock.now()
        job["total"] = len(paths)
        return paths

    def process(batch):
        updated = sum(1 for path in batch if update_object(site, wf, path))
        job = storage.get_job(job_id, portal=site)
        job["done"] += len(batch)
        job["updated"] += updated
        job["heartbeat"] = clock.now()

    def finish():
        job = storage.get_job(job_id, portal=site)
        job["status"] = "finished"
        job["finished"] = clock.now()
        if job["mode"] == "background":
            storage.record_change(
                storage.ROLE_MAPPINGS_UPDATED,
                job["workflow"],
                job["user"],
                objects_updated=job["updated"],
                job_id=job_id,
                portal=site,
            )
        return job

    paths = _in_transaction(commit, job_id, begin)
    batch_size = storage.get_setting("batch_size", portal=site)
    for start in range(0, len(paths), batch_size):
        batch = paths[start : start + batch_size]
        _in_transaction(commit, job_id, lambda batch=batch: process(batch))
    return _in_transaction(commit, job_id, finish)


def start_update(wf_id, states, user_id):
    """Create the job for ``states`` of ``wf_id`` and run it inline or, for
    more than inline_limit objects, in the background once this transaction
    commits. Returns the job."""
    site = api.portal.get()
    total = len(_brains(site, states))
    inline = total <= storage.get_setting("inline_limit")
    job = storage.new_job(
        wf_id, states, user_id, mode="inline" if inline else "background"
    )
    if inline:
        return run(site, job["id"], commit=False)
    job["total"] = total
    transaction.get().addAfterCommitHook(
        _start_thread,
        args=(site._p_jar.db(), site.getPhysicalPath(), job["id"], user_id),
    )
    return job


def _start_thread(committed, db, site_path, job_id, user_id):
    if not committed:
        return
    thread = threading.Thread(
        target=run_in_background,
        args=(db, site_path, job_id, user_id),
        name=f"paeria-workflowmanager-{job_id}",
        daemon=True,
    )
    thread.start()


def _user(site, user_id):
    for acl_users in (site.acl_users, site.getPhysicalRoot().acl_users):
        user = acl_users.getUserById(user_id)
        if user is not None:
            return user.__of__(acl_users)
    return None


def run_in_background(db, site_path, job_id, user_id):
    """The thread: its own connection and transactions, the site as the
    local site, the requester as the user (subscribers see who did it)."""
    connection = db.open()
    site = None
    try:
        app = makerequest(connection.root()["Application"])
        setRequest(app.REQUEST)
        site = app.unrestrictedTraverse("/".join(site_path))
        setSite(site)
        user = _user(site, user_id)
        if user is None:
            raise LookupError(f"user {user_id} not found")
        newSecurityManager(None, user)
        run(site, job_id, commit=True)
    except Exception as error:
        logger.exception("Role mapping job %s failed", job_id)
        transaction.abort()
        if site is None:
            return
        try:
            job = storage.get_job(job_id, portal=site)
            job["status"] = "failed"
            job["error"] = f"{type(error).__name__}: {error}"
            job["finished"] = clock.now()
            transaction.commit()
        except Exception:
            transaction.abort()
            logger.exception("Role mapping job %s: could not record failure", job_id)
    finally:
        transaction.abort()
        noSecurityManager()
        setSite(None)
        clearRequest()
        connection.close()


def running_threads():
    """Ids of the jobs this process is running now."""
    prefix = "paeria-workflowmanager-"
    return [
        thread.name[len(prefix) :]
        for thread in threading.enumerate()
        if thread.name.startswith(prefix)
    ]
