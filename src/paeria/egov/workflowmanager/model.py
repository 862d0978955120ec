"""Reading, exporting and changing the paeria workflows.

Everything here works on whatever ``paeria_*`` workflows portal_workflow holds:
nothing names a state or a permission except the list of what the law keeps
immutable (LEGAL_RECORD_STATES), which a Manager may never open up.
"""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from AccessControl.users import UnrestrictedUser
from paeria.egov import _
from paeria.egov.states import LEGAL_RECORD_STATES
from paeria.egov.workflowmanager import job as jobs
from paeria.egov.workflowmanager import storage
from persistent.mapping import PersistentMapping
from plone import api
from Products.GenericSetup.context import SetupEnviron
from Products.GenericSetup.interfaces import IBody
from zope.component import queryMultiAdapter


PREFIX = "paeria_"

# States in which the law makes the object a record that nobody, Manager
# included, may change, delete or add to (Ley 39/2015 arts. 26, 70 and 16;
# see each workflow's permissions.txt): a signed, incorporated or annulled
# document, a closed or archived expediente, a register entry. Granting any
# role one of
# RECORD_PERMISSIONS there is refused; withdrawing is always allowed
# (paeria.egov.states.LEGAL_RECORD_STATES, checked against the definitions).
RECORD_PERMISSIONS = (
    "Modify portal content",
    "Delete objects",
    "Add portal content",
    "Copy or Move",
    "paeria.egov: Add Documento",
)

# Column order of the matrix: Plone's own roles first, then the portal's.
ROLE_ORDER = (
    "Anonymous",
    "Authenticated",
    "Member",
    "Owner",
    "Manager",
    "Site Administrator",
    "Reader",
    "Editor",
    "Contributor",
    "Reviewer",
    "Tramitador",
    "Responsable",
    "Registrador",
    "EditorCatalogo",
    "Colaborador",
    "Interesado",
    "Auditor",
)


class WorkflowNotFound(LookupError):
    """No paeria workflow by that id."""


class ChangeRefused(ValueError):
    """A change that cannot be made: nothing was changed.

    ``field`` names what was wrong (``workflow``, ``changes[2].role``...),
    ``message`` says why, readable (an i18n message).
    """

    def __init__(self, field, message):
        super().__init__(field, message)
        self.field = field
        self.message = message


# --- reading ------------------------------------------------------------------


def workflow_tool():
    return api.portal.get_tool("portal_workflow")


def paeria_workflows():
    tool = workflow_tool()
    return [
        tool[wf_id]
        for wf_id in sorted(tool.objectIds())
        if wf_id.startswith(PREFIX) and hasattr(tool[wf_id], "states")
    ]


def get_workflow(wf_id):
    tool = workflow_tool()
    wf = tool.get(wf_id) if isinstance(wf_id, str) else None
    if wf is None or not wf_id.startswith(PREFIX) or not hasattr(wf, "states"):
        raise WorkflowNotFound(wf_id)
    return wf


def bound_types(wf_id):
    """Portal types whose chain names the workflow (chains set by adapters on
    single objects, such as registered documents, are not types' bindings)."""
    tool = workflow_tool()
    types_tool = api.portal.get_tool("portal_types")
    return sorted(
        type_id
        for type_id in types_tool.objectIds()
        if wf_id in (tool.getChainForPortalType(type_id) or ())
    )


def site_roles():
    """The roles of the site's rolemap, in matrix column order."""
    valid = set(api.portal.get().validRoles())
    known = [role for role in ROLE_ORDER if role in valid]
    return known + sorted(valid - set(known))


def _guard_info(guard):
    if guard is None:
        return {"permissions": [], "roles": [], "groups": [], "expression": ""}
    return {
        "permissions": list(guard.permissions or ()),
        "roles": list(guard.roles or ()),
        "groups": list(guard.groups or ()),
        "expression": guard.getExprText() or "",
    }


def permission_cell(state, permission):
    """(acquire, roles) of a managed permission in a state, as
    updateRoleMappingsFor applies it: a permission a state does not map is
    acquired and given to no role of its own."""
    roles = (state.permission_roles or {}).get(permission)
    if roles is None:
        return True, []
    return not isinstance(roles, tuple), sorted(roles)


def describe(wf):
    """States, transitions with their guards, and the bound types."""
    state_ids = list(wf.states.objectIds())
    states = []
    for state_id in state_ids:
        state = wf.states[state_id]
        states.append(
            {
                "id": state_id,
                "title": state.title or state_id,
                "description": state.description or "",
                "transitions": list(state.transitions or ()),
                "initial": state_id == wf.initial_state,
                "record": state_id in LEGAL_RECORD_STATES.get(wf.getId(), ()),
            }
        )
    transitions = []
    for transition_id in wf.transitions.objectIds():
        transition = wf.transitions[transition_id]
        transitions.append(
            {
                "id": transition_id,
                "title": transition.title or transition_id,
                "description": transition.description or "",
                "from": [
                    state_id
                    for state_id in state_ids
                    if transition_id in (wf.states[state_id].transitions or ())
                ],
                "to": transition.new_state_id or None,
                "guard": _guard_info(transition.getGuard()),
            }
        )
    return {
        "id": wf.getId(),
        "title": wf.title or wf.getId(),
        "description": wf.description or "",
        "types": bound_types(wf.getId()),
        "initial_state": wf.initial_state,
        "permissions": list(wf.permissions or ()),
        "states": states,
        "transitions": transitions,
    }


def matrix(wf):
    """{"roles": [...], "permissions": [...], "states": {state: {permission:
    {"acquire": bool, "roles": [...]}}}} read from the live definition."""
    permissions = list(wf.permissions or ())
    cells = {}
    for state_id in wf.states.objectIds():
        state = wf.states[state_id]
        cells[state_id] = {}
        for permission in permissions:
            acquire, roles = permission_cell(state, permission)
            cells[state_id][permission] = {"acquire": acquire, "roles": roles}
    return {"roles": site_roles(), "permissions": permissions, "states": cells}


def export_xml(wf):
    """The workflow's definition.xml as GenericSetup writes it (Products.
    DCWorkflow's own body adapter), ready to drop into a profile."""
    body = queryMultiAdapter((wf, SetupEnviron()), IBody)
    # DCWorkflow's writer is a restricted template whose methods need Manage
    # portal (proxy roles do not reach inside it: the template is its own
    # security context). Whoever gets here may read the workflows, and reading
    # is all the writer does, so it runs as a system user.
    acl_users = api.portal.get().acl_users
    system = UnrestrictedUser("paeria.egov workflow export", "", ["Manager"], [])
    previous = getSecurityManager()
    newSecurityManager(None, system.__of__(acl_users))
    try:
        return body.body
    finally:
        setSecurityManager(previous)


# --- changing -----------------------------------------------------------------


def is_record_cell(wf_id, state_id, permission):
    return (
        state_id in LEGAL_RECORD_STATES.get(wf_id, ())
        and permission in RECORD_PERMISSIONS
    )


# The fields of a change, in the order they are checked.
CHANGE_FIELDS = ("state", "permission", "role", "granted")


def _field_checks(wf, roles):
    """{field: (whether a value is valid, the problem with a value)}."""
    return {
        "state": (
            lambda value: isinstance(value, str) and value in wf.states.objectIds(),
            lambda value: _(
                "error_wfm_unknown_state",
                default="The workflow ${workflow} has no state ${state}.",
                mapping={"workflow": wf.getId(), "state": str(value)},
            ),
        ),
        "permission": (
            lambda value: isinstance(value, str) and value in (wf.permissions or ()),
            lambda value: _(
                "error_wfm_unmanaged_permission",
                default="The workflow ${workflow} does not manage the "
                "permission ${permission}.",
                mapping={"workflow": wf.getId(), "permission": str(value)},
            ),
        ),
        "role": (
            lambda value: isinstance(value, str) and value in roles,
            lambda value: _(
                "error_wfm_unknown_role",
                default="The site has no role ${role}.",
                mapping={"role": str(value)},
            ),
        ),
        "granted": (
            lambda value: isinstance(value, bool),
            lambda value: _(
                "error_wfm_granted_bool",
                default="granted must be true (grant) or false (withdraw).",
            ),
        ),
    }


def _parse_change(wf, key, change, checks):
    """One change as (state, permission, role, granted), or ChangeRefused."""
    if not isinstance(change, dict):
        raise ChangeRefused(
            key,
            _(
                "error_wfm_change_shape",
                default="Each change is an object with state, permission, "
                "role and granted.",
            ),
        )
    for name in CHANGE_FIELDS:
        valid, problem = checks[name]
        value = change.get(name)
        if not valid(value):
            raise ChangeRefused(f"{key}.{name}", problem(value))
    state_id, permission, role, granted = (change[name] for name in CHANGE_FIELDS)
    if granted and is_record_cell(wf.getId(), state_id, permission):
        raise ChangeRefused(
            key,
            _(
                "error_wfm_record_state",
                default="In the state ${state} the law makes the object a "
                "record: nobody may be granted ${permission} there.",
                mapping={"state": state_id, "permission": permission},
            ),
        )
    return state_id, permission, role, granted


def parse_changes(wf, changes):
    """Check a list of {"state", "permission", "role", "granted"} and return
    it as tuples; the first problem raises ChangeRefused naming its field."""
    if not isinstance(changes, list | tuple) or not changes:
        raise ChangeRefused(
            "changes",
            _(
                "error_wfm_changes_list",
                default="Give the changes as a non-empty list of cells (state, "
                "permission, role, granted).",
            ),
        )
    checks = _field_checks(wf, set(site_roles()))
    return [
        _parse_change(wf, f"changes[{position}]", change, checks)
        for position, change in enumerate(changes)
    ]


def _set_cell(state, permission, role, granted):
    """Grant or withdraw one role; keep the acquire flag. True if changed."""
    acquire, roles = permission_cell(state, permission)
    new_roles = set(roles) | {role} if granted else set(roles) - {role}
    if new_roles == set(roles):
        return False
    new_roles = sorted(new_roles)
    if state.permission_roles is None:
        state.permission_roles = PersistentMapping()
    state.permission_roles[permission] = (
        list(new_roles) if acquire else tuple(new_roles)
    )
    # The GS importer may have stored a plain dict.
    state._p_changed = True
    return True


def change_cells(wf_id, changes, user_id=None):
    """Grant or withdraw permission cells of a workflow, then bring the
    existing objects in the changed states in line (job.py) and log each
    changed cell. All or nothing: a refused change raises ChangeRefused before
    anything is written. Returns {"changed": [...], "job": job or None}."""
    try:
        wf = get_workflow(wf_id)
    except WorkflowNotFound:
        raise ChangeRefused(
            "workflow",
            _(
                "error_wfm_unknown_workflow",
                default="There is no paeria workflow ${workflow}.",
                mapping={"workflow": str(wf_id)},
            ),
        ) from None
    parsed = parse_changes(wf, changes)
    user_id = user_id or api.user.get_current().getId()
    changed = []
    for state_id, permission, role, granted in parsed:
        if _set_cell(wf.states[state_id], permission, role, granted):
            changed.append(
                {
                    "state": state_id,
                    "permission": permission,
                    "role": role,
                    "granted": granted,
                }
            )
    if not changed:
        return {"changed": [], "job": None}
    states = sorted({cell["state"] for cell in changed})
    job = jobs.start_update(wf_id, states, user_id)
    inline = job["status"] == "finished"
    for cell in changed:
        storage.record_change(
            storage.CELL_CHANGED,
            wf_id,
            user_id,
            objects_updated=job["updated"] if inline else None,
            job_id=job["id"],
            **cell,
        )
    return {"changed": changed, "job": job}


def update_existing(wf_id, user_id=None):
    """Re-apply the workflow's current definition to all its existing objects
    (after a job was cut short, or a definition imported by hand)."""
    wf = get_workflow(wf_id)
    user_id = user_id or api.user.get_current().getId()
    return jobs.start_update(wf_id, list(wf.states.objectIds()), user_id)
