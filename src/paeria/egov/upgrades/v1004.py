"""1003 → 1004: every document stores its capture date; the catalog finds
an expediente imported before (issue 18).

A Documento created without ``fecha_captura`` (the normal REST case, the
demo data) stored nothing: the schema's default, the current time, answered
every read, so each ENI export said the document was captured at the export.
New documents store it when added; here each document with nothing stored
gets its creation date, the best evidence left of when it entered the
portal. Documents with a stored date keep it.

The index ``eni_origen`` (catalog.xml) holds ``<Organo>|<Identificador>`` of
each expediente imported from another administration, so that importing the
same one again is noticed; it is added here and filled for the expedientes
already imported. Running either step again changes nothing."""

from paeria.egov import logger
from paeria.egov.clock import MADRID
from plone import api
import transaction


#: Documents changed between savepoints. At the reference volume (200,000
#: documents) the step would otherwise hold every changed document in the
#: connection's cache until the commit; a savepoint writes them to the
#: transaction's temporary storage, after which the cache can let them go.
SAVEPOINT_EVERY = 1000


def creation_moment(documento):
    """The creation date (a Zope DateTime) as a Madrid datetime, to the
    second like the dates the portal stamps."""
    created = documento.creation_date.asdatetime()
    return created.astimezone(MADRID).replace(microsecond=0)


def store_capture_dates(context):
    catalog = api.portal.get_tool("portal_catalog")
    filled = 0
    for brain in catalog.unrestrictedSearchResults(portal_type="Documento"):
        documento = brain._unrestrictedGetObject()
        if documento.__dict__.get("fecha_captura") is not None:
            continue
        documento.fecha_captura = creation_moment(documento)
        filled += 1
        if filled % SAVEPOINT_EVERY == 0:
            transaction.savepoint(optimistic=True)
            documento._p_jar.cacheGC()
    logger.info("Upgrade 1004: capture date stored for %s documents", filled)


ORIGIN_INDEX = "eni_origen"


def index_imported_expedientes(context):
    catalog = api.portal.get_tool("portal_catalog")
    if ORIGIN_INDEX not in catalog.indexes():
        catalog.addIndex(
            ORIGIN_INDEX, "KeywordIndex", extra={"indexed_attrs": ORIGIN_INDEX}
        )
    imported = 0
    for brain in catalog.unrestrictedSearchResults(portal_type="Expediente"):
        expediente = brain._unrestrictedGetObject()
        if getattr(expediente, "eni_import", None):
            catalog.reindexObject(
                expediente, idxs=[ORIGIN_INDEX], update_metadata=False
            )
            imported += 1
    logger.info("Upgrade 1004: %s imported expedientes indexed by origin", imported)
