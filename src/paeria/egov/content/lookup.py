"""Finding an object by its UID from inside event subscribers.

``plone.app.uuid``'s ``uuidToObject`` searches through CMFCore's catalog tool,
which first runs the indexing queue. Called while content is being created,
every such flush indexes the new objects once more (the queue can only merge
the reindexes of one object while it has not been run), so creating an
expediente with its documents cost several full catalogings per object.
"""

from plone import api
from plone.app.uuid.utils import uuidToObject
from Products.ZCatalog.ZCatalog import ZCatalog


def _indexed(uid):
    """Brains of ``uid`` as the catalog stands, the indexing queue left alone."""
    catalog = api.portal.get_tool("portal_catalog")
    return ZCatalog.searchResults(catalog, UID=uid)


def title_by_uid(uid):
    """The title the catalog holds for ``uid`` (a unit, a procedure), or None."""
    if not uid:
        return None
    brains = _indexed(uid)
    if not brains:
        obj = uuidToObject(uid, unrestricted=True)
        return obj.Title() if obj is not None else None
    return brains[0].Title


def object_by_uid(uid):
    """The object with ``uid``, whoever is looking, or None.

    Searches the catalog as it stands, without running the indexing queue:
    objects committed earlier (a procedure, a unit) are found at once. One that
    was added or moved in this very transaction may not be indexed yet; then,
    and only then, the ordinary lookup runs the queue."""
    if not uid:
        return None
    for brain in _indexed(uid):
        try:
            return brain._unrestrictedGetObject()
        except (AttributeError, KeyError):
            break  # moved or removed since: the queue knows better
    return uuidToObject(uid, unrestricted=True)
