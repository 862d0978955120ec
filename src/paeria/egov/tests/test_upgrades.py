"""Upgrade steps: a site left by an earlier profile version is brought to the
current one with nothing lost."""

from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
import unittest


PROFILE = "paeria.egov:default"


class TestUpgradeFrom1000(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.setup = api.portal.get_tool("portal_setup")
        self.types = api.portal.get_tool("portal_types")
        self.workflow = api.portal.get_tool("portal_workflow")
        self.catalog = api.portal.get_tool("portal_catalog")

    def make_it_look_like_1000(self):
        """What version 1000 did not have: the types and workflows of report
        requests and notifications, the register book's indexes."""
        from paeria.egov.registro.register import register_entry

        unidad = base.create_unidad(self.portal)
        self.asiento = register_entry(
            {
                "canal": "presencial",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig",
                "resumen": "Sol·licitud",
                "unidad_destino": api.content.get_uuid(unidad),
            }
        )
        for type_id in ("Notificacion", "SolicitudInforme"):
            if type_id in self.types:
                self.types.manage_delObjects([type_id])
        for workflow_id in (
            "paeria_notificacion_workflow",
            "paeria_solicitudinforme_workflow",
        ):
            if workflow_id in self.workflow:
                self.workflow.manage_delObjects([workflow_id])
        self.catalog.delIndex("registro_numero")
        self.catalog.delColumn("registro_numero")
        self.setup.setLastVersionForProfile(PROFILE, "1000")

    def test_upgrade_brings_back_what_1001_added(self):
        self.make_it_look_like_1000()
        self.assertTrue(self.setup.listUpgrades(PROFILE))
        self.setup.upgradeProfile(PROFILE)
        self.assertEqual(
            self.setup.getLastVersionForProfile(PROFILE),
            tuple(self.setup.getVersionForProfile(PROFILE).split(".")),
        )
        self.assertEqual(self.setup.listUpgrades(PROFILE), [])
        for type_id, workflow_id in (
            ("Notificacion", "paeria_notificacion_workflow"),
            ("SolicitudInforme", "paeria_solicitudinforme_workflow"),
        ):
            with self.subTest(type=type_id):
                self.assertIn(type_id, self.types)
                self.assertEqual(
                    self.workflow.getChainForPortalType(type_id), (workflow_id,)
                )
        # The entry registered before is found in the book by its number.
        brains = self.catalog.unrestrictedSearchResults(
            registro_numero=self.asiento.numero
        )
        self.assertEqual([brain.getObject() for brain in brains], [self.asiento])
        self.assertEqual(brains[0].registro_numero, self.asiento.numero)
