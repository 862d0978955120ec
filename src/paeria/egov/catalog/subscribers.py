"""The catalog follows the domain's content when it moves (registered in
configure.zcml)."""

from plone import api


def uncatalog_old_path(obj, event):
    """IObjectWillBeMovedEvent of the domain's content (moved or renamed):
    drop its catalog entry under the path it is leaving at once.

    CMF queues that removal and carries it out later through the object
    itself, which by then answers with its new path: when the queue had not
    run between the object's creation and its move, as in a request that
    makes and moves it, the entry under the old path stayed behind and the
    catalog listed the object at an address it no longer had."""
    if event.oldParent is None or event.newParent is None:
        return  # added, or removed: the queue removes it under this very path
    catalog = api.portal.get_tool("portal_catalog")
    path = "/".join(obj.getPhysicalPath())
    if catalog._catalog.uids.get(path) is not None:
        catalog.uncatalog_object(path)
