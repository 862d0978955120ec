"""Who handles an expediente (LPAC art. 20; the citizen's right to know it,
art. 53.1.b): its assigned tramitador, a user id stored on the expediente
(``tramitador_asignado``) and indexed under the same name (``""`` when
nobody is assigned, so that the unassigned ones can be searched).

It is set when the expediente is opened to whoever opens it, if they are
staff of its unit (subscribers.expediente_added); only a Responsable of the
unit reassigns it (``@@asignar``, ``POST @asignar``), and only to a staff
member of the unit. A reassignment is journalled as ``assigned`` with who
handled it and who handles it now (events.TramitadorAssigned)."""

from paeria.egov import _
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.events import TramitadorAssigned
from plone import api
from zope.event import notify


FIELD = "tramitador_asignado"
#: The role of the unit's head, who reassigns its expedientes.
RESPONSABLE = "Responsable"

NOT_STAFF = _(
    "error_tramitador_not_staff",
    default="${user} is not staff of the unit ${unit}: an expediente is "
    "assigned only to a tramitador or responsable of its unit.",
)
NOT_RESPONSABLE = _(
    "error_asignar_not_responsable",
    default="Only a Responsable of the expediente's unit may reassign it.",
)


def staff_group_ids(unidad):
    return {unidad.tramitadores_group_id(), unidad.responsables_group_id()}


def is_unit_staff(user_id, unidad):
    """Whether ``user_id`` is in the unit's tramitadores or responsables
    group (directly or through a nested group)."""
    if not user_id or unidad is None:
        return False
    user = api.user.get(userid=user_id)
    if user is None:
        return False
    groups = set(user.getGroups() or ())
    return bool(groups & staff_group_ids(unidad))


def may_reassign(expediente):
    """Whether the current user holds the Responsable role on the
    expediente (granted on its unit through ``<unit>-responsables``)."""
    if api.user.is_anonymous():
        return False
    return RESPONSABLE in api.user.get_roles(obj=expediente)


def assignment_problem(expediente, user_id):
    """Why ``user_id`` cannot be assigned ``expediente``, or None."""
    unidad = enclosing_unidad(expediente)
    if is_unit_staff(user_id, unidad):
        return None
    return _(
        NOT_STAFF,
        mapping={
            "user": user_id or "—",
            "unit": unidad.title if unidad is not None else "—",
        },
    )


def assign(expediente, user_id):
    """Assign ``expediente`` to ``user_id`` (checked by the caller), reindex
    it and journal the change."""
    previous = expediente.tramitador_asignado
    if previous == user_id:
        return False
    expediente.tramitador_asignado = user_id
    expediente.reindexObject(idxs=[FIELD])
    notify(TramitadorAssigned(expediente, previous, user_id))
    return True


def assign_on_opening(expediente, user_id):
    """The expediente's opener handles it, when staff of its unit."""
    if expediente.tramitador_asignado is None and is_unit_staff(
        user_id, enclosing_unidad(expediente)
    ):
        expediente.tramitador_asignado = user_id


def fullname(user_id):
    """The user's full name, or the id when there is none (or no user)."""
    if not user_id:
        return None
    user = api.user.get(userid=user_id)
    if user is None:
        return user_id
    return user.getProperty("fullname") or user_id


def tramitador_json(expediente):
    """``{"id", "fullname"}`` of the assigned tramitador, or None."""
    user_id = expediente.tramitador_asignado
    if not user_id:
        return None
    return {"id": user_id, "fullname": fullname(user_id)}


def staff_of(unidad):
    """(user id, full name) of the unit's staff, by name: the reassignment
    form's choices."""
    found = {}
    for group_id in sorted(staff_group_ids(unidad)):
        for user in api.user.get_users(groupname=group_id):
            found[user.getId()] = user.getProperty("fullname") or user.getId()
    return sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))
