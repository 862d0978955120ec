"""The citizen's front door (issue 20): the home page of the electronic
office, the citizen's menu instead of Plone's toolbar, the council's look."""

from lxml import html
from paeria.egov.settings.colours import contrast_ratio
from paeria.egov.settings.colours import readable_on_white
from paeria.egov.settings.controlpanel import colour_readable_on_white
from paeria.egov.settings.interfaces import IPaeriaSettings
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.upgrades.v1005 import front_door
from paeria.egov.validators.constraints import FieldValueError
from plone import api
from plone.app.testing import login
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.app.testing import TEST_USER_NAME
from plone.testing.zope import Browser
import base64
import transaction
import unittest


CITIZEN = "anna.citizen"
PASSWORD = "secret-citizen-1"


class FrontDoorTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        base.travel(self, "2026-06-02T10:00", tick=False)
        self.app = self.layer["app"]
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        login(self.portal, TEST_USER_NAME)
        base.with_holidays(2026, 2027)
        if api.user.get(username=CITIZEN) is None:
            api.user.create(
                email="anna@example.org",
                username=CITIZEN,
                password=PASSWORD,
                properties={"fullname": "Anna Puig"},
            )
        transaction.commit()

    def open(self, url, username=None, password=PASSWORD):
        browser = Browser(self.app)
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "es")
        if username:
            browser.addHeader("Authorization", f"Basic {username}:{password}")
        browser.open(url)
        return browser, html.fromstring(browser.contents)

    def texts(self, tree, xpath):
        return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


class HomePageTests(FrontDoorTestCase):
    def test_the_site_root_shows_the_electronic_office(self):
        _browser, tree = self.open(self.url)
        self.assertIn("template-portada", tree.xpath("//body/@class")[0])
        self.assertEqual(
            self.texts(tree, "//h1"), ["Sede electrónica de Ajuntament de Lleida"]
        )

    def test_every_way_in_for_a_citizen(self):
        _browser, tree = self.open(self.url)
        doors = {
            " ".join(link.text_content().split()): link.get("href")
            for link in tree.xpath("//ul[contains(@class,'paeria-doors')]//a")
        }
        self.assertEqual(
            doors,
            {
                "Iniciar un trámite": f"{self.url}/tramites",
                "Instancia general": f"{self.url}/tramites/@@instancia-generica",
                "Mi carpeta": f"{self.url}/@@mi-carpeta",
                "Verificar un documento": f"{self.url}/@@verificar",
            },
        )
        (search,) = tree.xpath("//form[contains(@class,'paeria-home-search')]")
        self.assertEqual(search.get("action"), f"{self.url}/tramites")
        self.assertEqual(search.xpath(".//input/@name"), ["SearchableText"])
        self.assertEqual(
            self.texts(search, ".//label"), ["Buscar en el catálogo de trámites"]
        )

    def test_official_date_and_time_and_non_business_days(self):
        # Ley 39/2015, art. 31: the office shows both.
        _browser, tree = self.open(self.url)
        self.assertEqual(
            self.texts(tree, "//p[contains(@class,'paeria-official-time')]"),
            ["Fecha y hora oficial: 02/06/2026 10:00:00 (hora de Madrid)"],
        )
        holidays = self.texts(tree, "//ul[contains(@class,'paeria-holidays')]/li")
        self.assertIn("01/01/2026 Cap d'Any", holidays)
        self.assertIn("11/05/2026 Sant Anastasi", holidays)
        self.assertFalse([line for line in holidays if "/2027 " in line])
        self.assertEqual(
            self.texts(tree, "//h2[@id='paeria-holidays-heading']"),
            ["Días inhábiles de 2026"],
        )

    def test_the_register_hours_come_from_the_settings(self):
        _browser, tree = self.open(self.url)
        self.assertEqual(
            self.texts(tree, "//span[contains(@class,'paeria-opening-hours')]"),
            ["De lunes a viernes, de 9:00 a 14:00"],
        )
        api.portal.set_registry_record(
            "paeria.egov.register_opening_hours", "Dilluns a dijous, 8:30-14:30"
        )
        transaction.commit()
        _browser, tree = self.open(self.url)
        self.assertEqual(
            self.texts(tree, "//span[contains(@class,'paeria-opening-hours')]"),
            ["Dilluns a dijous, 8:30-14:30"],
        )


class CitizenMenuTests(FrontDoorTestCase):
    def test_a_citizen_gets_no_toolbar_but_her_menu(self):
        _browser, tree = self.open(self.url, CITIZEN)
        self.assertEqual(tree.xpath("//*[@id='edit-bar']"), [])
        menu = tree.xpath("//ul[contains(@class,'paeria-citizen-menu')]//a")
        self.assertEqual(
            [(link.text_content().strip(), link.get("href")) for link in menu],
            [
                ("Mi carpeta", f"{self.url}/@@mi-carpeta"),
                ("Mi perfil", f"{self.url}/@@personal-information"),
                ("Salir", f"{self.url}/logout"),
            ],
        )

    def test_the_staff_keep_the_toolbar(self):
        _browser, tree = self.open(self.url, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        self.assertEqual(len(tree.xpath("//*[@id='edit-bar']")), 1)
        self.assertEqual(tree.xpath("//ul[contains(@class,'paeria-citizen-menu')]"), [])
        # Its pin controls are buttons, so their labels are allowed (axe).
        for control in tree.xpath(
            "//a[contains(@class,'toolbar-collapse') or "
            "contains(@class,'toolbar-expand')]"
        ):
            self.assertEqual(control.get("role"), "button")

    def test_a_unit_s_staff_get_the_toolbar_in_their_unit(self):
        unidad = base.create_unidad(self.portal)
        api.user.create(email="t@example.org", username="tram", password=PASSWORD)
        api.user.grant_roles(username="tram", obj=unidad, roles=["Tramitador"])
        transaction.commit()
        _browser, tree = self.open(unidad.absolute_url(), "tram")
        self.assertEqual(len(tree.xpath("//*[@id='edit-bar']")), 1)


class LookTests(FrontDoorTestCase):
    def test_the_neutral_emblem_and_the_council_s_name_not_plone_s_logo(self):
        browser, tree = self.open(self.url)
        (logo,) = tree.xpath("//a[@id='portal-logo']")
        self.assertTrue(logo.xpath(".//img/@src")[0].endswith("emblem.svg"))
        self.assertIn("Ajuntament de Lleida", logo.text_content())
        self.assertNotIn("plone-logo.svg", browser.contents)
        self.assertEqual(
            tree.xpath("//meta[@property='og:image']/@content"),
            [f"{self.url}/++plone++paeria.egov/emblem.svg"],
        )

    def test_an_uploaded_logo_is_served_and_shown(self):
        png = base64_png()
        api.portal.set_registry_record(
            "paeria.egov.logo", b"filenameb64:bG9nby5wbmc=;datab64:" + png
        )
        transaction.commit()
        _browser, tree = self.open(self.url)
        self.assertEqual(
            tree.xpath("//a[@id='portal-logo']//img/@src"),
            [f"{self.url}/@@council-logo"],
        )
        browser, _tree = self.open(f"{self.url}/@@council-logo")
        self.assertEqual(browser.headers["Content-Type"], "image/png")

    def test_the_colours_reach_every_page_as_css_variables(self):
        api.portal.set_registry_record("paeria.egov.colour_accent", "#7a1f1f")
        transaction.commit()
        browser, _tree = self.open(f"{self.url}/tramites")
        self.assertIn("--paeria-accent:#7a1f1f;", browser.contents)
        self.assertIn("--paeria-accent-rgb:122, 31, 31;", browser.contents)
        self.assertIn("++plone++paeria.egov/paeria.css", browser.contents)


def base64_png():
    return base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
        )
    )


class ColourTests(unittest.TestCase):
    def test_contrast_as_wcag_defines_it(self):
        self.assertAlmostEqual(contrast_ratio("#000000", "#ffffff"), 21.0)
        self.assertAlmostEqual(contrast_ratio("#777777", "#ffffff"), 4.48, places=2)
        for name in ("colour_header", "colour_accent"):
            with self.subTest(default=name):
                self.assertTrue(readable_on_white(IPaeriaSettings[name].default))

    def test_the_control_panel_refuses_an_unreadable_colour(self):
        cases = (
            ("#1d3d5c", None),
            ("#767676", None),  # 4.54:1, just enough
            ("#777777", "contrast"),
            ("#ffff00", "contrast"),
            ("blue", "format"),
            ("#12345", "format"),
            ("#1d3d5c;}", "format"),
        )
        for value, problem in cases:
            with self.subTest(value=value):
                if problem is None:
                    self.assertTrue(colour_readable_on_white(value))
                else:
                    with self.assertRaises(FieldValueError) as raised:
                        colour_readable_on_white(value)
                    self.assertEqual(
                        str(raised.exception.message), f"error_colour_{problem}"
                    )


class UpgradeTo1005Tests(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def test_an_existing_site_gets_the_front_door(self):
        portal = self.layer["portal"]
        setRoles(portal, TEST_USER_ID, ["Manager"])
        portal.setLayout("document_view")
        portal.manage_permission("Show Toolbar", roles=["Authenticated"], acquire=False)
        registry = api.portal.get_tool("portal_registry")
        for name in ("colour_header", "colour_accent", "logo"):
            del registry.records[f"paeria.egov.{name}"]
        for _run in range(2):  # running it again changes nothing
            front_door(None)
            self.assertEqual(portal.getLayout(), "portada")
            roles = {
                role["name"]
                for role in portal.rolesOfPermission("Show Toolbar")
                if role["selected"]
            }
            self.assertIn("Tramitador", roles)
            self.assertNotIn("Authenticated", roles)
            self.assertNotIn("Member", roles)
            self.assertEqual(
                api.portal.get_registry_record("paeria.egov.colour_header"), "#1d3d5c"
            )
            self.assertTrue(
                api.portal.get_registry_record(
                    "plone.bundles/paeria-egov.enabled", default=False
                )
            )
