"""/tramites: the public catalogue of procedures, searchable and filterable."""

from paeria.egov.states import Procedimiento
from paeria.egov.viewhelpers import form_text
from paeria.egov.viewhelpers import search_text
from plone import api
from plone.base.utils import safe_int
from plone.batching import Batch
from Products.Five.browser import BrowserView


PAGE_SIZE = 50
# Procedures follow simple_publication_workflow until their own workflow
# (borrador → publicado → retirado) arrives; both published states count.
PUBLISHED_STATES = (Procedimiento.PUBLICADO,)


class CatalogoView(BrowserView):
    def __call__(self):
        self.update()
        return self.index()

    def update(self):
        self.text = form_text(self.request, "SearchableText")
        self.topic = form_text(self.request, "Subject")
        self.unit = form_text(self.request, "responsible_unit", max_length=64)
        self.b_start = max(safe_int(self.request.form.get("b_start", 0)), 0)
        self.batch = Batch(self.results(), PAGE_SIZE, start=self.b_start)
        self._unit_titles = self._units_by_uid()

    @property
    def searching(self):
        return bool(self.text or self.topic or self.unit)

    def base_query(self):
        return {
            "portal_type": "Procedimiento",
            "path": {"query": "/".join(self.context.getPhysicalPath())},
            "review_state": PUBLISHED_STATES,
            "sort_on": "sortable_title",
        }

    def query(self):
        query = self.base_query()
        text = search_text(self.text)
        if text:
            query["SearchableText"] = text
        if self.topic:
            query["Subject"] = self.topic
        if self.unit:
            query["responsible_unit"] = self.unit
        return query

    def results(self):
        return api.portal.get_tool("portal_catalog")(**self.query())

    def _units_by_uid(self):
        """Unit names are public, though units are not: read unrestricted."""
        catalog = api.portal.get_tool("portal_catalog")
        return {
            brain.UID: brain.Title
            for brain in catalog.unrestrictedSearchResults(
                portal_type="Unidad", sort_on="sortable_title"
            )
        }

    def filters(self):
        """Topics and units that published procedures have, for the selects."""
        catalog = api.portal.get_tool("portal_catalog")
        topics = set()
        unit_uids = set()
        for brain in catalog(**self.base_query()):
            topics.update(brain.Subject or ())
            if brain.responsible_unit:
                unit_uids.add(brain.responsible_unit)
        units = sorted(
            (
                {"uid": uid, "title": self._unit_titles.get(uid, uid)}
                for uid in unit_uids
            ),
            key=lambda unit: unit["title"].lower(),
        )
        return {"topics": sorted(topics, key=str.lower), "units": units}

    def rows(self):
        for brain in self.batch:
            yield {
                "title": brain.Title,
                "description": brain.Description,
                "url": brain.getURL(),
                "sia_code": brain.sia_code or "",
                "unit": self._unit_titles.get(brain.responsible_unit, ""),
                "online_start": bool(brain.online_start),
                "topics": list(brain.Subject or ()),
            }
