"""``paeria-instance eni-import FILE --unit …`` (issue 18): the import from
the console, its lines, its exit statuses and its refusals."""

from paeria.egov.eni import commands
from paeria.egov.instance import cli
from paeria.egov.instance.commands import eni_import_command
from paeria.egov.instance.config import ConfigurationError
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
