"""Upgrade steps: a site left by an earlier profile version is brought to the
current one with nothing lost."""

from DateTime import DateTime
from paeria.egov.clock import MADRID
from paeria.egov.settings.interfaces import IPaeriaSettings
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.upgrades import v1004
from paeria.egov.upgrades.v1003 import move_settings_records
from paeria.egov.upgrades.v1003 import OLD_INTERFACE
from paeria.egov.upgrades.v1003 import records_of_interface
from paeria.egov.upgrades.v1004 import ORIGIN_INDEX
from paeria.egov.upgrades.v1004 import store_capture_dates
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.registry import Record
from plone.registry.interfaces import IPersistentField
from plone.registry.interfaces import IRegistry
from unittest import mock
from zope.component import getUtility
import datetime
import transaction
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


# Settings a site saved before 1003, none of them the default.
SAVED_SETTINGS = {
    "organo_dir3": "L01250019",
    "organo_name": "Ajuntament de Prova",
    "allowed_formats": ["application/pdf", "text/plain"],
    "max_file_size_mb": 7,
    "holidays": ["2026-01-01 Cap d'Any", "2026-06-24 Sant Joan"],
    "municipal_holidays": ["06-24 Sant Joan"],
    "holiday_subdivision": "MD",
}
# How the records of the settings may be named in a database made before the
# move: with the profile's prefix (every site made by this profile), or after
# the interface (had it been registered without a prefix).
OLD_PREFIXES = ("paeria.egov", OLD_INTERFACE)


class TestUpgradeTo1003(unittest.TestCase):
    """The settings' interface moved from paeria.egov.registry to
    paeria.egov.settings: a site keeps its settings."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.setup = api.portal.get_tool("portal_setup")
        self.registry = getUtility(IRegistry)

    def make_it_look_like_1002(self, old_prefix):
        """The records only as a database made before the move holds them:
        made from the interface's old dotted name, which no longer resolves,
        with the site's own values (the fields of 1002; later ones, such as
        1005's colours, did not exist yet)."""
        for name in SAVED_SETTINGS:
            del self.registry.records[f"paeria.egov.{name}"]
            field = IPersistentField(IPaeriaSettings[name])
            field.interfaceName = OLD_INTERFACE
            field.fieldName = name
            self.registry.records[f"{old_prefix}.{name}"] = Record(
                field, SAVED_SETTINGS[name]
            )
        self.assertEqual(
            len(records_of_interface(self.registry, OLD_INTERFACE)),
            len(SAVED_SETTINGS),
        )
        self.assertIsNone(self.registry.records[f"{old_prefix}.organo_dir3"].interface)
        self.setup.setLastVersionForProfile(PROFILE, "1002")

    def assert_settings_kept(self):
        for name, value in SAVED_SETTINGS.items():
            with self.subTest(setting=name):
                record = self.registry.records[f"paeria.egov.{name}"]
                self.assertEqual(record.value, value)
                self.assertIs(record.interface, IPaeriaSettings)
        self.assertEqual(records_of_interface(self.registry, OLD_INTERFACE), {})
        self.assertEqual(
            [name for name in self.registry.records if name.startswith(OLD_INTERFACE)],
            [],
        )
        settings = self.registry.forInterface(IPaeriaSettings, prefix="paeria.egov")
        self.assertEqual(settings.organo_name, "Ajuntament de Prova")

    def test_settings_survive_the_move(self):
        for old_prefix in OLD_PREFIXES:
            with self.subTest(named=old_prefix):
                self.make_it_look_like_1002(old_prefix)
                self.assertTrue(self.setup.listUpgrades(PROFILE))
                self.setup.upgradeProfile(PROFILE)
                self.assertEqual(self.setup.listUpgrades(PROFILE), [])
                self.assert_settings_kept()

    def test_running_it_twice_is_harmless(self):
        self.make_it_look_like_1002("paeria.egov")
        self.setup.upgradeProfile(PROFILE)
        move_settings_records(self.setup)
        self.assert_settings_kept()

    def test_the_control_panel_keeps_its_address(self):
        self.make_it_look_like_1002("paeria.egov")
        self.setup.upgradeProfile(PROFILE)
        view = self.portal.restrictedTraverse("@@paeria-egov-settings")
        self.assertIn("Ajuntament de Prova", view())


class TestUpgradeTo1004(unittest.TestCase):
    """Documents made before 1004 without a capture date get their creation
    date, stored; those that have one keep it."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.setup = api.portal.get_tool("portal_setup")
        unidad = base.create_unidad(self.portal)
        expediente = base.create_expediente(
            unidad, base.create_procedimiento(self.portal, unidad)
        )
        self.expediente = expediente
        self.old = base.create_documento(expediente, title="Antiguo")
        self.given = base.create_documento(
            expediente,
            title="Con fecha",
            fecha_captura=MADRID.localize(datetime.datetime(2024, 5, 6, 7, 8, 9)),
        )

    def make_it_look_like_1003(self):
        """Made the old way: nothing stored, created on a known day."""
        del self.old.__dict__["fecha_captura"]
        self.old._p_changed = True
        self.old.creation_date = DateTime("2025-02-03T10:20:30+01:00")
        self.setup.setLastVersionForProfile(PROFILE, "1003")

    def test_old_documents_get_their_creation_date(self):
        self.make_it_look_like_1003()
        self.assertIsNone(self.old.fecha_captura)
        self.setup.upgradeProfile(PROFILE)
        self.assertEqual(self.setup.listUpgrades(PROFILE), [])
        expected = MADRID.localize(datetime.datetime(2025, 2, 3, 10, 20, 30))
        self.assertEqual(self.old.__dict__["fecha_captura"], expected)
        self.assertEqual(
            self.given.fecha_captura,
            MADRID.localize(datetime.datetime(2024, 5, 6, 7, 8, 9)),
        )

    def test_a_large_site_is_filled_between_savepoints(self):
        """At the reference volume the step takes a savepoint every
        SAVEPOINT_EVERY documents; here every two, over five old documents."""
        olds = [self.old] + [
            base.create_documento(self.expediente, title=f"Antiguo {n}")
            for n in range(4)
        ]
        for documento in olds[1:]:  # self.old: by make_it_look_like_1003
            del documento.__dict__["fecha_captura"]
            documento._p_changed = True
        self.make_it_look_like_1003()
        savepoints = []
        real_savepoint = transaction.savepoint

        def counting_savepoint(*args, **kwargs):
            savepoints.append(args or kwargs)
            return real_savepoint(*args, **kwargs)

        with (
            mock.patch.object(v1004, "SAVEPOINT_EVERY", 2),
            mock.patch.object(v1004.transaction, "savepoint", counting_savepoint),
        ):
            store_capture_dates(self.setup)
        self.assertEqual(len(savepoints), 2)
        for documento in olds:
            self.assertIsNotNone(documento.__dict__.get("fecha_captura"), documento)

    def test_running_it_twice_is_harmless(self):
        self.make_it_look_like_1003()
        self.setup.upgradeProfile(PROFILE)
        stored = self.old.fecha_captura
        self.old.creation_date = DateTime("2025-09-09T09:09:09+02:00")
        store_capture_dates(self.setup)
        self.assertEqual(self.old.fecha_captura, stored)

    def test_expedientes_imported_before_are_found_by_origin(self):
        self.expediente.eni_import = {
            "identifier": "ES_L01080193_2025_EXP_000042",
            "organos": ["L01080193"],
        }
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delIndex(ORIGIN_INDEX)
        self.make_it_look_like_1003()
        self.setup.upgradeProfile(PROFILE)
        brains = catalog.unrestrictedSearchResults(
            eni_origen="L01080193|ES_L01080193_2025_EXP_000042"
        )
        self.assertEqual([brain.UID for brain in brains], [self.expediente.UID()])
