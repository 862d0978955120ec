"""A citizen files at the electronic office, over HTTP: "Iniciar trámite" on a
published online procedure (REST and Classic UI), with its required documents,
in one transaction — register entry, expediente in the procedure's unit with
the citizen as Interesado, the documents, the deadline from the entry's
effective date, the receipt; every refusal leaving nothing behind and taking
no number; double submission filing once; nobody filing for another NIF; the
generic application."""

from datetime import date
from io import BytesIO
from lxml import html
from paeria.egov.clock import MADRID
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.testing.zope import Browser
from plone.uuid.interfaces import IUUID
from pypdf import PdfReader
import base64
import transaction
import unittest


PASSWORD = "correct-horse-battery-7"
NIF = base.VALID_NIF
OTHER_NIF = "87654321X"
FULLNAME = "Maria Puig i Soler"
EMAIL = "maria.puig@example.org"
DNI = "fotocopia-del-dni"
PLANO = "plano-de-situacion"
FOTOS = "fotografias"


def b64file(data, filename="doc.pdf", content_type="application/pdf"):
    return {
        "data": base64.b64encode(data).decode("ascii"),
        "encoding": "base64",
        "filename": filename,
        "content-type": content_type,
    }


class FilingTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Filed on Saturday 6 Jun 2026 at 11:00 in Madrid: the filing counts
        # from 00:00 on Monday 8 Jun (art. 31.2.b LPAC).
        base.travel(self, "2026-06-06T11:00")
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.sessions = []
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.other_unidad = base.create_unidad(
            self.portal, id="cultura", title="Cultura", dir3_code=base.OTHER_UNIT_DIR3
        )
        self.procedimiento = base.create_procedimiento(
            self.portal,
            self.unidad,
            id="obra-menor",
            title="Llicència d'obra menor",
            required_documents=[
                {
                    "name": "Fotocopia del DNI",
                    "mandatory": True,
                    "tipo_documental": "TD14",
                },
                {
                    "name": "Plano de situación",
                    "mandatory": True,
                    "tipo_documental": "TD99",
                },
                {"name": "Fotografías", "mandatory": False, "tipo_documental": "TD99"},
            ],
        )
        api.content.transition(obj=self.procedimiento, transition="publicar")
        self.offline = base.create_procedimiento(
            self.portal, self.unidad, id="presencial", online_start=False
        )
        api.content.transition(obj=self.offline, transition="publicar")
        self.draft = base.create_procedimiento(self.portal, self.unidad, id="borrador")
        for username, nif, fullname in (
            ("mpuig", NIF, FULLNAME),
            ("jvila", OTHER_NIF, "Jordi Vila"),
            ("sinnif", None, "Sense NIF"),
        ):
            properties = {"fullname": fullname}
            if nif:
                properties["nif"] = nif
            api.user.create(
                email=EMAIL if username == "mpuig" else f"{username}@example.org",
                username=username,
                password=PASSWORD,
                properties=properties,
            )
        setRoles(self.portal, TEST_USER_ID, ["Member"])
        transaction.commit()

    def tearDown(self):
        for session in self.sessions:
            session.close()

    def session(self, user="mpuig"):
        session = base.api_session(self.portal_url, user, PASSWORD)
        if user is None:
            session.auth = None
        self.sessions.append(session)
        return session

    def refresh(self):
        transaction.begin()

    def documents(self, **overrides):
        documents = {
            DNI: b64file(base.pdf_bytes("DNI"), "dni.pdf"),
            PLANO: b64file(base.pdf_bytes("Plano"), "plano.pdf"),
        }
        documents.update(overrides)
        return {key: value for key, value in documents.items() if value is not None}

    def file(self, procedimiento=None, user="mpuig", headers=None, **body):
        body.setdefault("documentos", self.documents())
        body.setdefault("solicita", "Que se me conceda la licencia.")
        procedimiento = procedimiento or self.procedimiento
        return self.session(user).post(
            f"{procedimiento.absolute_url()}/@iniciar", json=body, headers=headers
        )

    def entries(self):
        return [
            obj
            for obj in self.portal["registro"].objectValues()
            if obj.portal_type == "Asiento"
        ]

    def expedientes(self):
        return [
            obj
            for unidad in (self.unidad, self.other_unidad)
            for obj in unidad.objectValues()
            if obj.portal_type == "Expediente"
        ]

    def asiento(self, numero):
        return self.portal["registro"][numero.replace("/", "-").lower()]


class TestIniciarTramite(FilingTestCase):
    def test_the_form_describes_the_procedure_documents(self):
        response = self.session(None).get(
            f"{self.procedimiento.absolute_url()}/@iniciar"
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertTrue(body["available"])
        self.assertEqual(
            [(d["id"], d["name"], d["mandatory"]) for d in body["documentos"]],
            [
                (DNI, "Fotocopia del DNI", True),
                (PLANO, "Plano de situación", True),
                (FOTOS, "Fotografías", False),
            ],
        )
        response = self.session(None).get(f"{self.offline.absolute_url()}/@iniciar")
        self.assertFalse(response.json()["available"])
        self.assertIn("cannot be started online", response.json()["reason"])

    def test_filing_registers_opens_the_expediente_and_returns_the_receipt(self):
        extra = base.pdf_bytes("Annex")
        response = self.file(
            expone="Vull reformar la cuina.",
            solicita="Que se me conceda la licencia.",
            documentos=self.documents(
                **{FOTOS: b64file(b"\x89PNG\r\n\x1a\n fake", "f.png", "image/png")}
            ),
            files=[b64file(extra, "annex.pdf")],
        )
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual(body["numero"], "E/2026/000001")
        self.refresh()

        # The register entry: the citizen, online, the procedure, its unit.
        asiento = self.asiento(body["numero"])
        self.assertEqual(asiento.canal, "telematico")
        self.assertEqual(asiento.interesado_identifier, NIF)
        self.assertEqual(asiento.interesado_identifier_type, "NIF")
        self.assertEqual(asiento.interesado_name, FULLNAME)
        self.assertEqual(asiento.procedimiento, IUUID(self.procedimiento))
        self.assertEqual(asiento.unidad_destino, IUUID(self.unidad))
        self.assertEqual(api.content.get_state(asiento), "distribuido")
        self.assertIn("Que se me conceda la licencia.", asiento.resumen)

        # The expediente: in the procedure's unit, the citizen interested.
        (expediente,) = self.expedientes()
        self.assertEqual(expediente.__parent__, self.unidad)
        self.assertEqual(asiento.expediente, IUUID(expediente))
        self.assertEqual(body["expediente"]["numero"], expediente.numero)
        self.assertEqual(expediente.procedimiento, IUUID(self.procedimiento))
        (party,) = expediente.interesados
        self.assertEqual(party["identifier"], NIF)
        self.assertEqual(party["name"], FULLNAME)
        self.assertEqual(party["email"], EMAIL)
        self.assertIn("Interesado", expediente.get_local_roles_for_userid("mpuig"))
        self.assertNotIn(
            "Interesado", expediente.get_local_roles_for_userid("jvila") or ()
        )

        # The deadline counts from the entry's effective date, Monday 8 Jun
        # 00:00, not from the Saturday: 3 months end on Tuesday 8 Sep 2026.
        self.assertEqual(
            asiento.fecha_efectiva.astimezone(MADRID).isoformat(),
            "2026-06-08T00:00:00+02:00",
        )
        self.assertEqual(asiento.fecha_presentacion.date(), date(2026, 6, 6))
        self.assertEqual(expediente.numero, "2026/000001")
        self.assertEqual(expediente.fecha_limite, date(2026, 9, 8))
        self.assertEqual(
            body["expediente"]["fecha_limite"], expediente.fecha_limite.isoformat()
        )

        # The documents: the statement, each given file, the receipt.
        documents = {
            obj.Title(): obj
            for obj in expediente.objectValues()
            if obj.portal_type == "Documento"
        }
        for title in (
            "Fotocopia del DNI",
            "Plano de situación",
            "Fotografías",
            "annex.pdf",
        ):
            self.assertIn(title, documents)
            self.assertEqual(documents[title].origen, "ciudadano")
        self.assertEqual(documents["Plano de situación"].tipo_documental, "TD99")
        # The citizen's documents are theirs (authored by them) and, where the
        # document workflow has it, incorporated as presented (immutable).
        workflow = api.portal.get_tool("portal_workflow")
        states = workflow["paeria_documento_workflow"].states.objectIds()
        expected = "incorporado" if "incorporado" in states else "borrador"
        for title in ("Fotocopia del DNI", "annex.pdf"):
            self.assertEqual(api.content.get_state(documents[title]), expected)
            self.assertEqual(documents[title].creators, ("mpuig",))
        self.assertEqual(
            documents["Fotocopia del DNI"].file.data, base.pdf_bytes("DNI")
        )
        self.assertEqual(documents["annex.pdf"].file.data, extra)
        statement = [
            d for d in documents.values() if d.file.filename == "solicitud.pdf"
        ]
        self.assertEqual(len(statement), 1)
        text = PdfReader(BytesIO(statement[0].file.data)).pages[0].extract_text()
        self.assertIn("Vull reformar la cuina.", text)
        self.assertIn(NIF, text)
        self.assertEqual(len(documents), 6)  # 4 files + statement + receipt
        self.assertEqual(
            [d["title"] for d in body["documents"]][1:],
            ["Fotocopia del DNI", "Plano de situación", "Fotografías", "annex.pdf"],
        )

        # The citizen reads the expediente and their documents...
        citizen = self.session()
        response = citizen.get(expediente.absolute_url())
        self.assertEqual(response.status_code, 200, response.text)
        download = citizen.get(
            f"{documents['Fotocopia del DNI'].absolute_url()}/@@download/file"
        )
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, base.pdf_bytes("DNI"))
        # ...and another citizen does not.
        self.assertIn(
            self.session("jvila").get(expediente.absolute_url()).status_code,
            (401, 403, 404),
        )

        # The receipt: a PDF with the number, the NIF and each document.
        receipt = citizen.get(body["justificante"]["download"])
        self.assertEqual(receipt.status_code, 200)
        self.assertEqual(receipt.headers["Content-Type"], "application/pdf")
        text = "".join(
            page.extract_text() for page in PdfReader(BytesIO(receipt.content)).pages
        )
        self.assertIn(body["numero"], text)
        self.assertIn(NIF, text)
        for filename in ("dni.pdf", "plano.pdf", "f.png", "annex.pdf"):
            self.assertIn(filename, text)
        self.assertIn(body["justificante"]["csv"], text)
        self.assertEqual(
            self.session("jvila").get(body["justificante"]["download"]).status_code, 404
        )
        self.assertEqual(
            self.session(None).get(body["justificante"]["download"]).status_code, 401
        )

    def test_refusals_store_nothing_and_take_no_number(self):
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        transaction.commit()
        big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
        cases = (
            (
                "missing mandatory document",
                {"documentos": self.documents(**{PLANO: None})},
                400,
                f"documentos.{PLANO}",
                "Required document missing: Plano de situación.",
            ),
            (
                "file over the limit",
                {"documentos": self.documents(**{DNI: b64file(big, "dni.pdf")})},
                400,
                f"documentos.{DNI}",
                "Fotocopia del DNI: The file is larger than the 1 MB accepted.",
            ),
            (
                "refused file type",
                {"files": [b64file(b"MZ...", "virus.exe", "application/x-msdownload")]},
                400,
                "files[0]",
                "Files of type application/x-msdownload are not accepted",
            ),
            (
                "unknown document",
                {"documentos": self.documents(otro=b64file(base.pdf_bytes(), "x.pdf"))},
                400,
                "documentos.otro",
                "This procedure asks for no document with this id",
            ),
            (
                "statement with control characters",
                {"expone": "hola\x00"},
                400,
                "expone",
                None,
            ),
            (
                "procedure not online",
                {"procedimiento": self.offline},
                403,
                "procedimiento",
                "This procedure cannot be started online",
            ),
            (
                "procedure not published",
                {"procedimiento": self.draft},
                403,
                "procedimiento",
                "This procedure is not published in the catalogue",
            ),
            ("account without NIF", {"user": "sinnif"}, 403, "nif", "has no NIF/NIE"),
        )
        for name, kwargs, status, field, message in cases:
            with self.subTest(name):
                response = self.file(**kwargs)
                self.assertEqual(response.status_code, status, response.text)
                error = response.json()["error"]
                self.assertIn(field, error["fields"])
                if message:
                    self.assertIn(message, error["fields"][field])
        # Anonymous: 401, and the Classic UI form sends to the login.
        response = self.session(None).post(
            f"{self.procedimiento.absolute_url()}/@iniciar",
            json={"documentos": self.documents()},
        )
        self.assertEqual(response.status_code, 401, response.text)
        browser = Browser(self.layer["app"])
        browser.open(f"{self.procedimiento.absolute_url()}/@@iniciar")
        self.assertIn("login", browser.url)

        self.refresh()
        self.assertEqual(self.entries(), [])
        self.assertEqual(self.expedientes(), [])
        # No number was consumed: the next entry is the year's first.
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 50)
        transaction.commit()
        response = self.file()
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["numero"], "E/2026/000001")
        self.assertEqual(response.json()["expediente"]["numero"], "2026/000001")

    def test_a_citizen_cannot_file_for_another_nif(self):
        for field, value in (
            ("interesado_identifier", OTHER_NIF),
            ("interesado_name", "Jordi Vila"),
            ("interesado_identifier_type", "NIE"),
            ("canal", "presencial"),
            ("unidad_destino", IUUID(self.other_unidad)),
        ):
            with self.subTest(field):
                response = self.file(**{field: value})
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn(
                    "set by the electronic office",
                    response.json()["error"]["fields"][field],
                )
        self.refresh()
        self.assertEqual(self.entries(), [])
        # Forged in a multipart post, the same.
        response = self.session().post(
            f"{self.procedimiento.absolute_url()}/@iniciar",
            data={"interesado_identifier": OTHER_NIF, "solicita": "x"},
            files={
                f"documento.{DNI}": (
                    "dni.pdf",
                    base.pdf_bytes("DNI"),
                    "application/pdf",
                ),
                f"documento.{PLANO}": ("p.pdf", base.pdf_bytes("P"), "application/pdf"),
            },
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("interesado_identifier", response.json()["error"]["fields"])
        # Without forged fields, multipart files for the citizen themself.
        response = self.session("jvila").post(
            f"{self.procedimiento.absolute_url()}/@iniciar",
            data={"solicita": "x"},
            files={
                f"documento.{DNI}": (
                    "dni.pdf",
                    base.pdf_bytes("DNI"),
                    "application/pdf",
                ),
                f"documento.{PLANO}": ("p.pdf", base.pdf_bytes("P"), "application/pdf"),
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        (asiento,) = self.entries()
        self.assertEqual(asiento.interesado_identifier, OTHER_NIF)
        (expediente,) = self.expedientes()
        self.assertIn("Interesado", expediente.get_local_roles_for_userid("jvila"))
        self.assertNotIn(
            "Interesado", expediente.get_local_roles_for_userid("mpuig") or ()
        )
        # The receipt of jvila's entry is not mpuig's to download.
        url = response.json()["justificante"]["download"]
        self.assertEqual(self.session("mpuig").get(url).status_code, 404)

    def test_double_submission_files_once(self):
        headers = {"Idempotency-Key": "form-7f3a"}
        first = self.file(headers=headers)
        self.assertEqual(first.status_code, 201, first.text)
        second = self.file(headers=headers)
        self.assertEqual(second.status_code, 200, second.text)
        self.assertEqual(second.headers["Idempotent-Replayed"], "true")
        self.assertEqual(second.json()["numero"], first.json()["numero"])
        self.assertEqual(
            second.json()["expediente"]["numero"], first.json()["expediente"]["numero"]
        )
        # The same key in the body, the same answer.
        third = self.file(idempotency_key="form-7f3a")
        self.assertEqual(third.json()["numero"], first.json()["numero"])
        # Another citizen's key space is their own.
        other = self.file(user="jvila", headers=headers)
        self.assertEqual(other.status_code, 201, other.text)
        self.assertNotEqual(other.json()["numero"], first.json()["numero"])
        self.refresh()
        self.assertEqual(len(self.entries()), 2)
        self.assertEqual(len(self.expedientes()), 2)
        # A malformed key is refused by name.
        response = self.file(headers={"Idempotency-Key": "a b"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("idempotency_key", response.json()["error"]["fields"])

    def test_a_key_reused_for_another_procedure_is_refused(self):
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        second = base.create_procedimiento(self.portal, self.unidad, id="segon")
        api.content.transition(obj=second, transition="publicar")
        transaction.commit()
        headers = {"Idempotency-Key": "k-1"}
        self.assertEqual(self.file(headers=headers).status_code, 201)
        response = self.file(procedimiento=second, headers=headers, documentos={})
        self.assertEqual(response.status_code, 409, response.text)
        self.refresh()
        self.assertEqual(len(self.entries()), 1)


class TestClassicUI(FilingTestCase):
    def browser(self, user="mpuig"):
        browser = Browser(self.layer["app"])
        browser.handleErrors = True
        browser.raiseHttpErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic {user}:{PASSWORD}")
        return browser

    def fill(self, browser, plano=True):
        browser.getControl(name=f"documento.{DNI}").add_file(
            base.pdf_bytes("DNI"), "application/pdf", "dni.pdf"
        )
        if plano:
            browser.getControl(name=f"documento.{PLANO}").add_file(
                base.pdf_bytes("Plano"), "application/pdf", "plano.pdf"
            )
        browser.getControl(name="solicita").value = "Que se me conceda."

    def test_the_form_files_and_confirms_with_the_receipt(self):
        browser = self.browser()
        browser.open(f"{self.procedimiento.absolute_url()}/@@iniciar")
        self.assertIn("Fotocopia del DNI", browser.contents)
        self.assertIn(NIF, browser.contents)
        # Before anything is filled in, the page says what to have ready.
        needed = html.fromstring(browser.contents).xpath(
            "//section[contains(@class,'paeria-documents-needed')]//li"
        )
        self.assertEqual(
            [" ".join(item.text_content().split()) for item in needed],
            [
                "Fotocopia del DNI (mandatory)",
                "Plano de situación (mandatory)",
                "Fotografías (optional)",
            ],
        )
        # A mandatory document missing: said under it, nothing stored.
        self.fill(browser, plano=False)
        browser.getControl(name="form.buttons.file").click()
        self.assertIn(
            "Required document missing: Plano de situación.", browser.contents
        )
        self.refresh()
        self.assertEqual(self.entries(), [])
        # Completed, it files and shows the confirmation.
        self.fill(browser)
        browser.getControl(name="form.buttons.file").click()
        self.assertIn("@@presentado", browser.url)
        self.refresh()
        (asiento,) = self.entries()
        self.assertIn(asiento.numero, browser.contents)
        (expediente,) = self.expedientes()
        self.assertIn(expediente.numero, browser.contents)
        browser.getLink("Download the receipt (PDF)").click()
        self.assertEqual(browser.headers["Content-Type"], "application/pdf")
        text = PdfReader(BytesIO(browser.contents)).pages[0].extract_text()
        self.assertIn(asiento.numero, text)
        # The confirmation is the filer's only.
        other = self.browser("jvila")
        other.open(f"{self.portal_url}/@@presentado?numero={asiento.numero}")
        self.assertEqual(other.headers["status"].split()[0], "404")

    def test_a_second_click_files_once(self):
        browser = self.browser()
        browser.open(f"{self.procedimiento.absolute_url()}/@@iniciar")
        self.fill(browser)
        browser.getControl(name="form.buttons.file").click()
        first = browser.url
        browser.goBack()
        self.fill(browser)
        browser.getControl(name="form.buttons.file").click()
        self.assertEqual(browser.url, first)
        self.refresh()
        self.assertEqual(len(self.entries()), 1)
        self.assertEqual(len(self.expedientes()), 1)

    def test_a_procedure_not_online_says_so(self):
        browser = self.browser()
        browser.open(f"{self.offline.absolute_url()}/@@iniciar")
        self.assertIn("cannot be started online", browser.contents)
        with self.assertRaises(LookupError):
            browser.getControl(name="form.buttons.file")


class TestInstanciaGenerica(FilingTestCase):
    def post(self, user="mpuig", **body):
        body.setdefault("solicita", "Que arreglen la farola del carrer Major.")
        return self.session(user).post(
            f"{self.portal_url}/tramites/@instancia-generica", json=body
        )

    def test_a_generic_application_registers_an_entry_for_the_register(self):
        response = self.post(
            unidad_destino=IUUID(self.other_unidad),
            expone="La farola no funciona.",
            files=[b64file(base.pdf_bytes("Foto"), "foto.pdf")],
        )
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertIsNone(body["expediente"])
        self.refresh()
        asiento = self.asiento(body["numero"])
        self.assertEqual(asiento.interesado_identifier, NIF)
        self.assertEqual(asiento.unidad_destino, IUUID(self.other_unidad))
        self.assertIsNone(asiento.procedimiento)
        # Not distributed yet: the register does it.
        self.assertEqual(api.content.get_state(asiento), "registrado")
        self.assertEqual(self.expedientes(), [])
        self.assertEqual(
            [d["filename"] for d in body["documents"]],
            ["instancia-generica.pdf", "foto.pdf"],
        )
        receipt = self.session().get(body["justificante"]["download"])
        self.assertEqual(receipt.status_code, 200)
        self.assertIn(
            body["numero"], PdfReader(BytesIO(receipt.content)).pages[0].extract_text()
        )

    def test_the_unit_is_the_configured_one_unless_named(self):
        response = self.post()
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("unidad_destino", response.json()["error"]["fields"])
        self.refresh()
        self.assertEqual(self.entries(), [])
        api.portal.set_registry_record(
            "paeria.egov.sede.unidad_instancia_generica", "urbanismo"
        )
        transaction.commit()
        response = self.post()
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        self.assertEqual(
            self.asiento(response.json()["numero"]).unidad_destino, IUUID(self.unidad)
        )

    def test_the_request_is_required_and_the_party_is_the_citizen(self):
        response = self.post(solicita="  ", unidad_destino=IUUID(self.unidad))
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("solicita", response.json()["error"]["fields"])
        response = self.post(
            unidad_destino=IUUID(self.unidad), interesado_identifier=OTHER_NIF
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("interesado_identifier", response.json()["error"]["fields"])
        self.assertEqual(
            self.session(None)
            .post(
                f"{self.portal_url}/tramites/@instancia-generica",
                json={"solicita": "x"},
            )
            .status_code,
            401,
        )
        self.refresh()
        self.assertEqual(self.entries(), [])

    def test_the_classic_form(self):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic mpuig:{PASSWORD}")
        browser.open(f"{self.portal_url}/tramites/@@instancia-generica")
        browser.getControl(name="unidad_destino").value = [IUUID(self.unidad)]
        browser.getControl(name="solicita").value = "Informació sobre ajuts."
        browser.getControl(name="form.buttons.file").click()
        self.assertIn("@@presentado", browser.url)
        self.refresh()
        (asiento,) = self.entries()
        self.assertIn(asiento.numero, browser.contents)
        self.assertEqual(asiento.unidad_destino, IUUID(self.unidad))
