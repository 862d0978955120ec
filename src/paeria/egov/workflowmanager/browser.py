"""Classic UI of the workflow manager (control panel).

- ``@@paeria-workflows``: every paeria workflow with its states, transitions
  and guards; for the chosen one (``?workflow=<id>``) the state x role x
  permission matrix, its role-mapping jobs and its change log. Whoever may
  view workflows (Manager, Site Administrator, Auditor) reads it; only who may
  manage them (Manager) sees the matrix as a form.
- ``@@paeria-workflows-change`` (POST, Manager): the matrix form's target,
  CSRF-checked. It changes the cells the Manager ticked or unticked since the
  page was drawn (not the whole matrix, so that two Managers do not undo each
  other) or, with ``update``, re-applies the workflow to every existing object.
- ``@@paeria-workflows-export?workflow=<id>``: the definition.xml download.
"""

from paeria.egov import _
from paeria.egov.workflowmanager import job as jobs
from paeria.egov.workflowmanager import model
from paeria.egov.workflowmanager import storage
from plone import api
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import BadRequest
from zExceptions import NotFound
from zope.i18n import translate


MANAGE_PERMISSION = "paeria.egov: Manage workflows"
CELL_SEPARATOR = "|"
# Log entries shown on the page; the REST service pages through all.
LOG_ON_PAGE = 50


def cell_key(state_id, permission, role):
    return CELL_SEPARATOR.join((state_id, permission, role))


def split_cell_key(value):
    parts = value.split(CELL_SEPARATOR)
    if len(parts) != 3:
        raise ValueError(value)
    return parts


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)]


def can_manage(context):
    return bool(api.user.has_permission(MANAGE_PERMISSION, obj=context))


class WorkflowsView(BrowserView):
    index = ViewPageTemplateFile("templates/workflows.pt")
    error = None

    def __call__(self):
        return self.index()

    # --- what the template reads ----------------------------------------------

    def can_edit(self):
        return can_manage(self.context)

    def workflows(self):
        return [model.describe(wf) for wf in model.paeria_workflows()]

    def selected_id(self):
        requested = self.request.form.get("workflow")
        ids = [wf.getId() for wf in model.paeria_workflows()]
        if requested in ids:
            return requested
        return ids[0] if ids else None

    def selected(self):
        wf_id = self.selected_id()
        if wf_id is None:
            return None
        wf = model.get_workflow(wf_id)
        info = model.describe(wf)
        info["matrix"] = model.matrix(wf)
        return info

    def role_label(self, role):
        return translate(role, domain="plone", context=self.request)

    def cell_key(self, state_id, permission, role):
        return cell_key(state_id, permission, role)

    def is_record_cell(self, wf_id, state_id, permission):
        return model.is_record_cell(wf_id, state_id, permission)

    def jobs(self, wf_id):
        running = set(jobs.running_threads())
        return [
            dict(job, alive=job["id"] in running)
            for job in storage.list_jobs(wf_id, limit=10)
        ]

    def log(self, wf_id):
        return storage.log_entries(wf_id, limit=LOG_ON_PAGE)

    def fmt_time(self, value):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""

    def export_url(self, wf_id):
        portal_url = api.portal.get().absolute_url()
        return f"{portal_url}/@@paeria-workflows-export?workflow={wf_id}"

    def progress(self, job):
        total = job.get("total")
        if not total:
            return 100 if job["status"] == "finished" else 0
        return int(100 * job["done"] / total)


class WorkflowChangeView(WorkflowsView):
    """The target of the matrix form (Manager only, by its zcml permission)."""

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("POST only")
        check_authenticator(self.request)
        form = self.request.form
        wf_id = form.get("workflow")
        try:
            if form.get("update"):
                model.get_workflow(wf_id)
                job = model.update_existing(wf_id)
                result = {"changed": [], "job": job}
            else:
                result = model.change_cells(wf_id, self.changes_from_form(form))
        except model.WorkflowNotFound:
            raise NotFound(wf_id) from None
        except model.ChangeRefused as refused:
            # Refused: nothing was written; show the page again with why.
            self.error = translate(refused.message, context=self.request)
            self.request.response.setStatus(400)
            return self.index()
        self.report(result)
        portal_url = api.portal.get().absolute_url()
        self.request.response.redirect(
            f"{portal_url}/@@paeria-workflows?workflow={wf_id}"
        )
        return ""

    def changes_from_form(self, form):
        """The cells whose box differs from how the page drew it: ``was`` lists
        the cells drawn granted, ``cell`` the boxes ticked on submit."""
        was = set(_as_list(form.get("was")))
        checked = set(_as_list(form.get("cell")))
        changes = []
        for key in sorted(was ^ checked):
            try:
                state_id, permission, role = split_cell_key(key)
            except ValueError:
                raise model.ChangeRefused(
                    "cell",
                    _(
                        "error_wfm_cell_key",
                        default="Unknown cell ${cell}.",
                        mapping={"cell": key},
                    ),
                ) from None
            changes.append(
                {
                    "state": state_id,
                    "permission": permission,
                    "role": role,
                    "granted": key in checked,
                }
            )
        if not changes:
            raise model.ChangeRefused(
                "cell",
                _(
                    "error_wfm_nothing_changed",
                    default="No cell was ticked or unticked: nothing to change.",
                ),
            )
        return changes

    def report(self, result):
        messages = IStatusMessage(self.request)
        job = result["job"]
        if result["changed"]:
            messages.add(
                _(
                    "msg_wfm_cells_changed",
                    default="${count} permission cells changed.",
                    mapping={"count": len(result["changed"])},
                ),
                type="info",
            )
        if job is None:
            return
        if job["status"] == "finished":
            messages.add(
                _(
                    "msg_wfm_objects_updated",
                    default="The role mappings of ${count} existing objects "
                    "were updated.",
                    mapping={"count": job["updated"]},
                ),
                type="info",
            )
        else:
            messages.add(
                _(
                    "msg_wfm_job_started",
                    default="${total} existing objects are being updated in the "
                    "background; this page shows the progress.",
                    mapping={"total": job["total"]},
                ),
                type="info",
            )


class WorkflowExportView(BrowserView):
    def __call__(self):
        wf_id = self.request.form.get("workflow")
        try:
            wf = model.get_workflow(wf_id)
        except model.WorkflowNotFound:
            raise NotFound(wf_id) from None
        body = model.export_xml(wf)
        response = self.request.response
        response.setHeader("Content-Type", "text/xml; charset=utf-8")
        response.setHeader(
            "Content-Disposition", 'attachment; filename="definition.xml"'
        )
        return body
