"""REST: ``@paeria-workflows`` on the site root (docs/workflows.md).

- ``GET @paeria-workflows``: the paeria workflows (id, title, bound types,
  their address) and whether the caller may change them.
- ``GET @paeria-workflows/<workflow id>``: states, transitions and guards, the
  matrix ``{"roles", "permissions", "states": {state: {permission:
  {"acquire", "roles"}}}}``, the latest role-mapping jobs with their progress,
  the change log (newest first) and the export address.
- ``PATCH @paeria-workflows/<workflow id>`` (Manager) with
  ``{"changes": [{"state", "permission", "role", "granted": true|false}]}``
  changes those cells, all or none, and answers
  ``{"changed": [...], "job": {...}}``; with ``{"update_existing": true}``
  it re-applies the workflow to every existing object. A refused change
  answers 400 ``{"error": {"type": "BadRequest", "message", "fields": {field:
  message}}}`` (the one error shape, docs/rest.md) and changes nothing.
"""

from paeria.egov import _
from paeria.egov.restapi.service import Service
from paeria.egov.workflowmanager import job as jobs
from paeria.egov.workflowmanager import model
from paeria.egov.workflowmanager import storage
from paeria.egov.workflowmanager.browser import can_manage
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.serializer.converters import json_compatible
from zExceptions import NotFound
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


def serialize_job(job):
    if job is None:
        return None
    data = dict(job)
    data["alive"] = job["id"] in jobs.running_threads()
    return json_compatible(data)


@implementer(IPublishTraverse)
class WorkflowsService(Service):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    def base_url(self):
        return f"{api.portal.get().absolute_url()}/@paeria-workflows"

    def workflow(self):
        if len(self.params) != 1:
            raise NotFound("/".join(self.params))
        try:
            return model.get_workflow(self.params[0])
        except model.WorkflowNotFound:
            raise NotFound(self.params[0]) from None


class WorkflowsGet(WorkflowsService):
    def reply(self):
        if not self.params:
            return {
                "@id": self.base_url(),
                "can_edit": can_manage(self.context),
                "items": [
                    {
                        "@id": f"{self.base_url()}/{wf.getId()}",
                        "id": wf.getId(),
                        "title": wf.title or wf.getId(),
                        "types": model.bound_types(wf.getId()),
                    }
                    for wf in model.paeria_workflows()
                ],
            }
        wf = self.workflow()
        wf_id = wf.getId()
        data = model.describe(wf)
        data.update(
            {
                "@id": f"{self.base_url()}/{wf_id}",
                "can_edit": can_manage(self.context),
                "matrix": model.matrix(wf),
                "record_permissions": list(model.RECORD_PERMISSIONS),
                "export": f"{api.portal.get().absolute_url()}"
                f"/@@paeria-workflows-export?workflow={wf_id}",
                "jobs": [serialize_job(job) for job in storage.list_jobs(wf_id)],
                "log": json_compatible(storage.log_entries(wf_id)),
            }
        )
        return data


class WorkflowsPatch(WorkflowsService):
    def reply(self):
        wf = self.workflow()
        # Authenticated API calls (JSON, not a cross-site form) need no token.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json_body(self.request)
        except Exception:
            data = None
        try:
            if not isinstance(data, dict):
                raise model.ChangeRefused(
                    "body",
                    _(
                        "error_wfm_body",
                        default='The body must be a JSON object: {"changes": [...]}.',
                    ),
                )
            if data.get("update_existing") is True and "changes" not in data:
                result = {"changed": [], "job": model.update_existing(wf.getId())}
            else:
                result = model.change_cells(wf.getId(), data.get("changes"))
        except model.ChangeRefused as refused:
            return self.refuse(
                400, "BadRequest", refused.message, {refused.field: refused.message}
            )
        return {
            "@id": f"{self.base_url()}/{wf.getId()}",
            "changed": result["changed"],
            "job": serialize_job(result["job"]),
        }
