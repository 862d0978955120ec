"""Who handles each expediente (issue 20, LPAC arts. 20 and 53.1.b): the
assigned tramitador is set on opening to whoever opens it (when staff of the
unit), indexed, shown on the page, in the JSON and in Mi carpeta, reassigned
by the unit's Responsable only (``POST @asignar``, ``@@asignar``), journalled;
upgrade 1006 fills it for the expedientes made before."""

from paeria.egov.desk.desk import EVER as v1006_EVER
from paeria.egov.expedientes.assignment import FIELD
from paeria.egov.journal import search as journal_search
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from paeria.egov.upgrades import v1006
from plone import api
from plone.restapi.interfaces import ISerializeToJson
from plone.testing.zope import Browser
from zope.component import getMultiAdapter
import transaction
import unittest


PROFILE = "paeria.egov:default"


def catalog_values(expediente):
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(UID=expediente.UID())
    return brains[0].tramitador_asignado


class TestAssignedOnOpening(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)

    def open_as(self, user_id):
        with as_user(user_id):
            return base.create_expediente(
                self.fixture.unidad, self.fixture.procedimiento
            )

    def test_the_staff_member_who_opens_it_handles_it(self):
        expediente = self.open_as("tramitador")
        self.assertEqual(expediente.tramitador_asignado, "tramitador")
        self.assertEqual(catalog_values(expediente), "tramitador")
        catalog = api.portal.get_tool("portal_catalog")
        found = catalog.unrestrictedSearchResults(tramitador_asignado="tramitador")
        self.assertEqual([brain.UID for brain in found], [expediente.UID()])

    def test_someone_not_staff_of_the_unit_leaves_it_unassigned(self):
        expediente = base.create_expediente(
            self.fixture.unidad, self.fixture.procedimiento
        )  # the test user, a Manager but not staff of the unit
        self.assertIsNone(expediente.tramitador_asignado)
        catalog = api.portal.get_tool("portal_catalog")
        found = catalog.unrestrictedSearchResults(
            portal_type="Expediente", tramitador_asignado=""
        )
        self.assertIn(expediente.UID(), [brain.UID for brain in found])

    def test_json_names_who_handles_it(self):
        expediente = self.open_as("responsable")
        request = self.layer["request"]
        data = getMultiAdapter((expediente, request), ISerializeToJson)()
        self.assertEqual(
            data["tramitador_asignado"],
            {"id": "responsable", "fullname": "Responsable"},
        )


class TestReassignOverHTTP(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.url = self.expediente.absolute_url()
        transaction.commit()

    def asignar(self, user_id, tramitador):
        return self.session(user_id).post(
            f"{self.url}/@asignar", json={"tramitador": tramitador}
        )

    def test_the_responsable_reassigns_to_staff_of_the_unit(self):
        response = self.asignar("responsable", "tramitador")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.json()["tramitador_asignado"],
            {"id": "tramitador", "fullname": "Tramitador"},
        )
        self.refresh()
        self.assertEqual(self.expediente.tramitador_asignado, "tramitador")
        self.assertEqual(catalog_values(self.expediente), "tramitador")
        body = self.session("responsable").get(self.url).json()
        self.assertEqual(body["tramitador_asignado"]["id"], "tramitador")

    def test_the_reassignment_is_journalled(self):
        self.assertEqual(self.asignar("responsable", "tramitador").status_code, 200)
        self.refresh()
        self.assertEqual(self.asignar("responsable", "responsable").status_code, 200)
        self.refresh()
        latest, earlier = journal_search.history(self.expediente)[:2]
        self.assertEqual(latest.content["action"], "assigned")
        self.assertEqual(latest.content["user"], "responsable")
        self.assertEqual(
            latest.content["details"],
            {"previous": "tramitador", "assigned": "responsable"},
        )
        self.assertEqual(
            earlier.content["details"], {"previous": None, "assigned": "tramitador"}
        )

    def test_someone_not_staff_of_the_unit_is_refused_naming_the_field(self):
        for user_id in ("tramitador_otra", "interesado", "nadie"):
            with self.subTest(user_id):
                response = self.asignar("responsable", user_id)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn("tramitador", response.json()["error"]["fields"])
        for value in (42, ["tramitador"], None):
            with self.subTest(value=value):
                response = self.asignar("responsable", value)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json()["error"]["fields"],
                    {"tramitador": "tramitador must be a user id, as text."},
                )
        self.refresh()
        self.assertIsNone(self.expediente.tramitador_asignado)

    def test_only_the_responsable_reassigns(self):
        for user_id in ("tramitador", "tramitador_otra"):
            with self.subTest(user_id):
                response = self.asignar(user_id, "tramitador")
                self.assertIn(response.status_code, (401, 403, 404), response.text)
        self.refresh()
        self.assertIsNone(self.expediente.tramitador_asignado)

    def browser(self, user_id):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "es")
        browser.addHeader("Authorization", f"Basic {user_id}:{PASSWORD}")
        return browser

    def test_the_page_names_it_and_offers_the_form_to_the_responsable(self):
        self.assertEqual(self.asignar("responsable", "responsable").status_code, 200)
        browser = self.browser("responsable")
        browser.open(self.url)
        self.assertIn("paeria-tramitador-name", browser.contents)
        form = browser.getForm(action=f"{self.url}/@@asignar")
        form.getControl(name="tramitador").value = ["tramitador"]
        form.submit()
        self.refresh()
        self.assertEqual(self.expediente.tramitador_asignado, "tramitador")
        browser = self.browser("tramitador")
        browser.open(self.url)
        self.assertIn("Tramitador", browser.contents)
        self.assertNotIn("@@asignar", browser.contents)

    def test_mi_carpeta_names_who_handles_it_and_the_unit(self):
        self.assertEqual(self.asignar("responsable", "tramitador").status_code, 200)
        body = self.session("interesado").get(f"{self.portal_url}/@mi-carpeta").json()
        (summary,) = body["expedientes"]
        self.assertEqual(
            summary["tramitador"],
            {"fullname": "Tramitador", "unidad": self.fixture.unidad.title},
        )
        browser = self.browser("interesado")
        browser.open(f"{self.portal_url}/@@mi-carpeta")
        self.assertIn("Tramitador", browser.contents)


class TestUpgradeTo1006(unittest.TestCase):
    """Expedientes made before 1006 get their creator when staff of their
    unit, else nobody; the index and column are added; twice is harmless."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)
        self.setup = api.portal.get_tool("portal_setup")
        self.catalog = api.portal.get_tool("portal_catalog")
        self.by_staff = self.fixture.expediente()
        self.by_staff.setCreators(["tramitador"])
        self.by_other = self.fixture.expediente()
        self.by_other.setCreators(["tramitador_otra"])
        self.by_admin = self.fixture.expediente()
        self.answered = self.fixture.expediente("subsanacion")
        self.fixture.transition(self.answered, "subsanar")
        self.solicitud = self.fixture.solicitud(self.answered)

    def make_it_look_like_1004(self):
        for expediente in (self.by_staff, self.by_other, self.by_admin, self.answered):
            expediente.__dict__.pop(FIELD, None)
            expediente.__dict__.pop("subsanacion_respondida", None)
            expediente._p_changed = True
        for name, _type, column in v1006.INDEXES:
            self.catalog.delIndex(name)
            if column:
                self.catalog.delColumn(name)
        self.setup.setLastVersionForProfile(PROFILE, "1004")

    def test_existing_expedientes_get_their_creator_when_staff(self):
        self.make_it_look_like_1004()
        self.setup.upgradeProfile(PROFILE)
        self.assertEqual(self.setup.listUpgrades(PROFILE), [])
        self.check()

    def test_running_it_twice_is_harmless(self):
        self.make_it_look_like_1004()
        v1006.assign_existing_expedientes(self.setup)
        v1006.assign_existing_expedientes(self.setup)
        self.check()

    def test_an_assignment_made_since_is_kept(self):
        self.make_it_look_like_1004()
        v1006.assign_existing_expedientes(self.setup)
        self.by_admin.tramitador_asignado = "responsable"
        v1006.assign_existing_expedientes(self.setup)
        self.assertEqual(self.by_admin.tramitador_asignado, "responsable")

    def check(self):
        self.assertIn(FIELD, self.catalog.indexes())
        self.assertIn(FIELD, self.catalog.schema())
        self.assertEqual(self.by_staff.__dict__[FIELD], "tramitador")
        self.assertIsNone(self.by_other.__dict__[FIELD])
        self.assertIsNone(self.by_admin.__dict__[FIELD])
        self.assertEqual(catalog_values(self.by_staff), "tramitador")
        self.assertEqual(catalog_values(self.by_other), "")
        unassigned = self.catalog.unrestrictedSearchResults(
            portal_type="Expediente", tramitador_asignado=""
        )
        self.assertEqual(
            {brain.UID for brain in unassigned},
            {self.by_other.UID(), self.by_admin.UID(), self.answered.UID()},
        )
        # The desk's other indexes: the citizen's answer from the history,
        # report requests by requested unit.
        self.assertIsNotNone(self.answered.__dict__["subsanacion_respondida"])
        self.assertIsNone(self.by_staff.__dict__["subsanacion_respondida"])
        found = self.catalog.unrestrictedSearchResults(
            subsanacion_respondida={"query": v1006_EVER, "range": "min"}
        )
        self.assertEqual([brain.UID for brain in found], [self.answered.UID()])
        found = self.catalog.unrestrictedSearchResults(
            unidad_solicitada=self.solicitud.unidad_solicitada
        )
        self.assertEqual([brain.UID for brain in found], [self.solicitud.UID()])
