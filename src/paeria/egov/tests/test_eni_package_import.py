"""Zip packages posted to a unit's ``@eni-import`` (issue 18): every shape of
the corpus imported, hostile ones refused with nothing created and no number
taken, several expedientes all or nothing, and ``dryRun``."""

from lxml import etree
from paeria.egov.eni import importing
from paeria.egov.eni import services
from paeria.egov.eni.export import document_to_xml
from paeria.egov.eni.schemas import qname
from paeria.egov.tests import eni_corpus
from paeria.egov.tests.test_eni_package import corpus_file
from paeria.egov.tests.test_eni_package import GOOD
from paeria.egov.tests.test_eni_package import HOSTILE
from paeria.egov.tests.test_eni_package import ID
from paeria.egov.tests.test_eni_services import EniServicesTestCase
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from unittest import mock
import base64
import io
import re
import zipfile


class PackageImportTests(EniServicesTestCase):
    def post(self, data, **params):
        return self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=data,
            params=params,
            headers={"Content-Type": "application/zip"},
        )

    def imported(self, summary):
        self.refresh()
        return self.portal.unrestrictedTraverse(
            summary["@id"][len(self.portal_url) + 1 :]
        )

    def test_every_good_package_is_imported(self):
        for name, expected in GOOD.items():
            with self.subTest(name=name):
                response = self.post(corpus_file(name))
                self.assertEqual(response.status_code, 201, response.text[:800])
                body = response.json()
                self.assertEqual(body["items_total"], len(expected))
                self.assertEqual(response.headers["Location"], body["items"][0]["@id"])
                by_origin = {i["eni_identifier_origen"]: i for i in body["items"]}
                for rows in expected.values():
                    series = rows[0][0][len(ID) : -len("0001")]
                    item = by_origin[f"{ID}EXP_{series}"]
                    expediente = self.imported(item)
                    documents = sorted(
                        expediente.objectValues(), key=lambda d: d.orden or 0
                    )
                    self.assertEqual(
                        [d.eni_identifier for d in documents], [r[0] for r in rows]
                    )
                    self.assertEqual(
                        [d.eni_import["fingerprint_basis"] for d in documents],
                        [r[2] for r in rows],
                    )
                    self.assertTrue(
                        all(d.file.data.startswith(b"%PDF-1.7") for d in documents)
                    )

    def test_a_zip_in_the_json_body_then_again(self):
        data = corpus_file("official-sha256.zip")
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            json={
                "file": {"data": base64.b64encode(data).decode(), "encoding": "base64"}
            },
        )
        self.assertEqual(response.status_code, 201, response.text[:800])
        first = response.json()["items"][0]
        self.assertEqual(first["documents"], 3)
        self.refresh()
        before = self.snapshot(self.portal)
        response = self.post(data)
        self.assertEqual(response.status_code, 409, response.text[:800])
        self.assertIn(first["numero"], response.json()["error"]["message"])
        self.assertNothingCreated(before)
        response = self.post(data, import_again="true")
        self.assertEqual(response.status_code, 201, response.text[:800])
        self.assertNotEqual(response.json()["items"][0]["numero"], first["numero"])

    def test_hostile_packages_are_refused_and_nothing_is_created(self):
        before = self.snapshot(self.portal)
        for name, expected in HOSTILE.items():
            with self.subTest(name=name):
                response = self.post(corpus_file(name))
                self.assertEqual(response.status_code, 400, response.text[:800])
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertIn("nothing was imported", error["message"])
                self.assertIn(expected, error["fields"]["file"])
                self.assertNothingCreated(before)

    def test_several_expedientes_all_or_nothing(self):
        """A problem met while creating the second expediente undoes the
        first: no expediente, no document, no number."""
        before = self.snapshot(self.portal)
        stored_problems = importing._stored_problems

        def second_fails(documento, eni, entry):
            if "DOS" in eni.identifier:
                return [f"Document {eni.identifier}: refused for the test"]
            return stored_problems(documento, eni, entry)

        with mock.patch.object(importing, "_stored_problems", second_fails):
            response = self.post(corpus_file("two-expedientes-sha512.zip"))
        self.assertEqual(response.status_code, 400, response.text[:800])
        self.assertIn(
            "refused for the test", response.json()["error"]["fields"]["file"]
        )
        self.assertNothingCreated(before)


class DryRunTests(EniServicesTestCase):
    def post(self, data, **params):
        return self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=data,
            params=params,
            headers={"Content-Type": "application/zip"},
        )

    def test_what_would_be_imported_and_nothing_is(self):
        before = self.snapshot(self.portal)
        response = self.post(
            corpus_file("foreign-sha1-whole-referenced.zip"), dryRun="true"
        )
        self.assertEqual(response.status_code, 200, response.text[:800])
        report = response.json()
        self.assertNothingCreated(before)
        self.assertTrue(report["importable"])
        self.assertEqual(report["problems"], [])
        (expediente,) = report["expedientes"]
        self.assertEqual(expediente["entry"], "Remision 2025/INDICE-ENI")
        self.assertEqual(
            expediente["identifier"], f"ES_{eni_corpus.SENDER}_2025_EXP_FOR"
        )
        self.assertEqual(expediente["procedimiento"], self.procedimiento.UID())
        self.assertIsNone(expediente["imported_before"])
        self.assertEqual(expediente["index_signatures"], ["TF01"])
        first = expediente["documents"][0]
        self.assertEqual(first["identifier"], f"ES_{eni_corpus.SENDER}_2025_FOR0001")
        self.assertEqual(first["tipo_documental"], "TD14")
        self.assertEqual(first["size"], len(eni_corpus.pdf("FOR 1")))
        self.assertEqual(first["hash_function"], "SHA-1")
        self.assertEqual(first["fingerprint"], "weak")
        self.assertEqual(first["fingerprint_over"], "document_xml")
        self.assertEqual(first["signatures"], ["TF01"])

    def test_an_earlier_import_and_problems_are_reported(self):
        data = corpus_file("official-sha256.zip")
        self.assertEqual(self.post(data).status_code, 201)
        self.refresh()
        before = self.snapshot(self.portal)
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            json={
                "file": {"data": base64.b64encode(data).decode(), "encoding": "base64"},
                "dryRun": True,
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:800])
        report = response.json()
        self.assertFalse(report["importable"])
        self.assertEqual(
            {d["fingerprint"] for d in report["expedientes"][0]["documents"]}, {"ok"}
        )
        self.assertIn(
            "/medio-ambiente/", report["expedientes"][0]["imported_before"]["@id"]
        )
        response = self.post(corpus_file("hostile-missing-document.zip"), dryRun=1)
        self.assertEqual(response.status_code, 200, response.text[:800])
        self.assertFalse(response.json()["importable"])
        self.assertIn(
            HOSTILE["hostile-missing-document.zip"], response.json()["problems"][0]
        )
        self.assertNothingCreated(before)

    def test_an_unreadable_yes_or_no_is_refused_naming_it(self):
        data = corpus_file("official-sha256.zip")
        before = self.snapshot(self.portal)
        for params in ({"dryRun": "banana"}, {"import_again": "2"}):
            with self.subTest(params=params):
                response = self.post(data, **params)
                self.assertEqual(response.status_code, 400, response.text[:800])
                (name,) = params
                self.assertEqual(
                    response.json()["error"]["fields"],
                    {name: f"{name} must be true or false."},
                )
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            json={"file": {"data": "", "encoding": "base64"}, "dryRun": [1]},
        )
        self.assertEqual(response.status_code, 400, response.text[:800])
        self.assertIn("dryRun", response.json()["error"]["fields"])
        self.assertNothingCreated(before)
        response = self.post(data, dryRun="off")
        self.assertEqual(response.status_code, 201, response.text[:800])

    def test_a_dry_run_keeps_nothing_even_by_accident(self):
        def report_that_writes(unidad, *args, **kwargs):
            unidad.written_by_a_dry_run = True
            return {"dryRun": True, "importable": True}

        with mock.patch.object(services, "import_report", report_that_writes):
            response = self.post(corpus_file("official-sha256.zip"), dryRun="true")
        self.assertEqual(response.status_code, 200, response.text[:800])
        self.refresh()
        self.assertFalse(hasattr(self.other_unidad, "written_by_a_dry_run"))

    def test_a_document_for_an_expediente(self):
        url = f"{self.path(self.expediente)}/@eni-import"
        headers = {"Content-Type": "application/xml"}
        document = eni_corpus.make_documents("SUE", 1)[0]
        data = document_to_xml(document)
        before = self.snapshot(self.portal)
        response = self.api.post(
            url, data=data, params={"dryRun": "true"}, headers=headers
        )
        self.assertEqual(response.status_code, 200, response.text[:800])
        report = response.json()
        self.assertTrue(report["importable"], report["problems"])
        self.assertEqual(
            report["documents"],
            [
                {
                    "identifier": document.identifier,
                    "tipo_documental": "TD14",
                    "nombre_formato": "PDF",
                    "size": len(document.content),
                    "signatures": ["TF01"],
                }
            ],
        )
        self.assertNothingCreated(before)
        self.assertEqual(
            self.api.post(url, data=data, headers=headers).status_code, 201
        )
        self.refresh()
        before = self.snapshot(self.portal)
        response = self.api.post(
            url, data=data, params={"dryRun": "true"}, headers=headers
        )
        self.assertFalse(response.json()["importable"])
        self.assertEqual(
            response.json()["problems"],
            [f"Document {document.identifier} is already in this expediente"],
        )
        self.assertNothingCreated(before)


class MultipartTests(EniServicesTestCase):
    """An expediente XML and its documento XMLs (and separate contents) as
    the ``files`` parts of one multipart request."""

    def post(self, entries, **fields):
        files = [
            ("files", (name, data, "application/octet-stream"))
            for name, data in entries
        ]
        return self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import", files=files, data=fields
        )

    def test_an_expediente_and_its_documents_as_parts(self):
        # The sender's folders are not part of a file name: only base names
        # travel, and referenciaFichero finds its content by base name.
        entries = [
            (name.rsplit("/", 1)[-1], data)
            for name, data in eni_corpus.foreign_sha1_whole()
        ]
        before = self.snapshot(self.portal)
        response = self.post(entries, dryRun="true")
        self.assertEqual(response.status_code, 200, response.text[:800])
        self.assertTrue(response.json()["importable"], response.json()["problems"])
        self.assertNothingCreated(before)
        response = self.post(entries)
        self.assertEqual(response.status_code, 201, response.text[:800])
        (item,) = response.json()["items"]
        self.assertEqual(item["eni_identifier_origen"], f"{ID}EXP_FOR")
        self.assertEqual(item["documents"], 3)

    def test_a_document_missing_is_refused(self):
        entries = eni_corpus.official()[:-1]
        before = self.snapshot(self.portal)
        response = self.post(entries)
        self.assertEqual(response.status_code, 400, response.text[:800])
        self.assertIn(
            f"document {ID}OFI0003 is in the index but not in the package",
            response.json()["error"]["fields"]["file"],
        )
        self.assertNothingCreated(before)

    def test_a_part_that_is_not_a_file_is_named(self):
        # requests sends form fields before files: the text is files[0].

        before = self.snapshot(self.portal)
        response = self.post(eni_corpus.official()[:1], files="not a file")
        self.assertEqual(response.status_code, 400, response.text[:800])
        self.assertEqual(list(response.json()["error"]["fields"]), ["files[0]"])
        self.assertNothingCreated(before)


class ImportFormTests(EniServicesTestCase):
    """The Classic UI form of a unit takes zip packages too."""

    def submit(self, name):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "text/html"
        url = f"{self.path(self.other_unidad)}/@@eni-import"
        page = session.get(url)
        self.assertIn(".zip", page.text)
        token = re.search(r'name="_authenticator" value="([^"]+)"', page.text)
        response = session.post(
            url,
            data={"_authenticator": token.group(1), "form.submitted": "1"},
            files={"eni_file": (name, corpus_file(name), "application/zip")},
        )
        self.refresh()
        return response

    def test_a_zip_of_two_expedientes_leads_to_the_unit(self):
        response = self.submit("two-expedientes-sha512.zip")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.url, self.other_unidad.absolute_url())
        self.assertIn("2 expedientes were imported", response.text)
        self.assertEqual(len(self.other_unidad.objectIds()), 2)

    def test_a_hostile_zip_shows_its_problem(self):
        before = self.snapshot(self.portal)
        response = self.submit("hostile-traversal.zip")
        self.assertIn("paths that climb out (..) are refused", response.text)
        self.assertNothingCreated(before)


class ZipExportRoundTripTests(EniServicesTestCase):
    """``GET <expediente>/@eni?format=zip`` and back through ``@eni-import``."""

    def export_zip(self, expediente):
        response = self.api.get(
            f"{self.path(expediente)}/@eni", params={"format": "zip"}
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="{expediente.eni_identifier}.zip"',
        )
        self.refresh()
        return response.content

    def signatures_by_document(self, data):
        """{document identifier: its enids:firmas, canonicalised}."""
        result = {}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                root = etree.fromstring(archive.read(name))
                if root.tag != qname("enidoc", "documento"):
                    continue
                identifier = root.findtext(f".//{qname('enidocmeta', 'Identificador')}")
                firmas = root.find(qname("enids", "firmas"))
                result[identifier] = etree.tostring(firmas, method="c14n")
        return result

    def test_exported_as_a_zip_and_imported_elsewhere_unchanged(self):
        data = self.export_zip(self.expediente)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = sorted(archive.namelist())
        identifier = self.expediente.eni_identifier
        self.assertEqual(
            names,
            sorted(
                [f"{identifier}/{identifier}.xml"]
                + [
                    f"{identifier}/documentos/{d.eni_identifier}.xml"
                    for d in self.documentos
                ]
            ),
        )
        self.assertEqual(self.expediente.eni_index_exports[-1]["format"], "zip")
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=data,
            headers={"Content-Type": "application/zip"},
        )
        self.assertEqual(response.status_code, 201, response.text[:800])
        (item,) = response.json()["items"]
        self.refresh()
        copy = self.portal.unrestrictedTraverse(item["@id"][len(self.portal_url) + 1 :])
        self.assertEqual(copy.eni_identifier_origen, identifier)
        copies = sorted(copy.objectValues(), key=lambda d: d.orden)
        for original, imported in zip(self.documentos, copies, strict=True):
            with self.subTest(document=original.eni_identifier):
                self.assertEqual(imported.eni_identifier, original.eni_identifier)
                self.assertEqual(imported.file.data, original.file.data)
                self.assertEqual(imported.huella, original.huella)
                self.assertEqual(imported.tipo_documental, original.tipo_documental)
                self.assertEqual(imported.fecha_captura, original.fecha_captura)
        # The signatures came with the documents and leave with them again.
        again = self.export_zip(copy)
        self.assertEqual(
            self.signatures_by_document(again), self.signatures_by_document(data)
        )

    def test_the_classic_ui_download_too(self):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "text/html"
        response = session.get(
            f"{self.path(self.expediente)}/@@eni-download", params={"format": "zip"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="{self.expediente.eni_identifier}.zip"',
        )
        self.refresh()
        self.assertEqual(self.expediente.eni_index_exports[-1]["format"], "zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            self.assertEqual(len(archive.namelist()), 1 + len(self.documentos))
