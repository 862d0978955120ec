"""The demo data set of `make start`: units with staff, procedures,
expedientes, and the accounts a visitor tries (a citizen who finds her case in
Mi carpeta, a register clerk, an auditor)."""

from paeria.egov.carpeta.summary import carpeta
from paeria.egov.demo.creation import create_demo_data
from paeria.egov.demo.data import CITIZEN
from paeria.egov.demo.data import EXPEDIENTES
from paeria.egov.demo.data import GLOBAL_STAFF
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from plone import api
import unittest


class TestDemoData(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        create_demo_data(self.portal)

    def test_it_is_idempotent(self):
        catalog = api.portal.get_tool("portal_catalog")
        before = len(catalog.unrestrictedSearchResults(portal_type="Expediente"))
        self.assertEqual(before, len(EXPEDIENTES))
        create_demo_data(self.portal)
        after = len(catalog.unrestrictedSearchResults(portal_type="Expediente"))
        self.assertEqual(after, before)

    def test_the_citizen_finds_her_expediente_in_mi_carpeta(self):
        username, _fullname, nif = CITIZEN
        with api.env.adopt_user(username=username):
            data = carpeta(self.request)
        self.assertEqual(data["nif"], nif)
        expected = [
            title
            for _unit, _proc, title, party, _docs in EXPEDIENTES
            if party[1] == nif
        ]
        self.assertEqual([item["title"] for item in data["expedientes"]], expected)

    def test_the_clerk_and_the_auditor_hold_their_global_roles(self):
        for username, _fullname, role in GLOBAL_STAFF:
            with self.subTest(user=username):
                self.assertIn(role, api.user.get_roles(username=username))
