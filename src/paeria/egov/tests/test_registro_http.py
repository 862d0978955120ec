"""POST /registro/@registrar over HTTP: 201 with the receipt, 400 naming the
fields and storing nothing, 401 for anonymous; immutability over the API."""

from io import BytesIO
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests.base import api_session
from paeria.egov.tests.base import create_procedimiento
from paeria.egov.tests.base import create_unidad
from paeria.egov.tests.base import pdf_bytes
from paeria.egov.tests.base import RelativeSession
from paeria.egov.tests.base import travel
from paeria.egov.tests.base import VALID_NIF
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.uuid.interfaces import IUUID
from pypdf import PdfReader
import base64
import hashlib
import transaction
import unittest


def b64(data):
    return base64.b64encode(data).decode("ascii")


class TestRegistrarService(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026, 10:00 in Madrid: entries are numbered …/2026/…
        travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = create_unidad(self.portal)
        self.procedimiento = create_procedimiento(self.portal, self.unidad)
        transaction.commit()
        self.session = api_session(self.portal_url)

    def tearDown(self):
        self.session.close()

    def payload(self, **fields):
        body = {
            "canal": "telematico",
            "interesado_identifier_type": "NIF",
            "interesado_identifier": VALID_NIF,
            "interesado_name": "Maria Puig i Soler",
            "resumen": "Sol·licitud de llicència",
            "unidad_destino": IUUID(self.unidad),
            "procedimiento": IUUID(self.procedimiento),
            "files": [
                {
                    "data": b64(pdf_bytes("Solicitud")),
                    "encoding": "base64",
                    "filename": "solicitud.pdf",
                    "content-type": "application/pdf",
                    "tipo_documental": "TD14",
                }
            ],
        }
        body.update(fields)
        return {key: value for key, value in body.items() if value is not None}

    def test_registers_and_returns_the_receipt(self):
        response = self.session.post("/registro/@registrar", json=self.payload())
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual(body["numero"], "E/2026/000001")
        self.assertEqual(response.headers["Location"], body["@id"])
        self.assertRegex(body["fecha_presentacion"], r"^2026-06-02T10:00:\d\d[+]02:00$")
        self.assertIn("fecha_efectiva", body)
        self.assertRegex(body["csv"], r"^[A-HJ-NP-Z2-9]{32}$")
        self.assertEqual(body["justificante"]["csv"], body["csv"])
        self.assertEqual(
            [doc["huella"] for doc in body["documents"]],
            [hashlib.sha256(pdf_bytes("Solicitud")).hexdigest()],
        )
        download = self.session.get(body["justificante"]["download"])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.headers["Content-Type"], "application/pdf")
        text = "".join(
            page.extract_text() for page in PdfReader(BytesIO(download.content)).pages
        )
        self.assertIn(body["numero"], text)
        self.assertIn(body["documents"][0]["huella"], text)

    def test_exit_and_multipart(self):
        session = RelativeSession(self.portal_url)
        session.headers.update({"Accept": "application/json"})
        session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        fields = self.payload(tipo="salida")
        del fields["files"]
        response = session.post(
            "/registro/@registrar",
            data=fields,
            files=[
                ("files", ("a.pdf", pdf_bytes("A"), "application/pdf")),
                ("files", ("b.pdf", pdf_bytes("B"), "application/pdf")),
            ],
        )
        session.close()
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual(body["numero"], "S/2026/000001")
        self.assertEqual(
            [doc["filename"] for doc in body["documents"]], ["a.pdf", "b.pdf"]
        )

    def test_refusals_name_the_field_and_store_nothing(self):
        cases = (
            ("no party", {"interesado_identifier": None}, "interesado_identifier"),
            ("no summary", {"resumen": ""}, "resumen"),
            ("unknown unit", {"unidad_destino": "nope"}, "unidad_destino"),
            ("unknown procedure", {"procedimiento": "nope"}, "procedimiento"),
            ("forged number", {"numero": "E/2026/000001"}, "numero"),
            ("forged date", {"fecha_efectiva": "2020-01-01"}, "fecha_efectiva"),
            (
                "refused type",
                {
                    "files": [
                        {
                            "data": b64(b"MZ"),
                            "filename": "x.exe",
                            "content-type": "application/x-msdownload",
                        }
                    ]
                },
                "files[0]",
            ),
            (
                "bad base64",
                {"files": [{"data": "***", "filename": "a.pdf"}]},
                "files[0]",
            ),
        )
        for label, fields, field in cases:
            with self.subTest(label):
                response = self.session.post(
                    "/registro/@registrar", json=self.payload(**fields)
                )
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertIn(field, error["fields"])
                self.assertIn("nothing was stored", error["message"])
        transaction.begin()
        self.assertEqual(list(self.portal["registro"].objectIds()), [])
        response = self.session.post("/registro/@registrar", json=self.payload())
        self.assertEqual(response.json()["numero"], "E/2026/000001")

    def test_anonymous_is_refused(self):
        anonymous = RelativeSession(self.portal_url)
        anonymous.headers.update({"Accept": "application/json"})
        response = anonymous.post("/registro/@registrar", json=self.payload())
        anonymous.close()
        self.assertEqual(response.status_code, 401)
        transaction.begin()
        self.assertEqual(list(self.portal["registro"].objectIds()), [])

    def test_entry_cannot_be_changed_over_the_api(self):
        body = self.session.post("/registro/@registrar", json=self.payload()).json()
        entry = body["@id"]
        document = body["documents"][0]["@id"]
        receipt = body["justificante"]["@id"]
        cases = (
            ("patch entry", "patch", entry, {"resumen": "Changed"}),
            (
                "re-upload",
                "patch",
                document,
                {
                    "file": {
                        "data": b64(pdf_bytes("Forged")),
                        "encoding": "base64",
                        "filename": "forged.pdf",
                        "content-type": "application/pdf",
                    }
                },
            ),
            ("patch receipt", "patch", receipt, {"title": "Changed"}),
            ("delete entry", "delete", entry, None),
            ("delete document", "delete", document, None),
            ("rename", "patch", entry, {"id": "renamed"}),
            ("add document", "post", entry, {"@type": "Documento", "title": "x"}),
            # Valid for the schema: refused because it is not registered.
            (
                "add entry",
                "post",
                f"{self.portal_url}/registro",
                {
                    "@type": "Asiento",
                    "canal": "presencial",
                    "interesado_identifier": VALID_NIF,
                    "interesado_name": "x",
                    "resumen": "x",
                },
            ),
        )
        for label, method, url, json_body in cases:
            with self.subTest(label):
                response = getattr(self.session, method)(url, json=json_body)
                # Logged in: a 403 saying why, not a 401 that reads "log in".
                self.assertEqual(response.status_code, 403, response.text)
                if url != f"{self.portal_url}/registro":
                    self.assertIn(
                        "Register entries cannot be changed or deleted",
                        response.json()["message"],
                    )
        # Moving an entry is forbidden, with a readable message naming it
        # (services/copymove.py; stock plone.restapi answers 500).
        response = self.session.post(
            f"{self.portal_url}/unidades/urbanismo/@move", json={"source": entry}
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertIn("cannot be moved", response.json()["error"]["message"])
        transaction.begin()
        asiento = api.content.get(path="/registro/" + entry.rsplit("/", 1)[-1])
        self.assertEqual(asiento.resumen, "Sol·licitud de llicència")
        self.assertEqual(len(asiento.objectIds()), 2)
        self.assertEqual(len(self.portal["registro"].objectIds()), 1)


class TestCounterForm(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026, 10:00 in Madrid: entries are numbered …/2026/…
        travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = create_unidad(self.portal)
        transaction.commit()

    def test_counter_form_registers_and_refuses(self):
        from plone.testing.zope import Browser

        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader(
            "Authorization", f"Basic {SITE_OWNER_NAME}:{SITE_OWNER_PASSWORD}"
        )
        browser.open(f"{self.portal.absolute_url()}/registro/@@registrar")
        form = browser.getForm(action="@@registrar")
        form.getControl(name="canal").value = ["presencial"]
        form.getControl(name="unidad_destino").value = [IUUID(self.unidad)]
        form.getControl(name="interesado_identifier").value = VALID_NIF
        form.getControl(name="interesado_name").value = "Maria Puig i Soler"
        form.getControl(name="form.submitted").click()
        self.assertIn("registro/@@registrar", browser.url)
        self.assertIn("invalid-feedback", browser.contents)  # no summary
        transaction.begin()
        self.assertEqual(list(self.portal["registro"].objectIds()), [])
        form = browser.getForm(action="@@registrar")
        form.getControl(name="resumen").value = "Instància general"
        # (zope.testbrowser cannot fill a ``multiple`` file input; uploads
        # through multipart are covered by test_exit_and_multipart.)
        form.getControl(name="form.submitted").click()
        self.assertRegex(browser.url, r"/registro/e-2026-000001$")
        transaction.begin()
        asiento = self.portal["registro"].objectValues()[0]
        self.assertEqual(asiento.resumen, "Instància general")
        self.assertEqual(list(asiento.objectIds()), [asiento.justificante])
