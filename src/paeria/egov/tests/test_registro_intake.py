"""The destination unit takes a distributed entry in, over HTTP: it opens an
expediente from it or files it into one of its expedientes; refusals change
nothing; the entry's page offers the two forms to the unit's staff only."""

from paeria.egov.registro.register import register_entry
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.testing.zope import Browser
import transaction
import unittest


DENIED = (401, 403, 404)


class IntakeTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.asiento = self.register()
        transaction.commit()

    def register(self, unidad=None, distributed=True):
        unidad = unidad or self.fixture.unidad
        asiento = register_entry(
            {
                "canal": "telematico",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig i Soler",
                "resumen": "Sol·licitud de llicència d'obres",
                "unidad_destino": api.content.get_uuid(unidad),
                "procedimiento": api.content.get_uuid(self.fixture.procedimiento),
            },
            files=[
                {
                    "data": base.pdf_bytes("Plano"),
                    "filename": "plano.pdf",
                    "content_type": "application/pdf",
                }
            ],
        )
        if distributed:
            api.content.transition(asiento, "distribuir")
        return asiento

    def post(self, user_id, service, asiento=None, **body):
        asiento = asiento or self.asiento
        return self.session(user_id).post(
            f"{asiento.absolute_url()}/{service}", json=body
        )

    def expedientes(self, unidad=None):
        unidad = unidad or self.fixture.unidad
        return [obj for obj in unidad.objectValues() if obj.portal_type == "Expediente"]


class TestOpening(IntakeTestCase):
    def test_the_unit_opens_an_expediente_from_the_entry(self):
        response = self.post("tramitador", "@abrir-expediente", title="Obra menor")
        self.assertEqual(response.status_code, 201, response.text)
        transaction.begin()
        (expediente,) = self.expedientes()
        self.assertEqual(response.json()["numero"], expediente.numero)
        self.assertEqual(expediente.title, "Obra menor")
        self.assertEqual(self.asiento.expediente, api.content.get_uuid(expediente))
        self.assertEqual(expediente.interesados[0]["identifier"], base.VALID_NIF)
        huellas = sorted(
            doc.huella
            for doc in expediente.objectValues()
            if doc.portal_type == "Documento"
        )
        expected = sorted(
            doc.huella
            for doc in self.asiento.objectValues()
            if doc.portal_type == "Documento"
        )
        self.assertEqual(huellas, expected)  # the attachment and the receipt

    def test_only_the_units_staff_and_only_once(self):
        for user_id in ("registrador", "tramitador_otra", "interesado", "auditor"):
            with self.subTest(user=user_id):
                response = self.post(user_id, "@abrir-expediente")
                self.assertIn(response.status_code, DENIED, response.text)
        self.assertEqual(self.post("tramitador", "@abrir-expediente").status_code, 201)
        again = self.post("responsable", "@abrir-expediente")
        self.assertEqual(again.status_code, 400)
        self.assertIn("not waiting", again.json()["error"]["message"])
        transaction.begin()
        self.assertEqual(len(self.expedientes()), 1)

    def test_an_entry_not_yet_distributed_is_not_taken_in(self):
        waiting = self.register(distributed=False)
        transaction.commit()
        # The unit's staff do not even see it before distribution.
        response = self.post("tramitador", "@abrir-expediente", asiento=waiting)
        self.assertIn(response.status_code, (400, *DENIED))
        transaction.begin()
        self.assertEqual(self.expedientes(), [])
        self.assertIsNone(waiting.expediente)


class TestAttaching(IntakeTestCase):
    def test_the_unit_files_the_entry_into_its_expediente(self):
        expediente = self.fixture.expediente("en_tramitacion")
        before = len(expediente.objectIds())
        transaction.commit()
        response = self.post(
            "tramitador", "@adjuntar-expediente", expediente=expediente.numero
        )
        self.assertEqual(response.status_code, 200, response.text)
        transaction.begin()
        self.assertEqual(self.asiento.expediente, api.content.get_uuid(expediente))
        self.assertEqual(len(expediente.objectIds()), before + 2)

    def test_refusals_change_nothing(self):
        other = self.fixture.expediente("en_tramitacion")
        closed = self.fixture.expediente("cerrado")
        foreign = base.create_expediente(
            self.fixture.otra_unidad, self.fixture.procedimiento
        )
        transaction.commit()
        counts = {obj: len(obj.objectIds()) for obj in (other, closed, foreign)}
        for reference in (
            "",
            "2099/999999",
            closed.numero,  # closed: nothing is filed into it
            foreign.numero,  # another unit's: not even found
            api.content.get_uuid(foreign),
        ):
            with self.subTest(reference=reference):
                response = self.post(
                    "tramitador", "@adjuntar-expediente", expediente=reference
                )
                self.assertEqual(response.status_code, 400, response.text)
                self.assertTrue(response.json()["error"]["message"])
        transaction.begin()
        self.assertIsNone(self.asiento.expediente)
        self.assertEqual({obj: len(obj.objectIds()) for obj in counts}, counts)


class TestEntryPage(IntakeTestCase):
    def browser(self, user_id):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic {user_id}:{PASSWORD}")
        return browser

    def test_the_unit_opens_an_expediente_from_the_entry_page(self):
        browser = self.browser("tramitador")
        browser.open(self.asiento.absolute_url())
        self.assertIn(self.asiento.numero, browser.contents)
        self.assertIn(self.asiento.objectValues()[0].huella, browser.contents)
        browser.getControl("Open an expediente").click()
        transaction.begin()
        (expediente,) = self.expedientes()
        self.assertEqual(browser.url, expediente.absolute_url())
        self.assertIn("opened from this entry", browser.contents)

    def test_the_register_sees_the_entry_but_not_the_forms(self):
        browser = self.browser("registrador")
        browser.open(self.asiento.absolute_url())
        self.assertIn(self.asiento.numero, browser.contents)
        self.assertNotIn("form-abrir-expediente", browser.contents)
