"""The add-on installs and uninstalls cleanly."""

from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from plone import api
from plone.app.testing import TEST_USER_ID
from plone.app.testing import setRoles
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
