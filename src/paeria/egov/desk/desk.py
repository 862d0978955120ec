"""The staff's desk ("Mi mesa"): what waits for the current user, each list
one catalog query, read from brains only (no object is loaded per row).

The lists (``LISTS``, in the order shown):

- ``asignados``: the open expedientes assigned to me, by legal deadline;
- ``sin_asignar``: my units' open expedientes nobody handles yet;
- ``pendientes_firma``: documents waiting for a signature in the units where
  I am Responsable (who signs, ``firmar``);
- ``informes``: pending report requests asked of my units;
- ``subsanaciones``: open expedientes of my units whose citizen answered a
  subsanación (``subsanacion_respondida``, until the next transition);
- ``notificaciones``: notifications of my units rejected or expired in the
  last 30 days;
- ``plazos``: my units' open expedientes whose legal deadline falls within 5
  business days or has passed.

"My units" are those whose tramitadores or responsables group holds me; the
searches run with my own permissions."""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.calendar.business_days import nth_business_day
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Documento
from paeria.egov.states import Expediente
from paeria.egov.states import Notificacion
from paeria.egov.states import SolicitudInforme
from paeria.egov.viewhelpers import search_sorted
from plone import api
import Missing


OPEN_STATES = tuple(
    state for state in Expediente.STATES if state not in CLOSED_EXPEDIENTE_STATES
)
DEADLINE_BUSINESS_DAYS = 5
# Before any answer the portal stored: "answered at all".
EVER = datetime(2000, 1, 1, tzinfo=UTC)
REJECTED_WITHIN_DAYS = 30


@dataclass
class StaffUnits:
    """The current user's units: paths and UIDs, and the paths of those
    where they are Responsable."""

    user_id: str
    paths: list = field(default_factory=list)
    uids: list = field(default_factory=list)
    responsable_paths: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.paths)


def staff_units(user_id):
    """The units whose staff groups hold ``user_id`` (the units are few:
    each is looked at, never its expedientes)."""
    units = StaffUnits(user_id)
    user = api.user.get(userid=user_id) if user_id else None
    if user is None:
        return units
    groups = set(user.getGroups() or ())
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Unidad"):
        unidad = brain._unrestrictedGetObject()
        responsable = unidad.responsables_group_id() in groups
        if responsable or unidad.tramitadores_group_id() in groups:
            units.paths.append(brain.getPath())
            units.uids.append(brain.UID)
            if responsable:
                units.responsable_paths.append(brain.getPath())
    return units


STAFF_GROUP_SUFFIXES = ("-tramitadores", "-responsables")


def is_staff(user_id):
    """Whether ``user_id`` is in a unit's tramitadores or responsables group
    (by the groups' names: asked on every page, for the navigation)."""
    user = api.user.get(userid=user_id) if user_id else None
    if user is None:
        return False
    return any(group.endswith(STAFF_GROUP_SUFFIXES) for group in user.getGroups())


@dataclass(frozen=True)
class DeskList:
    id: str
    title: object
    sort_on: str
    sort_order: str = "ascending"


LISTS = (
    DeskList(
        "asignados",
        _("desk_asignados", default="My expedientes, by legal deadline"),
        "fecha_limite",
    ),
    DeskList(
        "sin_asignar",
        _("desk_sin_asignar", default="Unassigned expedientes of my units"),
        "fecha_limite",
    ),
    DeskList(
        "pendientes_firma",
        _("desk_pendientes_firma", default="Documents pending my signature"),
        "modified",
    ),
    DeskList(
        "informes",
        _("desk_informes", default="Report requests waiting for my units"),
        "fecha_limite",
    ),
    DeskList(
        "subsanaciones",
        _("desk_subsanaciones", default="Subsanaciones answered by the citizen"),
        "subsanacion_respondida",
    ),
    DeskList(
        "notificaciones",
        _(
            "desk_notificaciones",
            default="Notifications rejected or expired in the last 30 days",
        ),
        "fecha_rechazo",
        "descending",
    ),
    DeskList(
        "plazos",
        _("desk_plazos", default="Deadlines within 5 business days or passed"),
        "fecha_limite",
    ),
)
LIST_IDS = tuple(desk_list.id for desk_list in LISTS)


def deadline_horizon(today=None):
    """The last day counted as "within 5 business days"."""
    today = today or clock.today()
    return nth_business_day(today, DEADLINE_BUSINESS_DAYS, site_calendar())


def _in_units(paths):
    return {"path": {"query": list(paths)}}


def _expedientes(units, **query):
    return {
        "portal_type": "Expediente",
        "review_state": OPEN_STATES,
        **_in_units(units.paths),
        **query,
    }


def query_of(list_id, units):
    """The catalog query of one list, or None when it can have no result."""
    if list_id == "asignados":
        return {
            "portal_type": "Expediente",
            "review_state": OPEN_STATES,
            "tramitador_asignado": units.user_id,
        }
    if not units:
        return None
    if list_id == "sin_asignar":
        return _expedientes(units, tramitador_asignado="")
    if list_id == "pendientes_firma":
        if not units.responsable_paths:
            return None
        return {
            "portal_type": "Documento",
            "review_state": Documento.PENDIENTE_FIRMA,
            **_in_units(units.responsable_paths),
        }
    if list_id == "informes":
        return {
            "portal_type": "SolicitudInforme",
            "review_state": SolicitudInforme.PENDIENTE,
            "unidad_solicitada": list(units.uids),
        }
    if list_id == "subsanaciones":
        return _expedientes(
            units, subsanacion_respondida={"query": EVER, "range": "min"}
        )
    if list_id == "notificaciones":
        since = clock.now() - timedelta(days=REJECTED_WITHIN_DAYS)
        return {
            "portal_type": "Notificacion",
            "review_state": Notificacion.RECHAZADA,
            "fecha_rechazo": {"query": since, "range": "min"},
            **_in_units(units.paths),
        }
    if list_id == "plazos":
        return _expedientes(
            units, fecha_limite={"query": deadline_horizon(), "range": "max"}
        )
    raise KeyError(list_id)


def search(list_id, units):
    """The brains of one list, in its order (lazy: a page is what is read)."""
    desk_list = LISTS[LIST_IDS.index(list_id)]
    query = query_of(list_id, units)
    if query is None:
        return []
    # Those without a value in the sort index (no deadline) come last.
    return search_sorted(query, desk_list.sort_on, desk_list.sort_order)


def _value(brain, name):
    value = getattr(brain, name, None)
    # A column the object did not have is Missing.Value.
    return None if value is Missing.Value else value


def row(brain):
    """What a list shows of one item, from its brain."""
    return {
        "@id": brain.getURL(),
        "@type": brain.portal_type,
        "title": brain.Title,
        "review_state": brain.review_state,
        "numero": _value(brain, "expediente_numero"),
        "deadline": _value(brain, "fecha_limite"),
        "tramitador_asignado": _value(brain, "tramitador_asignado") or None,
        "subsanacion_respondida": _value(brain, "subsanacion_respondida"),
        "fecha_rechazo": _value(brain, "fecha_rechazo"),
        "modified": brain.modified,
    }


NOT_STAFF = _(
    "error_desk_not_staff",
    default="The desk is for the staff of a unit (tramitadores and responsables).",
)
UNKNOWN_LIST = _(
    "error_desk_unknown_list",
    default="Unknown list ${list}: one of ${lists}.",
)
DEFAULT_SIZE = 10
MAX_SIZE = 100


def _int(value, default, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def desk_lists(form, user_id, only=None):
    """Every list (or ``only`` that one) for ``user_id``, batched by the
    form's ``b_start`` and ``b_size``; None when they are not staff."""
    if not is_staff(user_id):
        return None
    units = staff_units(user_id)
    b_size = _int(form.get("b_size"), DEFAULT_SIZE, 1, MAX_SIZE)
    b_start = _int(form.get("b_start"), 0, 0, 10**9)
    lists = []
    for desk_list in LISTS:
        if only is not None and desk_list.id != only:
            continue
        brains = search(desk_list.id, units)
        lists.append(
            {
                "id": desk_list.id,
                "title": desk_list.title,
                "items_total": len(brains),
                "b_start": b_start,
                "b_size": b_size,
                "items": [row(brain) for brain in brains[b_start : b_start + b_size]],
            }
        )
    return lists
