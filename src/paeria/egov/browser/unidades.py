"""/unidades: the units the user can see, with their open expedientes."""

from plone import api
from Products.Five.browser import BrowserView


OPEN = "E01"


class UnidadesView(BrowserView):
    def __call__(self):
        return self.index()

    def units(self):
        """From brains only; each count is an index intersection, no object
        and no brain of an expediente is loaded."""
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog(
            portal_type="Unidad",
            path={"query": "/".join(self.context.getPhysicalPath()), "depth": 1},
            sort_on="sortable_title",
        )
        for brain in brains:
            open_expedientes = catalog(
                portal_type="Expediente", unidad_uid=brain.UID, eni_state=OPEN
            )
            yield {
                "title": brain.Title,
                "url": brain.getURL(),
                "dir3_code": brain.dir3_code or "",
                "open_expedientes": len(open_expedientes),
            }
