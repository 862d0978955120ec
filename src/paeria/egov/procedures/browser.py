"""The procedure catalogue as citizens see it: /tramites, searchable and
filterable, and a procedure's page, read before applying."""

from paeria.egov import _
from paeria.egov.states import Procedimiento
from paeria.egov.viewhelpers import form_text
from paeria.egov.viewhelpers import search_text
from paeria.egov.viewhelpers import term_title
from plone import api
from plone.base.utils import safe_int
from plone.batching import Batch
from Products.Five.browser import BrowserView
from zope.i18n import translate
from zope.i18nmessageid import Message


# The catalogue (/tramites) ----------------------------------------------------

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
                "start_url": f"{brain.getURL()}/@@iniciar"
                if brain.online_start
                else None,
                "topics": list(brain.Subject or ()),
            }


# A procedure's page -----------------------------------------------------------

# "3 months", "20 business days": one message per unit so that translators
# can inflect each (Spanish and Catalan agree number and gender differently).
# Each written out in full: i18ndude extracts only literal _("id", default=…).
MAX_TIME_MESSAGES = {
    "months": _("msg_max_time_months", default="${amount} months"),
    "business_days": _("msg_max_time_business_days", default="${amount} business days"),
    "calendar_days": _("msg_max_time_calendar_days", default="${amount} calendar days"),
}
MAX_TIME_SINGULAR_MESSAGES = {
    "months": _("msg_max_time_one_month", default="1 month"),
    "business_days": _("msg_max_time_one_business_day", default="1 business day"),
    "calendar_days": _("msg_max_time_one_calendar_day", default="1 calendar day"),
}

SILENCE_EXPLANATIONS = {
    "estimatorio": _(
        "msg_silence_estimatorio_explained",
        default="If the council has not notified you of its decision when the "
        "maximum time is over, you may take your application as granted.",
    ),
    "desestimatorio": _(
        "msg_silence_desestimatorio_explained",
        default="If the council has not notified you of its decision when the "
        "maximum time is over, you may take your application as refused, and you "
        "can then appeal against that refusal.",
    ),
}


def can_start_online(procedimiento):
    """Published and open to online filing: what ``@@iniciar`` accepts."""
    state = api.content.get_state(procedimiento, default=None)
    return bool(procedimiento.online_start) and state in PUBLISHED_STATES


class ProcedimientoView(BrowserView):
    def __call__(self):
        return self.index()

    def requirements(self):
        """The sanitised HTML of the rich text (portal_transforms' safe_html)."""
        requirements = self.context.requirements
        if requirements is None:
            return ""
        return requirements.output_relative_to(self.context) or ""

    def required_documents(self):
        mandatory = translate(_("label_yes", default="Yes"), context=self.request)
        optional = translate(_("label_no", default="No"), context=self.request)
        for row in self.context.required_documents or ():
            yield {
                "name": row.get("name") or "",
                "mandatory": mandatory if row.get("mandatory") else optional,
                "is_mandatory": bool(row.get("mandatory")),
                "tipo_documental": term_title(
                    "paeria.egov.TipoDocumental",
                    row.get("tipo_documental"),
                    self.request,
                ),
            }

    def max_time(self):
        amount = self.context.max_resolution_amount
        unit = self.context.max_resolution_unit
        if not amount:
            return ""
        messages = MAX_TIME_SINGULAR_MESSAGES if amount == 1 else MAX_TIME_MESSAGES
        if unit not in messages:
            unit_label = term_title("paeria.egov.UnidadPlazo", unit, self.request)
            return f"{amount} {unit_label}"
        message = messages[unit]
        return translate(
            Message(message, mapping={"amount": amount}), context=self.request
        )

    def silence(self):
        effect = self.context.silence_effect
        explanation = SILENCE_EXPLANATIONS.get(effect)
        return {
            "label": term_title("paeria.egov.Silencio", effect, self.request),
            "explanation": (
                translate(explanation, context=self.request) if explanation else ""
            ),
        }

    def channels(self):
        return [
            term_title("paeria.egov.Canal", channel, self.request)
            for channel in self.context.channels or ()
        ]

    def online_start(self):
        return bool(self.context.online_start)

    def start_url(self):
        """Where "Start this procedure" leads, when it can be started online:
        the filing form, which sends an anonymous visitor to log in first
        and back to it (came_from)."""
        if not can_start_online(self.context):
            return None
        return f"{self.context.absolute_url()}/@@iniciar"

    def responsible_unit(self):
        """The unit's name only: citizens cannot open units, and a name is
        public information, so it is read without the visitor's permissions."""
        uid = self.context.responsible_unit
        if not uid:
            return ""
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog.unrestrictedSearchResults(portal_type="Unidad", UID=uid)
        return brains[0].Title if brains else ""
