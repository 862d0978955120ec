"""The signing core (paeria.egov.signing), without Plone: real keys from the
development PKI, real PDFs, checked by pyHanko, by the `pyhanko sign validate`
command line and by poppler's `pdfsig`."""

from cryptography.x509.oid import NameOID
from io import BytesIO
from paeria.egov.demo.data import SIGNERS as DEMO_SIGNERS
from paeria.egov.instance.config import InstanceSettings
from paeria.egov.instance.config import zope_conf
from paeria.egov.instance.site import create_demo_pki
from paeria.egov.signing import pki
from paeria.egov.signing import validation
from paeria.egov.signing.config import from_environment
from paeria.egov.signing.engine import Signatures
from paeria.egov.signing.keys import asn1_certificate
from paeria.egov.signing.keys import KeyLocked
from paeria.egov.signing.keys import KeyStore
from paeria.egov.signing.keys import NoKey
from paeria.egov.signing.keys import signer_from_pkcs12
from paeria.egov.signing.keys import WrongPin
from paeria.egov.signing.pades import PdfSigningError
from paeria.egov.signing.seal import SealUnavailable
from paeria.egov.tests.signing_support import DevPkiDirectory
from paeria.egov.tests.signing_support import DevPkiLayer
from paeria.egov.tests.signing_support import dummy_timestamper
from paeria.egov.tests.signing_support import LocalTsa
from paeria.egov.tests.signing_support import sample_pdf
from paeria.egov.tests.signing_support import SIGNERS
from pathlib import Path
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from stdnum.es import nif as stdnum_nif
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import unittest


PIN = pki.DEV_PIN
URBANISMO = SIGNERS[0]
HISENDA = SIGNERS[1]
STAMP = ["Documento firmado electrónicamente", "CSV: TEST-0001"]


class PkiCase(unittest.TestCase):
    layer = DevPkiLayer

    def setUp(self):
        self.dev = DevPkiLayer.dev
        self.signatures = Signatures(self.dev.config())

    def signed(self, data=None, user=URBANISMO, **kwargs):
        signer = self.signatures.employee(user.user_id, PIN)
        return self.signatures.sign_pdf(data or sample_pdf(), signer, STAMP, **kwargs)


class TestDevPki(PkiCase):
    def test_created_once(self):
        with tempfile.TemporaryDirectory() as directory:
            target = Path(directory) / "dev-pki"
            self.assertTrue(pki.create_dev_pki(target, SIGNERS))
            root = (target / "root.pem").read_bytes()
            self.assertFalse(pki.create_dev_pki(target, SIGNERS))
            self.assertEqual((target / "root.pem").read_bytes(), root)
            self.assertIn("NOT FOR PRODUCTION", (target / "README.txt").read_text())
            self.assertTrue((target / "keys" / f"{URBANISMO.user_id}.p12").is_file())
            mode = (target / "keys" / f"{URBANISMO.user_id}.p12").stat().st_mode
            self.assertEqual(mode & 0o077, 0)

    def test_employee_certificate_names_person_nif_and_council(self):
        certificate = self.signatures.certificate(URBANISMO.user_id)
        subject = certificate.subject
        self.assertEqual(
            subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value,
            f"IDCES-{URBANISMO.nif}",
        )
        self.assertEqual(
            subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value,
            pki.DEV_COUNCIL,
        )
        self.assertIn(URBANISMO.fullname, subject.rfc4514_string())
        self.assertIn("TEST AUTHORITY", subject.rfc4514_string())

    def test_nif_for_is_valid(self):
        for number in (0, 11, 12345678, 99999999):
            self.assertTrue(stdnum_nif.is_valid(pki.nif_for(number)))


class TestKeyStore(PkiCase):
    def store(self, now):
        copy = Path(tempfile.mkdtemp(prefix="paeria-keys-"))
        self.addCleanup(shutil.rmtree, copy)
        shutil.copytree(self.dev.directory / "keys", copy, dirs_exist_ok=True)
        return KeyStore(copy, now=lambda: now[0])

    def test_right_pin_opens(self):
        signer = self.store([0.0]).unlock(URBANISMO.user_id, PIN)
        self.assertIn(URBANISMO.nif, signer.signing_cert.subject.human_friendly)

    def test_three_wrong_pins_lock_for_15_minutes(self):
        now = [1000.0]
        store = self.store(now)
        with self.assertRaises(WrongPin) as first:
            store.unlock(URBANISMO.user_id, "wrong-1")
        self.assertEqual(first.exception.remaining, 2)
        with self.assertRaises(WrongPin) as second:
            store.unlock(URBANISMO.user_id, "wrong-2")
        self.assertEqual(second.exception.remaining, 1)
        with self.assertRaises(KeyLocked) as locked:
            store.unlock(URBANISMO.user_id, "wrong-3")
        self.assertEqual(locked.exception.locked_until, 1000.0 + 15 * 60)
        # Even the right PIN is refused while locked...
        now[0] += 14 * 60
        with self.assertRaises(KeyLocked):
            store.unlock(URBANISMO.user_id, PIN)
        # ...and opens the key once the 15 minutes are over.
        now[0] += 61
        store.unlock(URBANISMO.user_id, PIN)
        with self.assertRaises(WrongPin) as again:
            store.unlock(URBANISMO.user_id, "wrong-4")
        self.assertEqual(again.exception.remaining, 2)

    def test_right_pin_resets_the_count(self):
        store = self.store([0.0])
        for _ in range(2):
            with self.assertRaises(WrongPin):
                store.unlock(URBANISMO.user_id, "nope")
        store.unlock(URBANISMO.user_id, PIN)
        with self.assertRaises(WrongPin) as caught:
            store.unlock(URBANISMO.user_id, "nope")
        self.assertEqual(caught.exception.remaining, 2)

    def test_no_key(self):
        store = self.store([0.0])
        for user_id in ("nobody", "../etc/passwd", "", None):
            with self.subTest(user_id=user_id), self.assertRaises(NoKey):
                store.unlock(user_id, PIN)

    def test_pin_never_in_errors(self):
        store = self.store([0.0])
        secret = "s3cr3t-PIN-value"
        for _ in range(3):
            try:
                store.unlock(URBANISMO.user_id, secret)
            except (WrongPin, KeyLocked) as error:
                self.assertNotIn(secret, repr(error) + str(error))
        for path in store.directory.iterdir():
            self.assertNotIn(secret.encode(), path.read_bytes())


class TestSeal(PkiCase):
    def test_dev_seal_from_configuration(self):
        seal = self.signatures.seal()
        self.assertIn("SELLO ELECTRONICO", seal.signing_cert.subject.human_friendly)

    def test_seal_from_environment(self):
        config = self.dev.config(
            PAERIA_SEAL_P12=str(self.dev.directory / "dev-pki" / "seal.p12"),
            PAERIA_SEAL_PIN="wrong",
        )
        with self.assertRaises(SealUnavailable) as caught:
            Signatures(config).seal()
        self.assertNotIn("wrong", str(caught.exception).replace("PIN", ""))

    def test_no_seal_without_pki(self):
        with tempfile.TemporaryDirectory() as directory:
            config = from_environment({"PAERIA_SIGNING_DIR": directory})
            self.assertIsNone(config.seal_p12)
            self.assertEqual(config.trust_anchors, ())
            with self.assertRaises(SealUnavailable):
                Signatures(config).seal()


def run(command):
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


class TestPades(PkiCase):
    def test_signed_pdf_is_valid(self):
        reports = self.signatures.validate_pdf(self.signed())
        self.assertEqual([report.status for report in reports], ["valid"])
        report = reports[0]
        self.assertEqual(report.signer_nif, URBANISMO.nif)
        self.assertEqual(report.signer_name, URBANISMO.fullname)
        self.assertEqual(report.time_source, "claimed")
        self.assertTrue(report.intact and report.trusted and not report.revoked)

    def test_stamp_on_every_page(self):
        data = sample_pdf(pages=3)
        signed = self.signed(data)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as stream:
            stream.write(signed)
            stream.flush()
            if shutil.which("pdftotext") is None:
                self.skipTest("pdftotext (poppler-utils) is not installed")
            text = run(["pdftotext", stream.name, "-"]).stdout
        pages = text.split("\f")[:-1]
        self.assertGreater(len(pages), 1)
        for page in pages:
            self.assertIn("CSV: TEST-0001", page)

    def test_two_signers_in_order_both_valid(self):
        first = self.signed()
        second = self.signed(first, user=HISENDA, signer_line="Firmado por Hisenda")
        self.assertTrue(second.startswith(first))  # an incremental update
        reports = self.signatures.validate_pdf(second)
        self.assertEqual([r.status for r in reports], ["valid", "valid"])
        self.assertEqual([r.signer_nif for r in reports], [URBANISMO.nif, HISENDA.nif])

    def test_pyhanko_command_line_validates_against_dev_root(self):
        path = Path(tempfile.mkdtemp()) / "signed.pdf"
        self.addCleanup(shutil.rmtree, path.parent)
        path.write_bytes(self.signed(self.signed(), user=HISENDA, signer_line="2"))
        pyhanko = Path(sys.executable).parent / "pyhanko"
        result = run(
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
            ]
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.count(":VALID"), 2, result.stdout)

    def test_pyhanko_command_line_refuses_other_root(self):
        path = Path(tempfile.mkdtemp()) / "signed.pdf"
        self.addCleanup(shutil.rmtree, path.parent)
        path.write_bytes(self.signed())
        other = DevPkiDirectory(signers=())
        self.addCleanup(other.cleanup)
        pyhanko = Path(sys.executable).parent / "pyhanko"
        result = run(
            [
                str(pyhanko),
                "sign",
                "validate",
                "--trust",
                str(other.root_pem),
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
                str(path),
            ]
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn(":VALID", result.stdout)

    def test_pdfsig_finds_the_signatures_valid(self):
        if shutil.which("pdfsig") is None:
            self.skipTest("pdfsig (poppler-utils) is not installed")
        path = Path(tempfile.mkdtemp()) / "signed.pdf"
        self.addCleanup(shutil.rmtree, path.parent)
        path.write_bytes(self.signed(self.signed(), user=HISENDA, signer_line="2"))
        # -nocert: poppler's NSS store does not hold the test root; the
        # signatures' integrity is what pdfsig checks here.
        result = run(["pdfsig", "-nocert", str(path)])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(
            result.stdout.count("Signature Validation: Signature is Valid."),
            2,
            result.stdout,
        )
        self.assertIn(f"NIF {URBANISMO.nif}", result.stdout)
        self.assertIn("ETSI.CAdES.detached", result.stdout)

    def test_tampered_is_altered(self):
        signed = bytearray(self.signed())
        index = signed.index(b"Text de la resoluci")
        signed[index] = ord("N")
        reports = self.signatures.validate_pdf(bytes(signed))
        self.assertEqual([r.status for r in reports], ["altered"])
        self.assertFalse(reports[0].valid)

    def test_content_changed_after_signing_is_altered(self):
        signed = self.signed()
        # An incremental update that adds to the page's content.
        writer = IncrementalPdfFileWriter(BytesIO(signed))
        page = writer.root["/Pages"]["/Kids"][0]
        page["/Contents"] = writer.add_object(
            generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (FORGED) Tj ET")
        )
        writer.update_container(page)
        out = BytesIO()
        writer.write(out)
        reports = self.signatures.validate_pdf(out.getvalue())
        self.assertEqual([r.status for r in reports], ["altered"])

    def test_expired_certificate(self):
        long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=800)
        expired = pki.issue(
            pki.employee_name("Caducat", pki.nif_for(33)),
            self.dev.pki.issuing,
            not_before=long_ago,
            days=365,
        )
        signer = signer_from_pkcs12(pki.pkcs12_bytes(expired, PIN), PIN)
        signed = self.signatures.sign_pdf(sample_pdf(), signer, STAMP)
        [report] = self.signatures.validate_pdf(signed)
        self.assertEqual(report.status, "expired")
        self.assertFalse(report.valid)

    def test_revoked_certificate(self):
        revoked = pki.issue(
            pki.employee_name("Revocat", pki.nif_for(44)), self.dev.pki.issuing
        )
        signer = signer_from_pkcs12(pki.pkcs12_bytes(revoked, PIN), PIN)
        signed = self.signatures.sign_pdf(sample_pdf(), signer, STAMP)
        crls = self.dev.directory / "crls"
        crls.mkdir(exist_ok=True)
        self.addCleanup(shutil.rmtree, crls)
        (crls / "issuing.crl").write_bytes(
            pki.certificate_revocation_list(self.dev.pki.issuing, [revoked.certificate])
        )
        self.addCleanup(os.remove, crls / "issuing.crl")
        config = self.dev.config(PAERIA_TRUST_ANCHORS=str(self.dev.root_pem))
        # The dev CRL revokes nothing; the one in crls/ revokes this signer.
        (self.dev.directory / "dev-pki" / "crl.der").rename(
            self.dev.directory / "dev-pki" / "crl.der.off"
        )
        self.addCleanup(
            (self.dev.directory / "dev-pki" / "crl.der.off").rename,
            self.dev.directory / "dev-pki" / "crl.der",
        )
        [report] = Signatures(config).validate_pdf(signed)
        self.assertEqual(report.status, "revoked")
        self.assertTrue(report.revoked)
        self.assertFalse(report.valid)

    def test_untrusted_root(self):
        other = DevPkiDirectory()
        self.addCleanup(other.cleanup)
        signer = Signatures(other.config()).employee(URBANISMO.user_id, PIN)
        signed = self.signatures.sign_pdf(sample_pdf(), signer, STAMP)
        [report] = self.signatures.validate_pdf(signed)
        self.assertEqual(report.status, "untrusted")
        self.assertTrue(report.intact)
        self.assertFalse(report.valid)

    def test_timestamped_with_local_tsa(self):
        with LocalTsa(self.dev.pki) as tsa:
            signatures = Signatures(self.dev.config(PAERIA_TSA_URL=tsa.url))
            signer = signatures.employee(URBANISMO.user_id, PIN)
            signed = signatures.sign_pdf(sample_pdf(), signer, STAMP)
        [report] = signatures.validate_pdf(signed)
        self.assertEqual(report.status, "valid")
        self.assertEqual(report.time_source, "timestamp")

    def test_unreadable_pdf_refused(self):
        signer = self.signatures.employee(URBANISMO.user_id, PIN)
        with self.assertRaises(PdfSigningError):
            self.signatures.sign_pdf(b"%PDF-1.4 not really", signer, STAMP)
        self.assertEqual(self.signatures.validate_pdf(b"garbage"), [])


class TestCades(PkiCase):
    def test_detached_signature_valid(self):
        data = b"<odt bytes>" * 100
        signer = self.signatures.employee(URBANISMO.user_id, PIN)
        signature = self.signatures.sign_detached(data, signer)
        report = self.signatures.validate_detached(data, signature)
        self.assertEqual(report.status, "valid")
        self.assertEqual(report.kind, "CAdES")
        self.assertEqual(report.signer_nif, URBANISMO.nif)

    def test_other_bytes_are_altered(self):
        signer = self.signatures.employee(URBANISMO.user_id, PIN)
        signature = self.signatures.sign_detached(b"original", signer)
        report = self.signatures.validate_detached(b"altered!", signature)
        self.assertEqual(report.status, "altered")

    def test_garbage_signature_is_not_valid(self):
        report = self.signatures.validate_detached(b"data", b"not a signature")
        self.assertEqual(report.status, "altered")

    def test_timestamped(self):
        signatures = Signatures(
            self.dev.config(), timestamper=dummy_timestamper(self.dev.pki)
        )
        signer = signatures.employee(URBANISMO.user_id, PIN)
        signature = signatures.sign_detached(b"data", signer)
        report = signatures.validate_detached(b"data", signature)
        self.assertEqual((report.status, report.time_source), ("valid", "timestamp"))


class TestIdentity(unittest.TestCase):
    def test_nif_from_seal_and_employee(self):
        for name, expected in (
            (pki.seal_name(), pki.DEV_COUNCIL_CIF),
            (pki.employee_name("Anna", "12345678Z"), "12345678Z"),
        ):
            issued = pki.issue(name)
            _, nif, _ = validation.signer_identity(asn1_certificate(issued.certificate))
            self.assertEqual(nif, expected)


class TestInstancePki(unittest.TestCase):
    """`make start` (create-site) with DEMO=1 makes the development PKI once,
    under the instance's var/signing, which zope.conf hands to Zope."""

    def test_signing_directory_in_zope_conf(self):
        with tempfile.TemporaryDirectory() as home:
            settings = InstanceSettings.from_environment(home, {})
            self.assertEqual(settings.signing, Path(home).resolve() / "var/signing")
            self.assertIn(f"PAERIA_SIGNING_DIR {settings.signing}", zope_conf(settings))
            other = InstanceSettings.from_environment(
                home, {"PAERIA_SIGNING_DIR": f"{home}/elsewhere"}
            )
            self.assertEqual(other.signing, Path(home).resolve() / "elsewhere")

    def test_demo_pki_created_once(self):
        with tempfile.TemporaryDirectory() as home:
            settings = InstanceSettings.from_environment(home, {})
            self.assertIn("Created the development PKI", create_demo_pki(settings))
            self.assertIn("kept", create_demo_pki(settings))
            config = from_environment({"PAERIA_SIGNING_DIR": str(settings.signing)})
            signatures = Signatures(config)
            for user_id, _fullname, _number in DEMO_SIGNERS:
                self.assertTrue(signatures.has_certificate(user_id))
            signatures.employee("responsable.urbanismo", pki.DEV_PIN)
            signatures.seal()
            self.assertEqual(
                config.trust_anchors, (settings.signing / "dev-pki" / "root.pem",)
            )
