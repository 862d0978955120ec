"""The units' pages: /unidades, the units the user can see with their open
expedientes, and a unit's work tray, its open expedientes most urgent first."""

from paeria.egov.viewhelpers import deadline_status
from paeria.egov.viewhelpers import form_text
from paeria.egov.viewhelpers import localized_date
from paeria.egov.viewhelpers import search_sorted
from paeria.egov.viewhelpers import search_text
from plone import api
from plone.base.utils import safe_int
from plone.batching import Batch
from Products.Five.browser import BrowserView
import re


OPEN = "E01"  # the ENI state of an open expediente


# A unit's work tray -----------------------------------------------------------

ADD_EXPEDIENTE_PERMISSION = "paeria.egov: Add Expediente"
# The permission of the unit's @@eni-import (eni/configure.zcml): the link is
# offered to exactly those the form would serve.
IMPORT_ENI_PERMISSION = "paeria.egov: Import ENI"
PAGE_SIZE = 25
# Identifiers are indexed in their canonical form: upper case, no separators.
_IDENTIFIER_SEPARATORS = re.compile(r"[\s.\-/]")
# "2026/12" is read as "2026/000012": people do not type the padding.
_NUMBER_RE = re.compile(r"(\d{4})\s*/\s*(\d{1,6})")


def normalise_identifier(value):
    return _IDENTIFIER_SEPARATORS.sub("", value or "").upper()


def normalise_number(value):
    match = _NUMBER_RE.fullmatch((value or "").strip())
    if match is None:
        return (value or "").strip()
    year, number = match.groups()
    return f"{year}/{int(number):06d}"


class UnidadView(BrowserView):
    def __call__(self):
        self.update()
        return self.index()

    def update(self):
        form = self.request
        self.text = form_text(form, "SearchableText")
        self.identifier = form_text(form, "interesado", max_length=40)
        self.numero = form_text(form, "numero", max_length=20)
        self.b_start = max(safe_int(form.form.get("b_start", 0)), 0)
        self.batch = Batch(self.results(), PAGE_SIZE, start=self.b_start)
        self._procedures = self._procedure_titles(self.batch)

    @property
    def searching(self):
        return bool(self.text or self.identifier or self.numero)

    def query(self):
        query = {
            "portal_type": "Expediente",
            "path": {"query": "/".join(self.context.getPhysicalPath()), "depth": 1},
            "eni_state": OPEN,
        }
        text = search_text(self.text)
        if text:
            query["SearchableText"] = text
        if self.identifier:
            query["interesados_ids"] = normalise_identifier(self.identifier)
        if self.numero:
            query["expediente_numero"] = normalise_number(self.numero)
        return query

    def results(self):
        """Most urgent first; those without a deadline last."""
        return search_sorted(self.query(), "fecha_limite")

    def _procedure_titles(self, brains):
        """Procedure names for one page, in a single catalog query."""
        uids = {brain.procedimiento_uid for brain in brains if brain.procedimiento_uid}
        if not uids:
            return {}
        catalog = api.portal.get_tool("portal_catalog")
        # Unrestricted: a tray must name the procedure even while it is a draft.
        return {
            brain.UID: brain.Title
            for brain in catalog.unrestrictedSearchResults(
                portal_type="Procedimiento", UID=list(uids)
            )
        }

    def rows(self):
        for brain in self.batch:
            deadline = deadline_status(brain.fecha_limite, self.request)
            yield {
                "numero": brain.expediente_numero or "",
                "title": brain.Title,
                "url": brain.getURL(),
                "procedure": self._procedures.get(brain.procedimiento_uid, ""),
                "interesados": ", ".join(brain.interesados_names or ()),
                "deadline": localized_date(brain.fecha_limite),
                "deadline_text": deadline["text"],
                "urgent": deadline["urgent"],
                "overdue": deadline["overdue"],
            }

    def can_add_expediente(self):
        return api.user.has_permission(ADD_EXPEDIENTE_PERMISSION, obj=self.context)

    def add_expediente_url(self):
        return f"{self.context.absolute_url()}/++add++Expediente"

    def can_import_eni(self):
        return api.user.has_permission(IMPORT_ENI_PERMISSION, obj=self.context)

    def import_eni_url(self):
        return f"{self.context.absolute_url()}/@@eni-import"


# The list of units (/unidades) ------------------------------------------------


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
