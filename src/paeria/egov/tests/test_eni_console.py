"""``paeria-instance eni-import FILE --unit …`` (issue 18): the import from
the console, its lines, its exit statuses and its refusals."""

from paeria.egov.eni import commands
from paeria.egov.eni.export import document_to_xml
from paeria.egov.instance import cli
from paeria.egov.instance.commands import eni_import_command
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.tests import eni_corpus
from paeria.egov.tests.test_eni_bridge import OTHER_UNIT_DIR3
from paeria.egov.tests.test_eni_package import corpus_file
from paeria.egov.tests.test_eni_package import HOSTILE
from paeria.egov.tests.test_eni_package import ID
from paeria.egov.tests.test_eni_services import EniServicesTestCase
from pathlib import Path
from unittest import mock
import contextlib
import io
import json
import tempfile


class EniImportCommandTests(EniServicesTestCase):
    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def run_import(self, name, unit="unidades/medio-ambiente", **options):
        path = self.folder / name
        path.write_bytes(corpus_file(name))
        out = io.StringIO()
        status = commands.eni_import(self.portal, str(path), unit, out=out, **options)
        self.refresh()
        return status, out.getvalue()

    def test_a_package_is_imported_with_a_line_each_and_a_summary(self):
        status, output = self.run_import("two-expedientes-sha512.zip")
        self.assertEqual(status, 0, output)
        lines = output.splitlines()
        self.assertEqual(len(lines), 3)
        self.assertIn(f"{ID}EXP_UNO, 2 documents", lines[0])
        self.assertIn(f"{ID}EXP_DOS, 1 documents", lines[1])
        self.assertEqual(
            lines[2], "Imported 2 expedientes with 3 documents into Medio ambiente."
        )
        self.assertEqual(len(self.other_unidad.objectIds()), 2)
        expediente = self.other_unidad[self.other_unidad.objectIds()[0]]
        self.assertEqual(expediente.eni_import["user"], "paeria.egov")

    def test_dry_run_then_again_refused_naming_the_first(self):
        before = self.snapshot(self.portal)
        status, output = self.run_import(
            "foreign-sha1-whole-referenced.zip", unit=OTHER_UNIT_DIR3, dry_run=True
        )
        self.assertEqual(status, 0, output)
        self.assertIn("3 documents, 3 with a weak (SHA-1) fingerprint", output)
        self.assertIn("Dry run: 1 expedientes would be imported", output)
        self.assertNothingCreated(before)
        status, output = self.run_import("foreign-sha1-whole-referenced.zip")
        self.assertEqual(status, 0, output)
        before = self.snapshot(self.portal)
        status, output = self.run_import("foreign-sha1-whole-referenced.zip")
        self.assertEqual(status, 1, output)
        self.assertIn("imported before, as", output)
        self.assertIn("--import-again", output)
        self.assertNothingCreated(before)
        status, output = self.run_import(
            "foreign-sha1-whole-referenced.zip", dry_run=True, as_json=True
        )
        self.assertEqual(status, 1, output)
        report = json.loads(output)
        self.assertIsNotNone(report["expedientes"][0]["imported_before"])

    def test_a_hostile_package_is_refused_with_its_problems(self):
        before = self.snapshot(self.portal)
        status, output = self.run_import("hostile-symlink.zip")
        self.assertEqual(status, 1, output)
        self.assertTrue(output.startswith("Refused; nothing was imported."), output)
        self.assertIn(HOSTILE["hostile-symlink.zip"], output)
        self.assertNothingCreated(before)

    def write(self, entries, under=""):
        """``entries`` written as files below ``self.folder/under``."""
        for name, data in entries:
            path = self.folder / under / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return self.folder / under if under else self.folder

    def import_paths(self, paths, **options):
        out = io.StringIO()
        status = commands.eni_import(
            self.portal,
            [str(p) for p in paths],
            "unidades/medio-ambiente",
            out=out,
            **options,
        )
        self.refresh()
        return status, out.getvalue()

    def test_xml_files_side_by_side_and_a_folder_of_them(self):
        folder = self.write(eni_corpus.foreign_sha1_whole(), "remision")
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        status, output = self.import_paths(files, dry_run=True)
        self.assertEqual(status, 0, output)
        self.assertIn("3 documents, 3 with a weak (SHA-1) fingerprint", output)
        status, output = self.import_paths([folder])
        self.assertEqual(status, 0, output)
        self.assertIn(f"{ID}EXP_FOR, 3 documents", output)
        self.assertEqual(len(self.other_unidad.objectIds()), 1)

    def test_each_zip_of_a_migration_folder_on_its_own(self):
        folder = self.folder / "migracion"
        folder.mkdir()
        for name in (
            "official-sha256.zip",
            "hostile-traversal.zip",
            "two-expedientes-sha512.zip",
        ):
            (folder / name).write_bytes(corpus_file(name))
        progress = io.StringIO()
        status, output = self.import_paths([folder], progress=progress)
        self.assertEqual(status, 1, output)
        (line,) = [line for line in output.splitlines() if "climb out" in line]
        self.assertIn("/hostile-traversal.zip: ", line)
        self.assertIn(HOSTILE["hostile-traversal.zip"], line)
        self.assertEqual(
            output.splitlines()[-1],
            "Imported 3 expedientes with 6 documents into Medio ambiente. "
            "1 of 3 files were refused (above).",
        )
        self.assertEqual(len(self.other_unidad.objectIds()), 3)
        self.assertIn("3/3", progress.getvalue())

    def test_a_symbolic_link_in_a_folder_is_not_followed(self):
        outside = self.write(eni_corpus.official(), "fuera")
        folder = self.folder / "migracion"
        folder.mkdir()
        (folder / "enlace.zip").symlink_to(self.folder / "fuera.zip")
        (self.folder / "fuera.zip").write_bytes(corpus_file("official-sha256.zip"))
        (folder / "dentro").symlink_to(outside, target_is_directory=True)
        status, output = self.import_paths([folder])
        self.assertEqual(status, 1, output)
        self.assertIn("No file to import was found.", output)
        self.assertEqual(list(self.other_unidad.objectIds()), [])

    def test_documents_into_an_existing_expediente(self):
        documents = eni_corpus.make_documents("CON", 2)
        paths = []
        for document in documents:
            paths.append(self.folder / f"{document.identifier}.xml")
            paths[-1].write_bytes(document_to_xml(document))
        numero = self.expediente.numero
        before = self.snapshot(self.portal)
        out = io.StringIO()
        status = commands.eni_import_documents(
            self.portal, [str(p) for p in paths], numero, dry_run=True, out=out
        )
        self.assertEqual(status, 0, out.getvalue())
        self.assertIn("Dry run: 2 documents would be added", out.getvalue())
        self.assertNothingCreated(before)
        out = io.StringIO()
        status = commands.eni_import_documents(
            self.portal, [str(p) for p in paths], numero, out=out
        )
        self.assertEqual(status, 0, out.getvalue())
        self.assertEqual(
            out.getvalue().splitlines()[-1], f"Added 2 documents to {numero}."
        )
        self.refresh()
        identifiers = {d.eni_identifier for d in self.expediente.objectValues()}
        self.assertTrue({d.identifier for d in documents} <= identifiers)
        # Again: the first is there already, so neither is added.
        before = self.snapshot(self.portal)
        out = io.StringIO()
        status = commands.eni_import_documents(
            self.portal, [str(p) for p in paths], numero, out=out
        )
        self.assertEqual(status, 1, out.getvalue())
        self.assertIn(
            f"Document {documents[0].identifier} is already in this expediente",
            out.getvalue(),
        )
        self.assertNothingCreated(before)

    def test_an_expediente_not_found_and_unit_or_expediente_not_both(self):
        with self.assertRaises(LookupError):
            commands.eni_import_documents(self.portal, ["x.xml"], "2099/999999")
        arguments = cli.parse_arguments(
            ["eni-import", "x.xml", "--unit", "u", "--expediente", "e"]
        )
        with self.assertRaises(ConfigurationError):
            eni_import_command(None, arguments)

    def test_a_file_over_the_limit_is_refused_unread(self):
        before = self.snapshot(self.portal)
        with mock.patch.object(commands, "max_import_size", return_value=1000):
            status, output = self.run_import("official-sha256.zip")
        self.assertEqual(status, 1, output)
        self.assertIn("over the limit of 1000 bytes", output)
        self.assertNothingCreated(before)

    def test_no_such_unit(self):
        with self.assertRaises(LookupError):
            self.run_import("official-sha256.zip", unit="unidades/nadie")

    def test_the_console_command_exits_2_without_file_or_unit(self):
        for argv in (["eni-import", "--unit", "x"], ["eni-import", "x.zip"]):
            with self.subTest(argv=argv):
                arguments = cli.parse_arguments(argv)
                with self.assertRaises(ConfigurationError):
                    eni_import_command(None, arguments)

    def test_other_commands_take_no_file(self):
        argv = ["integrity-scan", "x.zip", "--home", str(self.folder)]
        with contextlib.redirect_stderr(io.StringIO()) as err:
            self.assertEqual(cli.main(argv), 2)
        self.assertEqual(err.getvalue(), "error: integrity-scan takes no FILE.\n")
