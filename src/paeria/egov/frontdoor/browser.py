"""Classic UI of the front door: the site root's default view ``@@portada``,
the citizen's menu, the council's logo and colours."""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.desk.desk import is_staff
from paeria.egov.settings.calendar import parse_holiday_lines
from paeria.egov.settings.colours import is_hex_colour
from paeria.egov.settings.interfaces import IPaeriaSettings
from plone import api
from plone.app.layout.viewlets.common import LogoViewlet
from plone.app.layout.viewlets.common import PersonalBarViewlet
from plone.app.layout.viewlets.common import ViewletBase
from plone.app.layout.viewlets.social import SocialTagsViewlet
from plone.app.layout.viewlets.toolbar import ToolbarViewletManager
from plone.formwidget.namedfile.converter import b64decode_file
from plone.namedfile.file import NamedImage
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
import os
import plone.app.layout.viewlets.social as plone_social


PREFIX = "paeria.egov"
#: Where plone.app.layout keeps the templates of the viewlets redone here.
PLONE_VIEWLETS = os.path.dirname(plone_social.__file__)
#: The neutral municipal emblem shipped with the add-on (static/).
DEFAULT_LOGO = "++plone++paeria.egov/emblem.svg"
DEFAULT_OPENING_HOURS = _(
    "msg_default_register_hours", default="Monday to Friday, from 9:00 to 14:00"
)


def setting(name, default=None):
    field = IPaeriaSettings[name]
    value = api.portal.get_registry_record(f"{PREFIX}.{name}", default=None)
    if value is None:
        value = field.default if default is None else default
    return value


class PortadaView(BrowserView):
    """The home page: find a procedure, start one, Mi carpeta, the general
    application, verify a document; the register's hours, the official date
    and time and this year's non-business days (Ley 39/2015, art. 31)."""

    def __call__(self):
        return self.index()

    def portal_url(self):
        return api.portal.get().absolute_url()

    def council(self):
        return setting("organo_name")

    def doors(self):
        """The ways in, each a title, a line saying what it is for and a link."""
        url = self.portal_url()
        doors = [
            (
                "paeria-door-start",
                _("door_start", default="Start a procedure"),
                _(
                    "door_start_help",
                    default="Choose it in the catalogue and apply online.",
                ),
                f"{url}/tramites",
            ),
            (
                "paeria-door-general",
                _("door_general", default="General application"),
                _(
                    "door_general_help",
                    default="For a request that matches no procedure of the catalogue.",
                ),
                f"{url}/tramites/@@instancia-generica",
            ),
            (
                "paeria-door-carpeta",
                _("door_carpeta", default="My folder"),
                _(
                    "door_carpeta_help",
                    default="Your case files, notifications and receipts.",
                ),
                f"{url}/@@mi-carpeta",
            ),
            (
                "paeria-door-verify",
                _("door_verify", default="Verify a document"),
                _(
                    "door_verify_help",
                    default="Check a document or receipt of the council by its CSV.",
                ),
                f"{url}/@@verificar",
            ),
        ]
        return [
            {
                "id": door_id,
                "title": translate(title, context=self.request),
                "help": translate(help_text, context=self.request),
                "url": door_url,
            }
            for door_id, title, help_text, door_url in doors
        ]

    def official_time(self):
        """The office's official date and time (Europe/Madrid), to the second."""
        return clock.office_now().strftime("%d/%m/%Y %H:%M:%S")

    def official_timestamp(self):
        return clock.office_now().isoformat()

    def opening_hours(self):
        hours = (setting("register_opening_hours") or "").strip()
        return hours or translate(DEFAULT_OPENING_HOURS, context=self.request)

    def year(self):
        return clock.today().year

    def holidays(self):
        """This year's non-business days besides weekends, in date order."""
        lines = setting("holidays", default=[]) or []
        try:
            by_year = parse_holiday_lines(lines)
        except ValueError:
            return []
        days = by_year.get(self.year(), {})
        return [
            {"date": day.strftime("%d/%m/%Y"), "iso": day.isoformat(), "name": name}
            for day, name in sorted(days.items())
        ]


# -- On every page ----------------------------------------------------------------

#: What a citizen's menu holds, in this order (plone.membertools shows it to
#: anyone logged in who does not get the editing toolbar): id, title, where.
CITIZEN_MENU = (
    ("mi-carpeta", _("action_mi_carpeta", default="My folder"), "@@mi-carpeta"),
    (
        "mi-perfil",
        _("action_mi_perfil", default="My profile"),
        "@@personal-information",
    ),
    ("logout", _("action_logout", default="Log out"), "logout"),
)


STAFF_DESK = ("mi-mesa", _("action_mi_mesa", default="My desk"), "@@mi-mesa")


class CitizenMenuViewlet(PersonalBarViewlet):
    """Mi carpeta, Mi perfil and logout, as a plain list of links."""

    def update(self):
        super().update()
        root = self.navigation_root_url
        menu = CITIZEN_MENU
        # Staff hold their roles in their units, so outside them (the site's
        # root, Mi carpeta) they get this menu too: it leads them to their desk.
        if is_staff(api.user.get_current().getId()):
            menu = (STAFF_DESK, *CITIZEN_MENU)
        self.user_actions = [
            {
                "id": action_id,
                "title": translate(title, context=self.request),
                "href": f"{root}/{path}",
            }
            for action_id, title, path in menu
        ]


def council_logo_url():
    """The council's logo from the e-Administration settings, else the
    neutral emblem, as a URL."""
    portal_url = api.portal.get().absolute_url()
    if setting("logo", default=b""):
        return f"{portal_url}/@@council-logo"
    return f"{portal_url}/{DEFAULT_LOGO}"


class CouncilLogoViewlet(LogoViewlet):
    """The council's logo from the e-Administration settings, else Plone's
    site logo if the council set one there, else the neutral emblem; never
    Plone's own."""

    def update(self):
        super().update()
        self.council = setting("organo_name")
        if setting("logo", default=b"") or self.img_src.endswith("plone-logo.svg"):
            self.img_src = council_logo_url()


def _names_plone_logo(tag):
    return isinstance(tag, dict) and str(tag.get("content", "")).endswith(
        "plone-logo.svg"
    )


class CouncilSocialTags(SocialTagsViewlet):
    """Plone's social metadata, with the council's logo where Plone would
    name its own as the page's image (og:image of pages without a lead image)."""

    index = ViewPageTemplateFile(os.path.join(PLONE_VIEWLETS, "social_tags.pt"))

    def _get_tags(self):
        tags = super()._get_tags()
        if not any(_names_plone_logo(tag) for tag in tags):
            return tags
        uploaded = bool(setting("logo", default=b""))
        council_tags = []
        for tag in tags:
            if _names_plone_logo(tag):
                tag = dict(tag, content=council_logo_url())
            elif (
                uploaded
                and isinstance(tag, dict)
                and tag.get("property") == "og:image:type"
            ):
                continue  # an uploaded logo's type is its own, not SVG
            council_tags.append(tag)
        return council_tags


class CouncilSocialBodyTags(CouncilSocialTags):
    index = ViewPageTemplateFile(os.path.join(PLONE_VIEWLETS, "social_tags_body.pt"))


class CouncilColoursViewlet(ViewletBase):
    """The two colours of the settings as CSS variables (static/paeria.css
    uses them); each checked to be a colour, so nothing else gets in."""

    def index(self):
        header = setting("colour_header")
        accent = setting("colour_accent")
        defaults = IPaeriaSettings
        header = header if is_hex_colour(header) else defaults["colour_header"].default
        accent = accent if is_hex_colour(accent) else defaults["colour_accent"].default
        accent_rgb = ", ".join(str(int(accent[i : i + 2], 16)) for i in (1, 3, 5))
        return (
            '<style id="paeria-colours">:root{'
            f"--paeria-header:{header};--paeria-accent:{accent};"
            f"--paeria-accent-rgb:{accent_rgb};"
            "}</style>"
        )


class CouncilLogoView(BrowserView):
    """``@@council-logo``: the image uploaded in the settings."""

    def __call__(self):
        value = setting("logo", default=b"")
        if not value:
            self.request.response.setStatus(404)
            return ""
        filename, data = b64decode_file(value)
        image = NamedImage(data=data, filename=filename)
        response = self.request.response
        response.setHeader("Content-Type", image.contentType)
        response.setHeader("Content-Length", str(len(data)))
        response.setHeader("Cache-Control", "public, max-age=300")
        return data


class StaffToolbar(ToolbarViewletManager):
    """Plone's toolbar, its pin and unpin controls given the role of the
    buttons they are (an ``<a>`` without ``href`` may not carry an
    ``aria-label``: axe's aria-prohibited-attr). templates/toolbar.pt is
    plone.app.layout 6.0.2's with only that changed."""

    custom_template = ViewPageTemplateFile("templates/toolbar.pt")
