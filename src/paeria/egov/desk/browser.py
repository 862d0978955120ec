"""The desk's page ``@@mi-mesa``, where staff land after logging in
(``RedirectToDesk``, Plone's IRedirectAfterLogin), and ``@@paeria-is-staff``,
which the navigation's "My desk" action asks (profiles/default/actions.xml)."""

from paeria.egov.desk.desk import is_staff
from paeria.egov.desk.desk import LISTS
from paeria.egov.desk.desk import row
from paeria.egov.desk.desk import search
from paeria.egov.desk.desk import staff_units
from paeria.egov.viewhelpers import deadline_status
from paeria.egov.viewhelpers import localized_date
from plone import api
from plone.base.interfaces import IRedirectAfterLogin
from plone.base.utils import safe_int
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from urllib.parse import urlsplit
from zExceptions import Forbidden
from zExceptions import Unauthorized
from zope.interface import implementer


PAGE_SIZE = 10
# Where a login "came from" when the user asked for nothing in particular:
# the site's root and its home page, the login pages themselves.
LANDING_PATHS = {"", "index_html", "@@portada", "portada", "front-page"}
LOGIN_PAGES = {"login", "@@login", "login_form", "logged_out", "require_login"}


def current_user_id():
    return api.user.get_current().getId()


class MiMesaView(BrowserView):
    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see your desk.")
        if not is_staff(current_user_id()):
            raise Forbidden("The desk is for the staff of a unit.")
        self.update()
        return self.index()

    def update(self):
        units = staff_units(current_user_id())
        self.lists = [self._list(desk_list, units) for desk_list in LISTS]

    def _list(self, desk_list, units):
        param = f"b_start_{desk_list.id}"
        b_start = max(safe_int(self.request.form.get(param, 0)), 0)
        brains = search(desk_list.id, units)
        total = len(brains)
        return {
            "id": desk_list.id,
            "title": desk_list.title,
            "items_total": total,
            "rows": [
                self._row(brain) for brain in brains[b_start : b_start + PAGE_SIZE]
            ],
            "previous": self._page_url(param, b_start - PAGE_SIZE)
            if b_start > 0
            else None,
            "next": self._page_url(param, b_start + PAGE_SIZE)
            if b_start + PAGE_SIZE < total
            else None,
        }

    def _page_url(self, param, b_start):
        query = urlencode({param: max(b_start, 0)})
        return f"{api.portal.get().absolute_url()}/@@mi-mesa?{query}"

    def _row(self, brain):
        item = row(brain)
        deadline = deadline_status(item["deadline"], self.request)
        item["deadline_date"] = localized_date(item["deadline"])
        item["deadline_text"] = deadline["text"]
        item["overdue"] = deadline["overdue"]
        return item


class IsStaffView(BrowserView):
    """Whether the current user is staff of a unit (the "My desk" action)."""

    def __call__(self):
        return not api.user.is_anonymous() and is_staff(current_user_id())


def asked_for_nothing(came_from, portal_url):
    """Whether ``came_from`` names no page in particular: none, the site's
    root or home page, or a login page."""
    if not came_from:
        return True
    path = urlsplit(came_from).path.rstrip("/")
    root = urlsplit(portal_url).path.rstrip("/")
    if path != root and not path.startswith(f"{root}/"):
        return True
    rest = path[len(root) :].strip("/")
    return rest in LANDING_PATHS or rest.split("/")[-1] in LOGIN_PAGES


@implementer(IRedirectAfterLogin)
class RedirectToDesk:
    """Staff who log in without asking for a page in particular land on their
    desk; everyone else, and staff who followed a link, where they were
    going (Plone's login form, ``redirect_after_login``)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self, came_from=None, is_initial_login=False):
        portal_url = api.portal.get().absolute_url()
        if asked_for_nothing(came_from, portal_url) and is_staff(current_user_id()):
            return f"{portal_url}/@@mi-mesa"
        return came_from
