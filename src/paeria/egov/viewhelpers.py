"""What the Classic UI views share: translated code labels, dates and deadlines.

Used by every feature's own ``browser.py`` (expedientes, units, procedures,
collaboration, …), so it lives below them all.
"""

from datetime import datetime
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.calendar.business_days import business_days_between
from paeria.egov.settings.calendar import site_calendar
from plone import api
from plone.base.utils import human_readable_size
from plone.base.utils import munge_search_term
from zope.component import queryUtility
from zope.i18n import translate
from zope.schema.interfaces import IVocabularyFactory
from ZTUtils.Lazy import LazyCat


# A deadline this close (or past) is highlighted in the work tray.
DEADLINE_WARNING_BUSINESS_DAYS = 5


def term_title(vocabulary_name, token, request, context=None):
    """The translated title of a code, or the code itself when it is unknown
    (an imported value outside the list must still be shown, not hidden)."""
    if token is None or token == "":
        return ""
    factory = queryUtility(IVocabularyFactory, name=vocabulary_name)
    if factory is None:
        return token
    vocabulary = factory(context)
    try:
        term = vocabulary.getTerm(token)
    except LookupError:
        return token
    return translate(term.title, context=request)


def as_date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    return value


def localized_date(value, long_format=False):
    """A date, or a moment in the office's time (Europe/Madrid, art. 31
    LPAC), in the site's format. An aware moment is shown in Madrid's time
    whatever the server's zone: Plone's formatter would show it in the
    server's."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(clock.MADRID).replace(tzinfo=None)
    return api.portal.get_localized_time(datetime=value, long_format=long_format)


def business_days_left(deadline, reference=None):
    """Business days from today (excluded) to the deadline (included);
    negative when the deadline has passed."""
    deadline = as_date(deadline)
    if deadline is None:
        return None
    return business_days_between(reference or clock.today(), deadline, site_calendar())


def deadline_status(deadline, request, reference=None):
    """Days left, a sentence saying so and whether the deadline needs attention."""
    left = business_days_left(deadline, reference)
    if left is None:
        return {"days_left": None, "text": "", "urgent": False, "overdue": False}
    if left < 0:
        message = _(
            "msg_deadline_overdue",
            default="Overdue by ${days} business days",
            mapping={"days": -left},
        )
    elif left == 0:
        reference = reference or clock.today()
        if as_date(deadline) < reference:
            # Past, but only non-business days in between: still overdue.
            message = _("msg_deadline_passed", default="Deadline passed")
            left = -1
        else:
            message = _("msg_deadline_today", default="Due today")
    else:
        message = _(
            "msg_deadline_days_left",
            default="${days} business days left",
            mapping={"days": left},
        )
    return {
        "days_left": left,
        "text": translate(message, context=request),
        "urgent": left <= DEADLINE_WARNING_BUSINESS_DAYS,
        "overdue": left < 0,
    }


def search_sorted(query, sort_on, sort_order="ascending"):
    """Catalog results sorted on ``sort_on``, followed by those that have no value
    in that index. ZCatalog silently drops such documents when sorting, and an
    expediente without a deadline (or a document without an order) must not
    vanish from a listing. The extra work happens only when some are missing."""
    catalog = api.portal.get_tool("portal_catalog")
    ordered = catalog(sort_on=sort_on, sort_order=sort_order, **query)
    everything = catalog(**query)
    if len(everything) == len(ordered):
        return ordered
    keyed = catalog._catalog.getIndex(sort_on).documentToKeyMap()
    unkeyed = [brain for brain in everything if brain.getRID() not in keyed]
    return LazyCat([ordered, unkeyed])


def readable_size(size):
    if not size:
        return ""
    if isinstance(size, str):
        # The getObjSize metadata is already human readable ("12.3 KB").
        return size
    return human_readable_size(size)


def search_text(value):
    """A visitor's words as a safe SearchableText query (quoted operators,
    prefix match on the last word), or None when there is nothing to search."""
    value = (value or "").strip()
    if not value:
        return None
    return munge_search_term(value)


def form_text(request, name, max_length=200):
    """A single text value from the form, trimmed; lists and oversize input
    are reduced rather than trusted."""
    value = request.form.get(name, "")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    if not isinstance(value, str):
        return ""
    return value.strip()[:max_length]


def state_title(obj, request):
    """The title of ``obj``'s workflow state, translated."""
    wftool = api.portal.get_tool("portal_workflow")
    state = api.content.get_state(obj, default=None)
    title = wftool.getTitleForStateOnType(state, obj.portal_type) if state else ""
    return translate(title, domain="plone", context=request) if title else ""
