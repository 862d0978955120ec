"""Integrity of documents: downloads re-checked, every blob scanned.

The functional tests corrupt a committed blob file on disk, behind the
portal's back, and see the scan report it and every download of it refused.
"""

from paeria.egov.integrity.checks import check_document
from paeria.egov.integrity.checks import inspect
from paeria.egov.integrity.checks import INTEGRITY_FAILURE
from paeria.egov.integrity.checks import record_failure
from paeria.egov.integrity.consistency import consistency
from paeria.egov.integrity.consistency import counts
from paeria.egov.integrity.findings import IntegrityFailure
from paeria.egov.integrity.findings import MISMATCH
from paeria.egov.integrity.findings import MISSING
from paeria.egov.integrity.scanning import scan
from paeria.egov.journal import recording
from paeria.egov.journal import search
from paeria.egov.journal import verification
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone.uuid.interfaces import IUUID
import hashlib
import os
import stat
import transaction
import unittest


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def stored_bytes(documento):
    with documento.file.open() as stream:
        return stream.read()


def last_entry(obj):
    return search.history(recording.group_of(obj))[0].content


class TestChecks(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")

    def assertFailure(self, documento):
        with self.assertRaises(IntegrityFailure) as caught:
            check_document(documento)
        self.assertIs(caught.exception.documento, documento)
        return caught.exception.findings

    def test_an_intact_document_passes(self):
        documento = self.fixture.documento(self.expediente)
        findings, size = inspect(documento)
        self.assertEqual(findings, [])
        self.assertEqual(size, len(stored_bytes(documento)))
        self.assertIsNone(check_document(documento))

    def test_a_fingerprint_that_does_not_match_the_bytes(self):
        documento = self.fixture.documento(self.expediente)
        actual = sha256(stored_bytes(documento))
        documento.huella = "0" * 64
        with self.assertLogs("paeria.egov.integrity", level="ERROR") as logged:
            (finding,) = self.assertFailure(documento)
        self.assertEqual(finding.problem, MISMATCH)
        self.assertEqual(finding.source, "huella")
        self.assertEqual(finding.expected, "0" * 64)
        self.assertEqual(finding.found, actual)
        self.assertEqual(finding.uid, IUUID(documento))
        self.assertEqual(finding.path, "/".join(documento.getPhysicalPath()))
        self.assertIn("/".join(documento.getPhysicalPath()), logged.output[0])

    def test_bytes_changed_without_events(self):
        documento = self.fixture.documento(self.expediente)
        recorded = documento.huella
        with documento.file._blob.open("w") as stream:
            stream.write(base.pdf_bytes("Falsificat"))
        (finding,) = self.assertFailure(documento)
        self.assertEqual(finding.expected, recorded)
        self.assertEqual(finding.found, sha256(base.pdf_bytes("Falsificat")))

    def test_a_signed_document_is_checked_against_its_signature(self):
        documento = self.fixture.documento(self.expediente, "firmado")
        self.assertEqual(inspect(documento)[0], [])
        documento.signatures[0].huella = "f" * 64
        (finding,) = self.assertFailure(documento)
        self.assertEqual(finding.source, "signatures[0]")
        self.assertEqual(finding.expected, "f" * 64)
        self.assertEqual(finding.found, documento.huella)

    def test_an_incorporated_document_is_checked_against_its_bytes_then(self):
        documento = self.fixture.documento(self.expediente, "incorporado")
        self.assertEqual(documento.huella_incorporada, documento.huella)
        self.assertEqual(inspect(documento)[0], [])
        documento.huella_incorporada = "a" * 64
        (finding,) = self.assertFailure(documento)
        self.assertEqual(finding.source, "huella_incorporada")

    def test_a_fingerprinted_document_without_its_file(self):
        documento = self.fixture.documento(self.expediente)
        recorded = documento.huella
        documento.file = None  # behind the API's back: no event
        (finding,) = self.assertFailure(documento)
        self.assertEqual(finding.problem, MISSING)
        self.assertEqual(finding.expected, recorded)
        self.assertIsNone(finding.found)
        self.assertEqual(finding.reason, "the document has no file")

    def test_a_failure_is_journalled_when_recorded(self):
        documento = self.fixture.documento(self.expediente)
        documento.huella = "0" * 64
        with self.assertRaises(IntegrityFailure) as caught:
            check_document(documento)
        record_failure(caught.exception)
        content = last_entry(documento)
        self.assertEqual(content["action"], INTEGRITY_FAILURE)
        self.assertEqual(content["uid"], IUUID(documento))
        self.assertEqual(content["details"]["findings"][0]["expected"], "0" * 64)


class TestJournalledWhateverTheOutcome(unittest.TestCase):
    """Inside a published request a failure is journalled with the request's
    commit when a view caught it, or after the abort when it propagated."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        self.fixture = WorkflowFixture(self.portal)
        self.documento = self.fixture.documento()
        self.documento.huella = "0" * 64

    def failures(self):
        return [
            entry
            for entry in search.history(recording.group_of(self.documento))
            if entry.content["action"] == INTEGRITY_FAILURE
        ]

    def test_caught_and_answered_by_the_view(self):
        from zope.event import notify
        from ZPublisher.pubevents import PubBeforeCommit

        with self.assertRaises(IntegrityFailure):
            check_document(self.documento)
        self.assertEqual(self.failures(), [])
        notify(PubBeforeCommit(self.request))
        (entry,) = self.failures()
        self.assertEqual(entry.content["uid"], IUUID(self.documento))
        # Taken from the request: not journalled twice.
        notify(PubBeforeCommit(self.request))
        self.assertEqual(len(self.failures()), 1)

    def test_nothing_is_journalled_by_a_retried_request(self):
        from zope.event import notify
        from ZPublisher.pubevents import PubFailure

        with self.assertRaises(IntegrityFailure) as caught:
            check_document(self.documento)
        error = caught.exception
        notify(PubFailure(self.request, (type(error), error, None), True))
        self.assertEqual(self.failures(), [])


class TestScan(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)
        expediente = self.fixture.expediente("en_tramitacion")
        self.documentos = [
            self.fixture.documento(expediente, title=f"Document {number}")
            for number in range(3)
        ]
        self.documentos.append(self.fixture.documento(expediente, "firmado"))

    def test_every_document_is_read(self):
        seen = []
        result = scan(self.portal, progress=lambda result: seen.append(result.checked))
        self.assertTrue(result.ok)
        self.assertEqual(result.total, len(self.documentos))
        self.assertEqual(result.checked, len(self.documentos))
        self.assertEqual(
            result.bytes_read,
            sum(len(stored_bytes(documento)) for documento in self.documentos),
        )
        self.assertEqual(seen, [len(self.documentos)])

    def test_progress_in_batches(self):
        seen = []
        scan(
            self.portal,
            progress=lambda result: seen.append(result.checked),
            batch_size=3,
        )
        self.assertEqual(seen, [3, 4])

    def test_mismatches_and_missing_files_are_reported(self):
        tampered, emptied, intact, signed = self.documentos
        tampered.huella = "0" * 64
        emptied.file = None
        signed.signatures[0].huella = "1" * 64
        result = scan(self.portal)
        self.assertFalse(result.ok)
        self.assertEqual(result.checked, 4)
        summary = result.as_dict()
        self.assertEqual(
            sorted(
                (finding["uid"], finding["source"]) for finding in summary["mismatches"]
            ),
            sorted([(IUUID(tampered), "huella"), (IUUID(signed), "signatures[0]")]),
        )
        (missing,) = summary["missing"]
        self.assertEqual(missing["uid"], IUUID(emptied))
        self.assertEqual(missing["path"], "/".join(emptied.getPhysicalPath()))
        self.assertNotIn(
            IUUID(intact),
            [finding["uid"] for finding in summary["mismatches"] + summary["missing"]],
        )

    def test_a_catalog_entry_without_its_object(self):
        documento = self.documentos[0]
        path = "/".join(documento.getPhysicalPath())
        # Removed behind the catalog's back: the catalog still lists it.
        container = documento.aq_parent
        container._delObject(documento.getId(), suppress_events=True)
        result = scan(self.portal)
        (missing,) = result.missing
        self.assertEqual(missing.path, path)
        self.assertEqual(missing.reason, "object not found")


class TestConsistency(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.documento = self.fixture.documento(self.expediente, "firmado")
        self.fixture.documento(self.expediente)

    def test_counts_per_type_and_state(self):
        found = counts(self.portal)
        self.assertEqual(
            found["Expediente"], {"total": 1, "states": {"en_tramitacion": 1}}
        )
        # The fixture signs a resolution for nothing here: two documents.
        self.assertEqual(
            found["Documento"], {"total": 2, "states": {"borrador": 1, "firmado": 1}}
        )
        self.assertEqual(found["Asiento"], {"total": 0, "states": {}})
        self.assertEqual(found["Notificacion"], {"total": 0, "states": {}})

    def test_a_consistent_portal(self):
        report = consistency(self.portal)
        self.assertEqual(set(report), {"counts", "integrity", "journal", "ok"})
        self.assertTrue(report["ok"])
        self.assertEqual(report["integrity"]["checked"], 2)
        self.assertEqual(report["integrity"]["mismatches"], [])
        self.assertEqual(report["integrity"]["missing"], [])
        self.assertTrue(report["journal"]["ok"])
        self.assertEqual(report["journal"]["broken"], [])

    def test_a_damaged_document_or_journal_is_inconsistent(self):
        self.documento.huella = "0" * 64
        report = consistency(self.portal)
        self.assertFalse(report["ok"])
        # The bytes still are those signed: only ``huella`` disagrees.
        (finding,) = report["integrity"]["mismatches"]
        self.assertEqual(finding["source"], "huella")
        self.assertEqual(finding["found"], self.documento.signatures[0].huella)
        self.assertTrue(report["journal"]["ok"])
        self.documento.huella = self.documento.signatures[0].huella
        entry = search.history(self.expediente)[0]
        entry.content["user"] = "somebody-else"  # behind the journal's back
        entry._p_changed = True
        report = consistency(self.portal)
        self.assertTrue(report["integrity"]["ok"])
        self.assertFalse(report["journal"]["ok"])
        self.assertFalse(report["ok"])
        self.assertEqual(
            report["journal"]["broken"][0]["chain"], IUUID(self.expediente)
        )


class CorruptedBlobTestCase(base.UserSessions, unittest.TestCase):
    """A committed document whose blob file on disk was overwritten."""

    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.corrupted = self.fixture.documento(self.expediente, title="Plànol")
        self.intact = self.fixture.documento(self.expediente, title="Memòria")
        transaction.commit()
        self.original = stored_bytes(self.corrupted)
        self.blob_path = self.corrupted.file._blob.committed()
        self.corrupt(self.blob_path)

    def corrupt(self, path):
        """Overwrite bytes in the middle of the file, keeping its size (blob
        files are read-only)."""
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        with open(path, "r+b") as stream:
            stream.seek(len(self.original) // 2)
            stream.write(b"XXXXXXXX")
        with open(path, "rb") as stream:
            self.corrupted_bytes = stream.read()
        self.assertEqual(len(self.corrupted_bytes), len(self.original))
        self.assertNotEqual(self.corrupted_bytes, self.original)

    def entries(self, documento, action):
        return [
            entry.content
            for entry in search.history(self.expediente)
            if entry.content["uid"] == IUUID(documento)
            and entry.content["action"] == action
        ]


class TestCorruptedBlob(CorruptedBlobTestCase):
    def test_the_scan_reports_the_corrupted_file(self):
        self.refresh()
        result = scan(self.portal)
        self.assertFalse(result.ok)
        self.assertEqual(result.checked, 2)
        (finding,) = result.mismatches
        self.assertEqual(finding.uid, IUUID(self.corrupted))
        self.assertEqual(finding.path, "/".join(self.corrupted.getPhysicalPath()))
        self.assertEqual(finding.expected, sha256(self.original))
        self.assertEqual(finding.expected, self.corrupted.huella)
        self.assertEqual(finding.found, sha256(self.corrupted_bytes))
        self.assertEqual(result.missing, [])

    def test_downloads_of_the_corrupted_file_are_refused(self):
        session = self.session("tramitador")
        url = self.corrupted.absolute_url()
        for view in ("@@download/file", "@@display-file/file", "@@download"):
            with self.subTest(view=view):
                with self.assertLogs("paeria.egov.integrity", level="ERROR") as logged:
                    response = session.get(f"{url}/{view}")
                self.assertEqual(response.status_code, 500, response.text)
                self.assertEqual(response.json()["error"]["type"], "IntegrityFailure")
                message = response.json()["error"]["message"]
                self.assertIn("“Plànol” failed its integrity check", message)
                self.assertIn("administrators have been alerted", message)
                self.assertNotIn(self.corrupted.huella, response.text)
                self.assertNotIn(self.blob_path, response.text)
                self.assertIn(IUUID(self.corrupted), logged.output[0])
                self.assertIn(sha256(self.corrupted_bytes), logged.output[0])
        self.refresh()
        failures = self.entries(self.corrupted, INTEGRITY_FAILURE)
        self.assertEqual(len(failures), 3)
        self.assertEqual(failures[0]["user"], "tramitador")
        (finding,) = failures[0]["details"]["findings"]
        self.assertEqual(finding["expected"], sha256(self.original))
        self.assertEqual(finding["found"], sha256(self.corrupted_bytes))
        self.assertEqual(self.entries(self.corrupted, recording.DOWNLOAD), [])
        self.assertEqual(self.entries(self.corrupted, recording.VIEW_CONTENT), [])
        self.assertTrue(verification.verify(self.portal, seal_first=False).ok)

    def test_the_classic_ui_shows_a_page(self):
        session = self.session("tramitador")
        session.headers["Accept"] = "text/html"
        with self.assertLogs("paeria.egov.integrity", level="ERROR"):
            response = session.get(f"{self.corrupted.absolute_url()}/@@download/file")
        self.assertEqual(response.status_code, 500)
        self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
        self.assertIn("failed its integrity check", response.text)
        self.assertNotIn(b"%PDF", response.content)

    def test_the_intact_document_is_served(self):
        response = self.session("tramitador").get(
            f"{self.intact.absolute_url()}/@@download/file"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, stored_bytes(self.intact))
        self.refresh()
        self.assertEqual(len(self.entries(self.intact, recording.DOWNLOAD)), 1)
        self.assertEqual(self.entries(self.intact, INTEGRITY_FAILURE), [])

    def test_a_refused_download_is_not_refused_to_who_cannot_see_it(self):
        # Traversal authorises first: a user without access learns nothing.
        response = self.session("tramitador_otra").get(
            f"{self.corrupted.absolute_url()}/@@download/file"
        )
        self.assertIn(response.status_code, (401, 403, 404))
        self.refresh()
        self.assertEqual(self.entries(self.corrupted, INTEGRITY_FAILURE), [])

    def test_a_missing_blob_file(self):
        os.remove(self.blob_path)
        self.refresh()
        result = scan(self.portal)
        (missing,) = result.missing
        self.assertEqual(missing.uid, IUUID(self.corrupted))
        self.assertEqual(missing.expected, sha256(self.original))
        self.assertEqual(result.mismatches, [])
        with self.assertLogs("paeria.egov.integrity", level="ERROR"):
            response = self.session("tramitador").get(
                f"{self.corrupted.absolute_url()}/@@download/file"
            )
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response.json()["error"]["type"], "IntegrityFailure")


class TestScanEndpoint(CorruptedBlobTestCase):
    def test_the_auditor_reads_the_summary(self):
        for user_id in ("auditor", "manager"):
            with self.subTest(user=user_id):
                response = self.session(user_id).get(
                    f"{self.portal_url}/@integrity-scan"
                )
                self.assertEqual(response.status_code, 200, response.text)
                summary = response.json()
                self.assertFalse(summary["ok"])
                self.assertEqual(summary["checked"], 2)
                self.assertEqual(summary["total"], 2)
                self.assertEqual(
                    summary["bytes_read"],
                    len(self.original) + len(stored_bytes(self.intact)),
                )
                (finding,) = summary["mismatches"]
                self.assertEqual(finding["uid"], IUUID(self.corrupted))
                self.assertEqual(finding["found"], sha256(self.corrupted_bytes))
                self.assertEqual(summary["missing"], [])
                self.assertIsInstance(summary["seconds"], float)

    def test_nobody_else_runs_it(self):
        for user_id in ("anonimo", "tramitador", "responsable", "interesado"):
            with self.subTest(user=user_id):
                if user_id == "anonimo":
                    session = base.api_session(
                        self.portal_url, user=None, password=None
                    )
                    session.auth = None
                    self.addCleanup(session.close)
                else:
                    session = self.session(user_id)
                response = session.get(f"{self.portal_url}/@integrity-scan")
                self.assertIn(response.status_code, (401, 403), response.text)
                self.assertNotIn("mismatches", response.text)


class TestOtherDownloadPoints(CorruptedBlobTestCase):
    """The download by CSV and the notified document refuse a corrupted file."""

    def setUp(self):
        from paeria.egov.notifications.evidence import notified_document

        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.notificacion = self.fixture.notificacion(self.expediente, "aceptada")
        self.signed = notified_document(self.notificacion)
        transaction.commit()
        self.original = stored_bytes(self.signed)
        self.corrupt(self.signed.file._blob.committed())

    def anonymous(self, accept="application/json"):
        import requests

        session = requests.Session()
        session.headers.update({"Accept": accept, "Accept-Language": "en"})
        self.addCleanup(session.close)
        return session

    def test_download_by_csv_over_the_api(self):
        with self.assertLogs("paeria.egov.integrity", level="ERROR"):
            response = self.anonymous().get(
                f"{self.portal_url}/@verificar/download?csv={self.signed.csv}"
            )
        self.assertEqual(response.status_code, 500, response.text)
        self.assertEqual(response.json()["error"]["type"], "IntegrityFailure")
        self.assertIn("failed its integrity check", response.json()["error"]["message"])

    def test_download_by_csv_on_the_page(self):
        with self.assertLogs("paeria.egov.integrity", level="ERROR"):
            response = self.anonymous("text/html").get(
                f"{self.portal_url}/@@verificar/download?csv={self.signed.csv}"
            )
        self.assertEqual(response.status_code, 500)
        self.assertIn("failed its integrity check", response.text)
        self.assertNotIn(b"%PDF", response.content)

    def test_the_notified_document(self):
        with self.assertLogs("paeria.egov.integrity", level="ERROR"):
            response = self.session("interesado").get(
                f"{self.notificacion.absolute_url()}/@@documento"
            )
        self.assertEqual(response.status_code, 500, response.text)
        self.assertEqual(response.json()["error"]["type"], "IntegrityFailure")
        self.refresh()
        (failure,) = self.entries(self.signed, INTEGRITY_FAILURE)
        self.assertEqual(failure["user"], "interesado")
        sources = {finding["source"] for finding in failure["details"]["findings"]}
        # Signed: its TF01 signature's fingerprint disagrees too.
        self.assertEqual(sources, {"huella", "signatures[0]"})
        self.assertEqual(self.entries(self.signed, recording.DOWNLOAD), [])
