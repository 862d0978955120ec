"""1005 → 1006: who handles each expediente, and the staff's desk (issue 20).

The catalog index and metadata column ``tramitador_asignado`` (catalog.xml)
are added, and each expediente made before gets its assigned tramitador:
its creator when that user is staff (tramitadores or responsables group) of
the expediente's unit, else nobody (a Responsable assigns it from the
desk). An expediente that already has one, or was left unassigned by an
earlier run, keeps it: running the step again changes nothing.

The desk (desk/desk.py) also searches report requests by requested unit
(``unidad_solicitada``), notifications by rejection date (``fecha_rechazo``)
and expedientes by the citizen's answer to a subsanación
(``subsanacion_respondida``): the indexes are added and the existing objects
indexed; an open expediente whose last transition was ``subsanar`` gets
that transition's date as its answer. The "My desk" action comes from
actions.xml.

(Step 1005 is the home page's, on another branch; on this branch the step
is registered from 1004.)"""

from paeria.egov import logger
from paeria.egov.clock import MADRID
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.expedientes.assignment import FIELD
from paeria.egov.expedientes.assignment import is_unit_staff
from paeria.egov.states import Expediente
from plone import api
import transaction


#: Expedientes changed between savepoints (45,000 at Lleida's volume).
SAVEPOINT_EVERY = 1000


#: (name, index type, metadata column too)
INDEXES = (
    (FIELD, "FieldIndex", True),
    ("unidad_solicitada", "FieldIndex", False),
    ("subsanacion_respondida", "DateIndex", True),
    ("fecha_rechazo", "DateIndex", True),
)
PROFILE = "profile-paeria.egov:default"


def add_indexes_and_columns(catalog):
    for name, meta_type, column in INDEXES:
        if name not in catalog.indexes():
            extra = (
                {"indexed_attrs": name}
                if meta_type == "FieldIndex"
                else {"index_naive_time_as_local": True}
            )
            catalog.addIndex(name, meta_type, extra=extra)
        if column and name not in catalog.schema():
            catalog.addColumn(name)


def answered_on(expediente):
    """When the citizen answered, from the workflow history: the date of
    ``subsanar`` when it was the last transition of an open expediente."""
    history = (getattr(expediente, "workflow_history", {}) or {}).get(
        Expediente.WORKFLOW, ()
    )
    if not history or history[-1].get("action") != Expediente.SUBSANAR:
        return None
    return history[-1]["time"].asdatetime().astimezone(MADRID)


def assign_from_creator(expediente, staff):
    """Store the creator (when staff of the unit) or None; ``staff`` caches
    (user, unit path) → bool."""
    unidad = enclosing_unidad(expediente)
    creator = expediente.Creator()
    key = (creator, unidad.getPhysicalPath() if unidad is not None else None)
    if key not in staff:
        staff[key] = is_unit_staff(creator, unidad)
    expediente.tramitador_asignado = creator if staff[key] else None


def fill_expediente(expediente, staff):
    if FIELD not in expediente.__dict__:
        assign_from_creator(expediente, staff)
    if "subsanacion_respondida" not in expediente.__dict__:
        expediente.subsanacion_respondida = answered_on(expediente)


def assign_existing_expedientes(context):
    catalog = api.portal.get_tool("portal_catalog")
    add_indexes_and_columns(catalog)
    staff = {}
    seen = 0
    names = [name for name, _type, _column in INDEXES]
    brains = catalog.unrestrictedSearchResults(
        portal_type=["Expediente", "SolicitudInforme", "Notificacion"]
    )
    for brain in brains:
        obj = brain._unrestrictedGetObject()
        if brain.portal_type == "Expediente":
            fill_expediente(obj, staff)
        # Index and metadata both (a brain's column is read by the desk).
        catalog.reindexObject(obj, idxs=names, update_metadata=True)
        seen += 1
        if seen % SAVEPOINT_EVERY == 0:
            transaction.savepoint(optimistic=True)
            obj._p_jar.cacheGC()
    logger.info("Upgrade 1006: %s objects indexed for the desk", seen)


def desk_action(context):
    api.portal.get_tool("portal_setup").runImportStepFromProfile(PROFILE, "actions")
