"""Mi carpeta and the subsanación answered from it, over HTTP: a citizen sees
their own expedientes (state in plain words, unit, deadline, what silence
means), their notifications and receipts, and nobody else's; in subsanación
they send documents, which registers an entry and hands the expediente back."""

from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import INTERESADO_NIF
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.testing.zope import Browser
import base64
import hashlib
import transaction
import unittest


DENIED = (401, 403, 404)
OTHER_NIF = "87654321X"
REQUEST_TEXT = "Aporte el plano de situación firmado."


def b64(data):
    return base64.b64encode(data).decode("ascii")


class CarpetaTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        api.user.get(userid="interesado").setMemberProperties({"nif": INTERESADO_NIF})
        api.user.get(userid="ciudadano").setMemberProperties({"nif": OTHER_NIF})
        self.expediente = self.fixture.expediente("en_tramitacion", title="Obra menor")
        # Someone else's expediente, in the same unit.
        self.ajeno = base.create_expediente(
            self.fixture.unidad,
            self.fixture.procedimiento,
            title="Expedient d'un altre",
            interesados=[base.interesado(identifier=OTHER_NIF, name="Pere")],
        )
        self.ajeno.manage_setLocalRoles("ciudadano", ["Interesado"])
        self.ajeno.reindexObjectSecurity()
        transaction.commit()

    def carpeta(self, user_id="interesado"):
        response = self.session(user_id).get(f"{self.portal_url}/@mi-carpeta")
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def ask_for_subsanacion(self):
        api.content.transition(
            self.expediente, "requerir_subsanacion", comment=REQUEST_TEXT
        )
        transaction.commit()

    def aportar(self, user_id="interesado", files=None, **body):
        if files is None:
            files = [
                {
                    "data": b64(base.pdf_bytes("Plano")),
                    "encoding": "base64",
                    "filename": "plano.pdf",
                    "content-type": "application/pdf",
                }
            ]
        body["files"] = files
        return self.session(user_id).post(
            f"{self.expediente.absolute_url()}/@aportar", json=body
        )


class TestCarpeta(CarpetaTestCase):
    def test_the_citizen_sees_their_expediente_in_plain_words(self):
        data = self.carpeta()
        self.assertEqual(data["nif"], INTERESADO_NIF)
        (item,) = data["expedientes"]
        self.assertEqual(item["numero"], self.expediente.numero)
        self.assertEqual(item["state_text"], "Being processed by the unit.")
        self.assertEqual(item["unidad"], self.fixture.unidad.title)
        self.assertEqual(item["fecha_limite"], self.expediente.fecha_limite.isoformat())
        # The test procedure's silence is positive (estimatorio).
        self.assertIn("deemed granted", item["silencio_text"])
        self.assertIsNone(item["subsanacion"])

    def test_nobody_sees_anybody_elses(self):
        other = self.carpeta("ciudadano")
        self.assertEqual(
            [item["numero"] for item in other["expedientes"]], [self.ajeno.numero]
        )
        self.assertNotIn(self.expediente.numero, str(other))  # not even as a reference
        self.assertIn(
            self.session("ciudadano").get(self.expediente.absolute_url()).status_code,
            DENIED,
        )
        # Staff have no carpeta of citizens' expedientes.
        self.assertEqual(self.carpeta("tramitador")["expedientes"], [])

    def test_anonymous_is_asked_to_log_in(self):
        from paeria.egov.tests.base import RelativeSession

        session = RelativeSession(self.portal_url)
        session.headers.update({"Accept": "application/json"})
        self.addCleanup(session.close)
        self.assertEqual(session.get("@mi-carpeta").status_code, 401)

    def test_the_classic_ui_page(self):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic interesado:{PASSWORD}")
        # The user menu leads there from any page.
        browser.open(self.portal_url)
        self.assertIn(f"{self.portal_url}/@@mi-carpeta", browser.contents)
        browser.open(f"{self.portal_url}/@@mi-carpeta")
        self.assertIn(self.expediente.numero, browser.contents)
        self.assertIn("Being processed by the unit.", browser.contents)
        self.assertNotIn(self.ajeno.numero, browser.contents)

    def test_notifications_wait_in_the_carpeta(self):
        resolution = self.fixture.documento(
            self.expediente, "firmado", tipo_documental="TD01"
        )
        transaction.commit()
        response = self.session("tramitador").post(
            f"{self.expediente.absolute_url()}/@notificar",
            json={
                "documento": api.content.get_uuid(resolution),
                "destinatario": INTERESADO_NIF,
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        (notificacion,) = self.carpeta()["expedientes"][0]["notificaciones"]
        self.assertTrue(notificacion["pending"])
        self.assertIsNone(notificacion["documento"])
        # Reading the document is accessing the notification: not before.
        citizen = self.session("interesado")
        self.assertIn(citizen.get(resolution.absolute_url()).status_code, DENIED)
        early = citizen.get(f"{notificacion['@id']}/@@documento")
        self.assertEqual(early.status_code, 403)
        accepted = citizen.post(f"{notificacion['@id']}/@workflow/acceder", json={})
        self.assertEqual(accepted.status_code, 200, accepted.text)
        (notificacion,) = self.carpeta()["expedientes"][0]["notificaciones"]
        self.assertFalse(notificacion["pending"])
        self.assertEqual(
            notificacion["documento"], f"{notificacion['@id']}/@@documento"
        )
        document = citizen.get(notificacion["documento"])
        self.assertEqual(document.status_code, 200)
        self.assertEqual(
            hashlib.sha256(document.content).hexdigest(), resolution.huella
        )


class TestSubsanacion(CarpetaTestCase):
    def test_the_citizen_sees_what_is_asked_and_answers_it(self):
        self.ask_for_subsanacion()
        (item,) = self.carpeta()["expedientes"]
        self.assertEqual(item["subsanacion"]["requerimiento"], REQUEST_TEXT)
        self.assertIn("Waiting for you", item["state_text"])

        response = self.aportar(statement="Adjunto el plano.")
        self.assertEqual(response.status_code, 201, response.text)
        numero = response.json()["numero"]
        self.assertRegex(numero, r"^E/\d{4}/\d{6}$")
        transaction.begin()
        # Back with its case worker, the document filed in it.
        self.assertEqual(api.content.get_state(self.expediente), "en_tramitacion")
        huellas = {
            doc.huella
            for doc in self.expediente.objectValues()
            if doc.portal_type == "Documento"
        }
        self.assertIn(hashlib.sha256(base.pdf_bytes("Plano")).hexdigest(), huellas)
        history = self.expediente.workflow_history["paeria_expediente_workflow"]
        self.assertEqual(history[-1]["action"], "subsanar")
        self.assertIn(numero, history[-1]["comments"])
        # The entry is the citizen's: in their carpeta with its receipt.
        data = self.carpeta()
        self.assertEqual([entry["numero"] for entry in data["registros"]], [numero])
        self.assertEqual(
            [entry["numero"] for entry in data["expedientes"][0]["justificantes"]],
            [numero],
        )
        self.assertIn("@@verificar?csv=", data["registros"][0]["justificante"])

    def test_refusals_store_nothing(self):
        # Not waiting for the citizen.
        self.assertEqual(self.aportar().status_code, 403)
        self.ask_for_subsanacion()
        for user_id in ("ciudadano", "tramitador_otra"):
            with self.subTest(user=user_id):
                self.assertIn(self.aportar(user_id).status_code, (403, *DENIED))
        no_files = self.aportar(files=[])
        self.assertEqual(no_files.status_code, 400)
        self.assertIn("files", no_files.json()["error"]["fields"])
        bad_type = self.aportar(
            files=[
                {
                    "data": b64(b"MZ\x90\x00 not a document"),
                    "encoding": "base64",
                    "filename": "virus.exe",
                    "content-type": "application/x-msdownload",
                }
            ]
        )
        self.assertEqual(bad_type.status_code, 400)
        self.assertIn("files[0]", bad_type.json()["error"]["fields"])
        transaction.begin()
        self.assertEqual(api.content.get_state(self.expediente), "subsanacion")
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(portal_type="Asiento")), 0
        )
        # No number was consumed: the next entry is the first.
        response = self.aportar()
        self.assertEqual(response.status_code, 201, response.text)
        self.assertTrue(response.json()["numero"].endswith("/000001"))

    def test_the_classic_ui_form(self):
        self.ask_for_subsanacion()
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic interesado:{PASSWORD}")
        browser.open(f"{self.expediente.absolute_url()}/@@aportar")
        self.assertIn(REQUEST_TEXT, browser.contents)
        # The form as a browser posts it: multipart, with its CSRF token.
        token = browser.getControl(name="_authenticator").value
        session = self.session("interesado")
        session.headers.pop("Accept")
        response = session.post(
            f"{self.expediente.absolute_url()}/@@aportar",
            data={"form.submitted": "1", "_authenticator": token, "statement": ""},
            files=[
                ("files", ("plano.pdf", base.pdf_bytes("Plano"), "application/pdf"))
            ],
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("were registered as", response.text)
        transaction.begin()
        self.assertEqual(api.content.get_state(self.expediente), "en_tramitacion")
