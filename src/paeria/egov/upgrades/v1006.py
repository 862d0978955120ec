"""1005 → 1006: who handles each expediente (issue 20).

The catalog index and metadata column ``tramitador_asignado`` (catalog.xml)
are added, and each expediente made before gets its assigned tramitador:
its creator when that user is staff (tramitadores or responsables group) of
the expediente's unit, else nobody (a Responsable assigns it from the
desk). An expediente that already has one, or was left unassigned by an
earlier run, keeps it: running the step again changes nothing.

(Step 1005 is the home page's, on another branch; on this branch the step
is registered from 1004.)"""

from paeria.egov import logger
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.expedientes.assignment import FIELD
from paeria.egov.expedientes.assignment import is_unit_staff
from plone import api
import transaction


#: Expedientes changed between savepoints (45,000 at Lleida's volume).
SAVEPOINT_EVERY = 1000


def add_index_and_column(catalog):
    if FIELD not in catalog.indexes():
        catalog.addIndex(FIELD, "FieldIndex", extra={"indexed_attrs": FIELD})
    if FIELD not in catalog.schema():
        catalog.addColumn(FIELD)


def assign_from_creator(expediente, staff):
    """Store the creator (when staff of the unit) or None; ``staff`` caches
    (user, unit path) → bool."""
    unidad = enclosing_unidad(expediente)
    creator = expediente.Creator()
    key = (creator, unidad.getPhysicalPath() if unidad is not None else None)
    if key not in staff:
        staff[key] = is_unit_staff(creator, unidad)
    expediente.tramitador_asignado = creator if staff[key] else None


def assign_existing_expedientes(context):
    catalog = api.portal.get_tool("portal_catalog")
    add_index_and_column(catalog)
    staff = {}
    assigned = seen = 0
    for brain in catalog.unrestrictedSearchResults(portal_type="Expediente"):
        expediente = brain._unrestrictedGetObject()
        if FIELD not in expediente.__dict__:
            assign_from_creator(expediente, staff)
            assigned += bool(expediente.tramitador_asignado)
        # Index and metadata both (a brain's column is read by the desk).
        catalog.reindexObject(expediente, idxs=[FIELD], update_metadata=True)
        seen += 1
        if seen % SAVEPOINT_EVERY == 0:
            transaction.savepoint(optimistic=True)
            expediente._p_jar.cacheGC()
    logger.info(
        "Upgrade 1006: %s expedientes indexed by tramitador, %s assigned "
        "to their creator",
        seen,
        assigned,
    )
