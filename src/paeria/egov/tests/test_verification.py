"""Verification by CSV: the public page @@verificar and the REST endpoint
@verificar, the same not-found answer for every miss, and the throttling of
failed lookups per client address."""

from paeria.egov import http
from paeria.egov.registro import register_entry
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.base import RelativeSession
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from paeria.egov.verification.lookup import normalise
from paeria.egov.verification.throttle import DEFAULT_WINDOW_SECONDS
from paeria.egov.verification.throttle import FailedLookupThrottle
from paeria.egov.verification.throttle import THROTTLE
from plone.uuid.interfaces import IUUID
from unittest import mock
import hashlib
import transaction
import unittest


# Well-formed but never issued: 32 characters of the portal's alphabet, and 32 of
# base32 (receipts issued before the CSV was unified).
UNKNOWN_SIGNING_CSV = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
UNKNOWN_RECEIPT_CSV = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# The value an unsigned document carries in the catalog's csv index.
UNSIGNED_CSV = "QRSTUVWXYZ23456789ABCDEF"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class TestNormalise(unittest.TestCase):
    def test_codes_as_people_type_them(self):
        cases = (
            ("abcd-efgh-jklm-npqr-stuv-wxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ"),
            ("  ABCD EFGH JKLM NPQR STUV WXYZ \n", "ABCDEFGHJKLMNPQRSTUVWXYZ"),
            (UNKNOWN_RECEIPT_CSV.lower(), UNKNOWN_RECEIPT_CSV),
            ("A" * 16, "A" * 16),
            ("9" * 64, "9" * 64),
        )
        for raw, expected in cases:
            with self.subTest(raw=raw):
                self.assertEqual(normalise(raw), expected)

    def test_what_cannot_be_a_code(self):
        cases = (
            None,
            "",
            "   ",
            "A" * 15,
            "A" * 65,
            "ABCDEFGHJKLMNPQRSTUVWXY0",  # 0 is in no CSV alphabet
            "ABCDEFGHJKLMNPQRSTUVWXY1",
            "ABCDEFGHJKLMNPQRSTUVWXY=",
            "ABCDEFGHJKLMNPQRSTUVWXYÑ",
            "ABCDEFGHJKLMNPQRSTUVWXYZ' OR 1=1",
            ["ABCDEFGHJKLMNPQRSTUVWXYZ"],
            "-" * 300 + "ABCDEFGHJKLMNPQRSTUVWXYZ",
        )
        for raw in cases:
            with self.subTest(raw=raw):
                self.assertIsNone(normalise(raw))


class TestThrottle(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()
        self.throttle = FailedLookupThrottle(max_misses=3, window=60, clock=self.clock)

    def miss(self, address, times=1, every=0):
        for _attempt in range(times):
            self.throttle.record_miss(address)
            self.clock.now += every

    def test_refused_after_the_limit_until_the_oldest_miss_leaves_the_window(self):
        self.miss("10.0.0.1", times=2, every=10)
        self.assertEqual(self.throttle.retry_after("10.0.0.1"), 0)
        self.miss("10.0.0.1")  # misses at 1000, 1010, 1020; now 1020
        self.assertEqual(self.throttle.retry_after("10.0.0.1"), 40)
        self.clock.now = 1059.5
        self.assertEqual(self.throttle.retry_after("10.0.0.1"), 1)
        self.clock.now = 1060
        self.assertEqual(self.throttle.retry_after("10.0.0.1"), 0)

    def test_addresses_are_counted_apart(self):
        self.miss("10.0.0.1", times=3)
        self.assertEqual(self.throttle.retry_after("10.0.0.1"), 60)
        self.assertEqual(self.throttle.retry_after("10.0.0.2"), 0)

    def test_misses_older_than_the_window_are_forgotten(self):
        self.miss("10.0.0.1", times=2)
        self.clock.now += 61
        self.miss("10.0.0.1", times=2)
        self.assertEqual(self.throttle.retry_after("10.0.0.1"), 0)

    def test_memory_is_bounded(self):
        throttle = FailedLookupThrottle(
            max_misses=3, window=60, clock=self.clock, max_addresses=2
        )
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            for _attempt in range(3):
                throttle.record_miss(address)
            self.clock.now += 1
        self.assertEqual(len(throttle._misses), 2)
        self.assertEqual(throttle.retry_after("10.0.0.1"), 0)  # the stalest
        self.assertGreater(throttle.retry_after("10.0.0.3"), 0)


class VerificationTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        THROTTLE.reset()
        self.clock = FakeClock()
        patcher = mock.patch.object(THROTTLE, "clock", self.clock)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(THROTTLE.reset)

        fixture = WorkflowFixture(self.portal)
        expediente = fixture.expediente("en_tramitacion")
        self.signed_data = base.pdf_bytes("Resolucio signada")
        self.signed = fixture.documento(
            expediente,
            "firmado",
            title="Resolucio signada",
            tipo_documental="TD01",
            file=base.named_file(self.signed_data, filename="resolucio.pdf"),
        )
        self.unsigned = fixture.documento(expediente, "borrador", title="Esborrany")
        # A draft carrying a code in the index must still not verify.
        self.unsigned.csv = UNSIGNED_CSV
        self.unsigned.reindexObject(idxs=["csv"])
        self.asiento = register_entry(
            {
                "canal": "presencial",
                "interesado_identifier_type": "NIF",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig i Soler",
                "resumen": "Sol·licitud de llicència d'obra menor",
                "unidad_destino": IUUID(fixture.unidad),
            },
            [
                {
                    "data": base.pdf_bytes("Solicitud"),
                    "filename": "solicitud.pdf",
                    "content_type": "application/pdf",
                }
            ],
        )
        self.receipt = self.asiento[self.asiento.justificante]
        transaction.commit()
        self.session = RelativeSession(self.portal_url)  # anonymous
        self.session.headers.update(
            {"Accept": "application/json", "Accept-Language": "en"}
        )
        self.addCleanup(self.session.close)

    def get(self, csv=None, download=False, address=None, **params):
        if csv is not None:
            params["csv"] = csv
        headers = {"X-Forwarded-For": address} if address else {}
        path = "@verificar/download" if download else "@verificar"
        return self.session.get(path, params=params, headers=headers)

    def browser(self):
        from plone.testing.zope import Browser

        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.raiseHttpErrors = False
        browser.addHeader("Accept-Language", "en")
        return browser


class TestRestVerification(VerificationTestCase):
    def test_signed_document_verifies_and_downloads(self):
        response = self.get(self.signed.csv)
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["kind"], "signed_document")
        self.assertEqual(data["csv"], self.signed.csv)
        self.assertEqual(data["title"], "Resolucio signada")
        self.assertEqual(data["eni_identifier"], self.signed.eni_identifier)
        self.assertTrue(data["eni_identifier"].startswith("ES_"))
        self.assertEqual(data["tipo_documental"], "TD01")
        self.assertEqual(data["tipo_documental_title"], "Resolution")
        self.assertEqual(data["huella"], sha256(self.signed_data))
        self.assertEqual(data["filename"], "resolucio.pdf")
        self.assertIsNone(data["registro"])
        [signature] = data["signatures"]
        self.assertEqual(signature["signature_type"], "TF01")
        self.assertEqual(signature["signer"], "Responsable")
        self.assertEqual(
            signature["signed_at"], self.signed.signatures[0].signed_at.isoformat()
        )
        self.assertEqual(
            data["download"],
            f"{self.portal_url}/@verificar/download?csv={self.signed.csv}",
        )

        download = self.session.get(data["download"])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", download.headers["Content-Disposition"])
        self.assertEqual(sha256(download.content), data["huella"])

    def test_receipt_verifies_and_downloads(self):
        response = self.get(self.asiento.csv)
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["kind"], "receipt")
        self.assertEqual(data["title"], self.receipt.Title())
        self.assertEqual(data["tipo_documental"], "TD09")
        self.assertEqual(
            data["registro"],
            {
                "numero": self.asiento.numero,
                "tipo": "entrada",
                "fecha_presentacion": self.asiento.fecha_presentacion.isoformat(),
            },
        )
        self.assertEqual(data["signatures"], [])
        self.assertNotIn(base.VALID_NIF, response.text)
        self.assertNotIn("Maria Puig", response.text)

        download = self.session.get(data["download"])
        self.assertEqual(download.status_code, 200)
        self.assertTrue(download.content.startswith(b"%PDF"))
        self.assertEqual(sha256(download.content), data["huella"])
        self.assertEqual(data["huella"], self.receipt.huella)

    def test_codes_are_found_as_people_type_them(self):
        csv = self.signed.csv
        typed = "-".join(csv[i : i + 4] for i in range(0, len(csv), 4)).lower()
        response = self.get(f"  {typed} ")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["csv"], csv)

    def test_every_miss_gets_the_same_answer(self):
        cases = {
            "unsigned document's code": UNSIGNED_CSV,
            "unknown signing-shaped code": UNKNOWN_SIGNING_CSV,
            "unknown receipt-shaped code": UNKNOWN_RECEIPT_CSV,
            "the entry's number": self.asiento.numero,
            "malformed": "<script>alert(1)</script>",
            "too short": self.signed.csv[:15],
            "empty": "",
            "missing": None,
        }
        answers = {}
        for reason, csv in cases.items():
            with self.subTest(reason=reason):
                response = self.get(csv)
                self.assertEqual(response.status_code, 404)
                answers[reason] = response.text
                download = self.get(csv, download=True)
                self.assertEqual(download.status_code, 404)
                self.assertEqual(download.text, response.text)
            # Two misses a case: keep under the throttle's limit.
            self.clock.now += DEFAULT_WINDOW_SECONDS
        self.assertEqual(len(set(answers.values())), 1, answers)
        self.assertEqual(
            response.json(),
            {
                "error": {
                    "type": "NotFound",
                    "message": "No document can be verified with this code. "
                    "Check that it was typed exactly as printed.",
                }
            },
        )

    def test_annulled_document_no_longer_verifies(self):
        from paeria.egov.tests.test_workflow_fixtures import as_user
        from plone import api

        csv = self.signed.csv
        self.assertEqual(self.get(csv).status_code, 200)
        with as_user("manager"):
            api.content.transition(self.signed, "anular", comment="Duplicat")
        transaction.commit()
        self.assertEqual(self.get(csv).status_code, 404)


class TestThrottling(VerificationTestCase):
    def test_eleventh_miss_refused_other_address_still_answered(self):
        with mock.patch.dict("os.environ", {http.TRUSTED_PROXY_ENV: "1"}):
            for attempt in range(10):
                with self.subTest(attempt=attempt):
                    response = self.get(UNKNOWN_SIGNING_CSV, address="203.0.113.7")
                    self.assertEqual(response.status_code, 404)
                self.clock.now += 1
            refused = self.get(UNKNOWN_SIGNING_CSV, address="203.0.113.7")
            self.assertEqual(refused.status_code, 429)
            # The first miss was at 1000, now is 1010: 590 s left of the window.
            self.assertEqual(refused.headers["Retry-After"], "590")
            self.assertEqual(refused.json()["error"]["type"], "TooManyRequests")
            # Refused before looking: a real code answers the same while refused.
            hit = self.get(self.signed.csv, address="203.0.113.7")
            self.assertEqual(hit.status_code, 429)
            download = self.get(self.signed.csv, download=True, address="203.0.113.7")
            self.assertEqual(download.status_code, 429)
            # The page too.
            browser = self.browser()
            browser.addHeader("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
            browser.open(f"{self.portal_url}/@@verificar?csv={self.signed.csv}")
            self.assertEqual(browser.headers["status"], "429 Too Many Requests")
            self.assertEqual(browser.headers["Retry-After"], "590")
            self.assertNotIn(self.signed.huella, browser.contents)

            other = self.get(UNKNOWN_SIGNING_CSV, address="198.51.100.2")
            self.assertEqual(other.status_code, 404)
            self.assertEqual(
                self.get(self.signed.csv, address="198.51.100.2").status_code, 200
            )

            self.clock.now = 1600  # the first miss leaves the window
            self.assertEqual(
                self.get(self.signed.csv, address="203.0.113.7").status_code, 200
            )

    def test_hits_do_not_count(self):
        for _attempt in range(15):
            self.assertEqual(self.get(self.signed.csv).status_code, 200)
        for _attempt in range(9):
            self.assertEqual(self.get(UNKNOWN_SIGNING_CSV).status_code, 404)
        self.assertEqual(self.get(self.signed.csv).status_code, 200)

    def test_forwarded_for_is_ignored_without_a_trusted_proxy(self):
        for attempt in range(10):
            response = self.get(UNKNOWN_SIGNING_CSV, address=f"192.0.2.{attempt}")
            self.assertEqual(response.status_code, 404)
        refused = self.get(UNKNOWN_SIGNING_CSV, address="192.0.2.200")
        self.assertEqual(refused.status_code, 429)


class TestVerificationPage(VerificationTestCase):
    def test_form_verifies_a_signed_document_and_downloads_it(self):
        browser = self.browser()
        browser.open(f"{self.portal_url}/@@verificar")
        self.assertEqual(browser.headers["status"], "200 OK")
        self.assertNotIn("verification-error", browser.contents)
        browser.getControl(name="csv").value = self.signed.csv.lower()
        browser.getForm(action="@@verificar").submit()
        self.assertEqual(browser.headers["status"], "200 OK")
        self.assertIn("Resolucio signada", browser.contents)
        self.assertIn(self.signed.eni_identifier, browser.contents)
        self.assertIn(self.signed.huella, browser.contents)
        self.assertIn("Responsable", browser.contents)
        link = browser.getLink(id="verification-download")
        self.assertEqual(
            link.url, f"{self.portal_url}/@@verificar/download?csv={self.signed.csv}"
        )
        link.click()
        self.assertEqual(browser.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", browser.headers["Content-Disposition"])
        self.assertEqual(sha256(browser.contents), self.signed.huella)

    def test_receipt_page_shows_entry_not_the_interested_party(self):
        browser = self.browser()
        browser.open(f"{self.portal_url}/@@verificar?csv={self.asiento.csv}")
        self.assertEqual(browser.headers["status"], "200 OK")
        self.assertIn(self.asiento.numero, browser.contents)
        self.assertIn(self.receipt.huella, browser.contents)
        self.assertNotIn(base.VALID_NIF, browser.contents)
        self.assertNotIn("Maria Puig", browser.contents)

    def test_every_miss_gets_the_same_page(self):
        pages = {}
        for reason, csv in {
            "unsigned document's code": UNSIGNED_CSV,
            "unknown code": UNKNOWN_RECEIPT_CSV,
            "malformed": "not a code!",
            "empty": "",
        }.items():
            with self.subTest(reason=reason):
                browser = self.browser()
                browser.open(f"{self.portal_url}/@@verificar?csv={csv}")
                self.assertEqual(browser.headers["status"], "404 Not Found")
                self.assertIn(
                    "No document can be verified with this code", browser.contents
                )
                self.assertNotIn("verification-result", browser.contents)
                # The page repeats what was typed in its form field only.
                pages[reason] = browser.contents.replace(f'value="{csv}"', "")
        self.assertEqual(len(set(pages.values())), 1)
