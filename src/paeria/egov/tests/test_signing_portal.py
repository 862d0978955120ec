"""Signing documents in the portal with a real certificate: ``POST @firmar``
(batch, all or nothing per document), the Classic UI's ``@@pendientes-firma``,
``@workflow/firmar`` for certificate holders, the journal, and the PIN kept
out of every response, journal entry and log."""

from io import BytesIO
from lxml import etree
from paeria.egov.eni import bridge
from paeria.egov.eni.schemas import qname
from paeria.egov.fingerprints import sha256_of_file
from paeria.egov.journal import storage
from paeria.egov.signing import pki
from paeria.egov.signing.engine import Signatures
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.signing_support import DevPkiDirectory
from paeria.egov.tests.test_eni import needs_xsd
from paeria.egov.tests.test_eni_bridge import schema_errors
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from pathlib import Path
from plone import api
from plone.protect.authenticator import createToken
from plone.uuid.interfaces import IUUID
from pypdf import PdfReader
import base64
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import transaction
import unittest


PIN = pki.DEV_PIN
SECRET_PIN = "Wr0ng-Secret-PIN-4711"
RESPONSABLE_NIF = pki.nif_for(55)


class SigningPortalTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.dev = DevPkiDirectory(
            signers=(pki.Signer("responsable", "Rosa Responsable", RESPONSABLE_NIF),)
        )
        self.addCleanup(self.dev.cleanup)
        previous = os.environ.get("PAERIA_SIGNING_DIR")
        os.environ["PAERIA_SIGNING_DIR"] = str(self.dev.directory)
        self.addCleanup(self._restore_environ, previous)
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")

    @staticmethod
    def _restore_environ(previous):
        if previous is None:
            os.environ.pop("PAERIA_SIGNING_DIR", None)
        else:
            os.environ["PAERIA_SIGNING_DIR"] = previous

    def pending(self, title="Resolució", **fields):
        return self.fixture.documento(
            self.expediente, "pendiente_firma", title=title, **fields
        )

    def firmar(self, session, documents, pin=PIN):
        return session.post(
            f"{self.portal_url}/@firmar", json={"documents": documents, "pin": pin}
        )

    def signatures(self):
        return Signatures()

    def journal(self):
        """The entries of the expediente's chain and of /unidades'."""
        entries = []
        for obj in (self.portal["unidades"], self.expediente):
            chain = storage.group_chain(obj, IUUID(obj))
            entries += [entry.content for entry in chain or ()]
        return entries


class TestBatchSigning(SigningPortalTestCase):
    def test_pdf_and_other_files_signed_for_real(self):
        pdf = self.pending("Resolució")
        original = pdf.file.data
        text = self.pending(
            "Nota",
            file=base.named_file(b"Una nota.\n", "nota.txt", "text/plain"),
        )
        draft = self.fixture.documento(self.expediente, "borrador", title="Esborrany")
        transaction.commit()
        references = [IUUID(pdf), "/".join(text.getPhysicalPath()), IUUID(draft), "x"]
        response = self.firmar(self.session("responsable"), references)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual((body["signed"], body["refused"]), (2, 2))
        statuses = [report["status"] for report in body["documents"]]
        self.assertEqual(statuses, ["signed", "signed", "refused", "refused"])
        self.assertEqual(body["documents"][0]["signature_type"], "TF06")
        self.assertEqual(body["documents"][1]["signature_type"], "TF04")
        self.refresh()

        # The PDF: stamped with its CSV, PAdES-signed, the fingerprint the
        # signed file's, the original kept, TF01 + TF06 recorded.
        self.assertEqual(api.content.get_state(pdf), "firmado")
        signed = pdf.file.data
        self.assertNotEqual(signed, original)
        self.assertEqual(pdf.original_sin_firmar.data, original)
        self.assertEqual(pdf.huella, sha256_of_file(pdf.file))
        self.assertEqual(body["documents"][0]["csv"], pdf.csv)
        text_of_page = PdfReader(BytesIO(signed)).pages[0].extract_text()
        self.assertIn(pdf.csv, text_of_page.replace("\n", " "))
        self.assertIn("@@verificar?csv=", text_of_page.replace("\n", ""))
        self.assertEqual(
            [record.signature_type for record in pdf.signatures], ["TF01", "TF06"]
        )
        [report] = self.signatures().validate_pdf(signed)
        self.assertEqual(report.status, "valid")
        self.assertEqual(report.signer_nif, RESPONSABLE_NIF)

        # The other file: unchanged, with a detached CAdES signature.
        self.assertEqual(api.content.get_state(text), "firmado")
        self.assertEqual(text.file.data, b"Una nota.\n")
        cades = text.signatures[-1]
        self.assertEqual(cades.signature_type, "TF04")
        report = self.signatures().validate_detached(text.file.data, cades.value)
        self.assertEqual(report.status, "valid")

        # Nothing of the refused ones changed.
        self.assertEqual(api.content.get_state(draft), "borrador")
        self.assertFalse(getattr(draft, "signatures", None))

    def test_wrong_pin_signs_nothing_and_three_lock(self):
        documento = self.pending()
        transaction.commit()
        session = self.session("responsable")
        for attempt, remaining in ((1, 2), (2, 1)):
            with self.subTest(attempt=attempt):
                response = self.firmar(session, [IUUID(documento)], SECRET_PIN)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn("pin", response.json()["error"]["fields"])
                self.assertIn(str(remaining), response.json()["error"]["message"])
        response = self.firmar(session, [IUUID(documento)], SECRET_PIN)
        self.assertEqual(response.status_code, 423, response.text)
        # Locked: even the right PIN is refused now.
        response = self.firmar(session, [IUUID(documento)], PIN)
        self.assertEqual(response.status_code, 423, response.text)
        self.refresh()
        self.assertEqual(api.content.get_state(documento), "pendiente_firma")
        locks = [e for e in self.journal() if e["action"] == "signing_key_locked"]
        self.assertEqual(len(locks), 1)
        self.assertEqual(locks[0]["details"]["user_id"], "responsable")

    def test_bad_bodies_name_the_field(self):
        transaction.commit()
        session = self.session("responsable")
        for body, field in (
            ({"pin": PIN}, "documents"),
            ({"documents": [], "pin": PIN}, "documents"),
            ({"documents": [1, 2], "pin": PIN}, "documents"),
            ({"documents": ["x"]}, "pin"),
        ):
            with self.subTest(body=body):
                response = session.post(f"{self.portal_url}/@firmar", json=body)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn(field, response.json()["error"]["fields"])

    def test_user_without_certificate(self):
        documento = self.pending()
        transaction.commit()
        response = self.firmar(self.session("tramitador"), [IUUID(documento)])
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("user", response.json()["error"]["fields"])

    def test_anonymous_refused(self):
        response = self.firmar(self.session("anonimo"), ["x"])
        self.assertIn(response.status_code, (401, 403))


class TestWorkflowDoor(SigningPortalTestCase):
    def test_certificate_holder_is_sent_to_firmar(self):
        documento = self.pending()
        transaction.commit()
        response = self.session("responsable").post(
            f"{documento.absolute_url()}/@workflow/firmar", json={}
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("@firmar", response.text)
        self.refresh()
        self.assertEqual(api.content.get_state(documento), "pendiente_firma")


class TestPendingPage(SigningPortalTestCase):
    def test_list_select_and_sign_with_one_pin(self):
        first = self.pending("Primera")
        second = self.pending("Segona")
        transaction.commit()
        session = self.session("responsable")
        session.headers["Accept"] = "text/html"
        page = session.get(f"{self.portal_url}/@@pendientes-firma")
        self.assertEqual(page.status_code, 200)
        for documento in (first, second):
            self.assertIn(IUUID(documento), page.text)
        self.assertIn('id="select-all"', page.text)
        self.assertIn('type="password"', page.text)
        response = session.post(
            f"{self.portal_url}/@@pendientes-firma",
            data={
                "documents:list": [IUUID(first), IUUID(second)],
                "pin_password": PIN,
                "_authenticator": self._token(),
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.refresh()
        self.assertEqual(api.content.get_state(first), "firmado")
        self.assertEqual(api.content.get_state(second), "firmado")

    def _token(self):
        with api.env.adopt_user(username="responsable"):
            return createToken()


class TestPinNeverKept(SigningPortalTestCase):
    def test_pin_not_in_responses_journal_or_logs(self):
        documento = self.pending()
        transaction.commit()
        records = []
        handler = logging.Handler()
        handler.emit = lambda record: records.append(handler.format(record))
        logging.getLogger().addHandler(handler)
        self.addCleanup(logging.getLogger().removeHandler, handler)
        session = self.session("responsable")
        responses = [
            self.firmar(session, [IUUID(documento)], SECRET_PIN) for _ in range(2)
        ]
        # The Classic UI form, whose page comes back after a wrong PIN.
        with api.env.adopt_user(username="responsable"):
            token = createToken()
        page = self.session("responsable")
        page.headers["Accept"] = "text/html"
        responses.append(
            page.post(
                f"{self.portal_url}/@@pendientes-firma",
                data={
                    "documents:list": [IUUID(documento)],
                    "pin_password": SECRET_PIN,
                    "_authenticator": token,
                },
            )
        )
        self.assertEqual(responses[-1].status_code, 423)
        self.refresh()
        journal = json.dumps(self.journal(), default=str)
        texts = [response.text for response in responses] + [journal, *records]
        for text in texts:
            self.assertNotIn(SECRET_PIN, text)
        for path in self.dev.directory.rglob("*"):
            if path.is_file():
                self.assertNotIn(SECRET_PIN.encode(), path.read_bytes())


class TestSealAndVerification(SigningPortalTestCase):
    """Receipts sealed with the council's seal, and every certificate
    signature validated where a verification shows it."""

    def verify(self, csv):
        response = self.session("anonimo").get(
            f"{self.portal_url}/@verificar", params={"csv": csv}
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_receipt_sealed_and_verified_as_valid(self):
        asiento = self.fixture.asiento()
        receipt = asiento[asiento.justificante]
        self.assertEqual(
            [record.signature_type for record in receipt.signatures], ["TF01", "TF06"]
        )
        [report] = Signatures().validate_pdf(receipt.file.data)
        self.assertEqual(report.status, "valid")
        self.assertEqual(report.signer_nif, pki.DEV_COUNCIL_CIF)
        self.assertEqual(receipt.huella, sha256_of_file(receipt.file))
        transaction.commit()
        body = self.verify(asiento.csv)
        [shown] = body["validation"]
        self.assertEqual(shown["status"], "valid")
        self.assertEqual(shown["signer_nif"], pki.DEV_COUNCIL_CIF)
        page = self.session("anonimo")
        page.headers["Accept"] = "text/html"
        html = page.get(
            f"{self.portal_url}/@@verificar", params={"csv": asiento.csv}
        ).text
        self.assertIn("signature-valid", html)

    def test_signed_document_verified_and_untrusted_shown_as_such(self):
        documento = self.pending()
        transaction.commit()
        response = self.firmar(self.session("responsable"), [IUUID(documento)])
        self.assertEqual(response.json()["signed"], 1, response.text)
        self.refresh()
        [shown] = self.verify(documento.csv)["validation"]
        self.assertEqual(shown["status"], "valid")
        self.assertEqual(shown["signer_nif"], RESPONSABLE_NIF)
        # The document's own JSON shows the same.
        body = self.session("responsable").get(documento.absolute_url()).json()
        self.assertEqual(
            [item["signature_type"] for item in body["signatures"]], ["TF01", "TF06"]
        )
        [shown] = body["signature_validation"]
        self.assertEqual((shown["status"], shown["valid"]), ("valid", True))
        # ...and its page lists both signatures, with the CSV.
        page = self.session("responsable")
        page.headers["Accept"] = "text/html"
        response = page.get(documento.absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(documento.csv, response.text)
        other = DevPkiDirectory(signers=())
        self.addCleanup(other.cleanup)
        os.environ["PAERIA_TRUST_ANCHORS"] = str(other.root_pem)
        self.addCleanup(os.environ.pop, "PAERIA_TRUST_ANCHORS", None)
        [shown] = self.verify(documento.csv)["validation"]
        self.assertEqual(shown["status"], "untrusted")
        self.assertFalse(shown["valid"])

    def test_no_seal_configured_receipt_as_before(self):
        os.environ["PAERIA_SIGNING_DIR"] = str(self.dev.directory / "nothing")
        asiento = self.fixture.asiento()
        receipt = asiento[asiento.justificante]
        self.assertEqual(
            [record.signature_type for record in receipt.signatures], ["TF01"]
        )


class TestIndependentTools(SigningPortalTestCase):
    """A document signed through the portal: PAdES for pyHanko's command line
    against the exported root and for poppler's pdfsig; its ENI export carries
    TF01 and TF06 and validates against the official XSDs."""

    def signed_document(self):
        documento = self.pending()
        transaction.commit()
        response = self.firmar(self.session("responsable"), [IUUID(documento)])
        self.assertEqual(response.json()["signed"], 1, response.text)
        self.refresh()
        path = Path(tempfile.mkdtemp()) / "signed.pdf"
        self.addCleanup(shutil.rmtree, path.parent)
        path.write_bytes(documento.file.data)
        return documento, path

    def test_pyhanko_command_line_and_pdfsig(self):
        _documento, path = self.signed_document()
        pyhanko = Path(sys.executable).parent / "pyhanko"
        result = subprocess.run(
            [
                str(pyhanko),
                "sign",
                "validate",
                "--trust",
                str(self.dev.root_pem),
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(":VALID", result.stdout)
        if shutil.which("pdfsig") is None:
            self.skipTest("pdfsig (poppler-utils) is not installed")
        result = subprocess.run(
            ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=60
        )
        self.assertIn("Signature Validation: Signature is Valid.", result.stdout)
        self.assertIn(f"NIF {RESPONSABLE_NIF}", result.stdout)

    @needs_xsd
    def test_eni_export_carries_tf06_and_validates(self):
        documento, _path = self.signed_document()
        data = bridge.export_documento(documento)
        self.assertEqual(schema_errors(data, "documento"), [])
        root = etree.fromstring(data)
        types = [element.text for element in root.iter(qname("enids", "TipoFirma"))]
        self.assertEqual(types, ["TF01", "TF06"])
        content = base64.b64decode(
            root.findtext(f".//{qname('enifile', 'ValorBinario')}")
        )
        self.assertEqual(content, documento.file.data)


class TestSealedNotificationCertificate(SigningPortalTestCase):
    def test_certificate_sealed_with_the_council_seal(self):
        # The fixture signs its document through the workflow (by CSV), as a
        # user without a certificate would.
        os.environ["PAERIA_SIGNING_DIR"] = str(self.dev.directory / "none")
        notificacion = self.fixture.notificacion(self.expediente)
        os.environ["PAERIA_SIGNING_DIR"] = str(self.dev.directory)
        transaction.commit()
        response = self.session("tramitador").get(
            f"{notificacion.absolute_url()}/@@certificado"
        )
        self.assertEqual(response.status_code, 200)
        [report] = Signatures().validate_pdf(response.content)
        self.assertEqual(report.status, "valid")
        self.assertEqual(report.signer_nif, pki.DEV_COUNCIL_CIF)


class TestSeveralSigners(SigningPortalTestCase):
    """A document that needs two signatures: the first signer's is recorded
    while it stays pending, the second one's makes it firmado, and both
    validate."""

    def setUp(self):
        super().setUp()
        second = pki.Signer("responsable2", "Segon Responsable", pki.nif_for(66))
        issued = pki.issue(
            pki.employee_name(second.fullname, second.nif), self.dev.pki.issuing
        )
        Signatures().key_store.install(
            second.user_id, pki.pkcs12_bytes(issued, PIN), pki.pem(issued.certificate)
        )
        api.user.create(
            email="responsable2@example.org",
            username="responsable2",
            password=PASSWORD,
            properties={"fullname": second.fullname},
        )
        api.group.add_user(
            groupname=self.fixture.unidad.responsables_group_id(),
            username="responsable2",
        )

    def test_two_signers_in_order(self):
        documento = self.pending()
        documento.firmas_requeridas = 2
        transaction.commit()
        first = self.firmar(self.session("responsable"), [IUUID(documento)]).json()
        [report] = first["documents"]
        self.assertEqual((report["status"], report["firmado"]), ("signed", False))
        self.assertEqual(report["signatures_left"], 1)
        self.refresh()
        self.assertEqual(api.content.get_state(documento), "pendiente_firma")
        # The same signer cannot sign twice, nor anyone by CSV meanwhile.
        again = self.firmar(self.session("responsable"), [IUUID(documento)]).json()
        self.assertEqual(again["documents"][0]["status"], "refused")
        os.environ["PAERIA_SIGNING_DIR"] = str(self.dev.directory / "none")
        response = self.session("responsable").post(
            f"{documento.absolute_url()}/@workflow/firmar", json={}
        )
        os.environ["PAERIA_SIGNING_DIR"] = str(self.dev.directory)
        self.assertEqual(response.status_code, 400, response.text)
        second = self.firmar(self.session("responsable2"), [IUUID(documento)]).json()
        [report] = second["documents"]
        self.assertEqual((report["status"], report["firmado"]), ("signed", True))
        self.assertEqual(report["csv"], first["documents"][0]["csv"])
        self.refresh()
        self.assertEqual(api.content.get_state(documento), "firmado")
        self.assertEqual(
            [record.signature_type for record in documento.signatures],
            ["TF06", "TF01", "TF06"],
        )
        reports = Signatures().validate_pdf(documento.file.data)
        self.assertEqual([r.status for r in reports], ["valid", "valid"])
        self.assertEqual(
            [r.signer_nif for r in reports], [RESPONSABLE_NIF, pki.nif_for(66)]
        )
