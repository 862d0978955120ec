"""The add-on installs and uninstalls cleanly."""

from paeria.egov import clock
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.settings.calendar import parse_holiday_lines
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.browserlayer import utils
import unittest


PROFILE = "paeria.egov:default"


class TestSetup(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")

    def test_product_installed(self):
        self.assertTrue(api.addon.get("paeria.egov").valid)
        self.assertIn("paeria.egov", api.addon.get_addon_ids(limit="installed"))

    def test_profile_version_is_current(self):
        self.assertEqual(
            self.setup.getLastVersionForProfile(PROFILE),
            tuple(self.setup.getVersionForProfile(PROFILE).split(".")),
        )

    def test_browserlayer_registered(self):
        self.assertIn(IPaeriaEgovLayer, utils.registered_layers())

    def test_languages(self):
        self.assertEqual(api.portal.get_registry_record("plone.default_language"), "es")
        self.assertEqual(
            api.portal.get_registry_record("plone.available_languages"),
            ["es", "ca", "en"],
        )

    def test_uninstall_profile_is_hidden(self):
        from plone.base.interfaces import INonInstallable
        from zope.component import getAllUtilitiesRegisteredFor

        hidden = set()
        for utility in getAllUtilitiesRegisteredFor(INonInstallable):
            hidden.update(utility.getNonInstallableProfiles())
        self.assertIn("paeria.egov:uninstall", hidden)


class TestUninstall(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        api.addon.uninstall("paeria.egov")

    def test_product_uninstalled(self):
        self.assertNotIn("paeria.egov", api.addon.get_addon_ids(limit="installed"))

    def test_browserlayer_removed(self):
        self.assertNotIn(IPaeriaEgovLayer, utils.registered_layers())


class TestSiteLayout(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_sections_exist_with_their_types(self):
        expected = {
            "tramites": "Catalogo",
            "registro": "Registro",
            "unidades": "Unidades",
        }
        for section_id, portal_type in expected.items():
            with self.subTest(section=section_id):
                self.assertEqual(self.portal[section_id].portal_type, portal_type)

    def test_post_install_is_idempotent(self):
        from paeria.egov.setuphandlers import post_install

        before = sorted(self.portal.objectIds())
        holidays = api.portal.get_registry_record("paeria.egov.holidays")
        post_install(None)
        self.assertEqual(sorted(self.portal.objectIds()), before)
        self.assertEqual(
            api.portal.get_registry_record("paeria.egov.holidays"), holidays
        )

    def test_holidays_prefilled_for_this_and_next_year(self):
        # Installed when the layer was set up: that year (Madrid's) and the
        # next, whatever the date, even if the run has crossed a New Year since.
        # Which year an instant gives is test_deadlines' (at stated instants).
        lines = api.portal.get_registry_record("paeria.egov.holidays")
        years = sorted(parse_holiday_lines(lines))
        self.assertEqual(len(years), 2)
        self.assertEqual(years[1], years[0] + 1)
        self.assertIn(clock.today().year, years)
        for each in years:
            with self.subTest(year=each):
                self.assertIn(f"{each}-12-25 ", "\n".join(lines))
                self.assertIn(f"{each}-09-11 ", "\n".join(lines))  # Diada (Catalonia)
                self.assertIn(f"{each}-05-11 Sant Anastasi", lines)

    def test_units_and_register_are_not_public(self):
        for section_id in ("unidades", "registro"):
            with self.subTest(section=section_id):
                roles = [
                    r["name"]
                    for r in self.portal[section_id].rolesOfPermission("View")
                    if r["selected"]
                ]
                self.assertNotIn("Anonymous", roles)
                self.assertNotIn("Authenticated", roles)

    def test_catalogue_is_in_the_navigation(self):
        self.assertIn(
            "Catalogo", api.portal.get_registry_record("plone.displayed_types")
        )


class TestCookiePolicy(unittest.TestCase):
    """SECURE_COOKIES=1 (behind HTTPS) gives the login cookie its secure flag,
    applied on every start; unset, it is taken away again."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def test_the_environment_decides_the_secure_flag(self):
        from paeria.egov.instance.config import InstanceSettings
        from paeria.egov.instance.site import apply_cookie_policy

        portal = self.layer["portal"]
        session = portal.acl_users.session
        for environ, expected in (
            ({"SECURE_COOKIES": "1"}, True),
            ({}, False),
            ({"SECURE_COOKIES": "yes"}, True),
        ):
            with self.subTest(environ=environ):
                settings = InstanceSettings.from_environment("/tmp", environ)
                apply_cookie_policy(portal, settings)
                self.assertIs(bool(session.secure), expected)
