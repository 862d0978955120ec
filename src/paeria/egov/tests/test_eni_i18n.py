"""ENI problems in the reader's language: every problem the core reports is a
:class:`~paeria.egov.eni.problems.Problem` (its English text as before, with
its msgid and mapping), translated where a person reads it — REST refusals
and dry runs (Accept-Language), the Classic UI forms — and left in English on
the console."""

from lxml import html
from paeria.egov.eni import commands
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.package import parse_package
from paeria.egov.eni.parse import parse_document
from paeria.egov.eni.parse import parse_expediente
from paeria.egov.eni.problems import Problem
from paeria.egov.tests.test_eni_package import corpus_file
from paeria.egov.tests.test_eni_package import HOSTILE
from paeria.egov.tests.test_eni_package import read
from paeria.egov.tests.test_eni_services import EniServicesTestCase
from paeria.egov.validators.errors import render_message
from pathlib import Path
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
import io
import re
import tempfile
import transaction
import unittest


ENIDOC = "http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e"

#: Files the parser refuses before or while reading, one per kind of problem
#: of safexml, reader, parse and checks.
BAD_XML = {
    "empty": b"",
    "not well-formed": b"<a",
    "doctype": b'<!DOCTYPE x [<!ENTITY a "b">]><a/>',
    "external entity": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><a/>',
    "wrong root": b"<x/>",
    "too deep": b"<a>" * 200 + b"</a>" * 200,
    "empty document": f'<enidoc:documento xmlns:enidoc="{ENIDOC}"/>'.encode(),
}

#: hostile-symlink.zip's problem in each language.
SYMLINK = {
    "es": "Entrada del paquete 'enlace.pdf': no se admiten enlaces simbólicos",
    "ca": "Entrada del paquet 'enlace.pdf': no s'admeten enllaços simbòlics",
    "en": "Package entry 'enlace.pdf': symbolic links are refused",
}


def problems_of(call, *args, **kwargs) -> list:
    try:
        result = call(*args, **kwargs)
    except EniImportError as error:
        return error.problems
    return [problem for _, _, found in result for problem in found]


def corpus_problems(name) -> list:
    try:
        package = read(corpus_file(name))
    except EniImportError as error:
        return error.problems
    return problems_of(parse_package, package, validate_schema=False)


class EveryProblemIsTranslatableTests(unittest.TestCase):
    """Without Plone: what the core refuses with is a Problem throughout."""

    def assertTranslatable(self, problems):
        self.assertTrue(problems, "nothing was refused")
        for problem in problems:
            self.assertIsInstance(problem, Problem, problem)
            self.assertTrue(problem.msgid.startswith("eni_problem_"), problem.msgid)
            message = problem.message()
            self.assertEqual(message.domain, "paeria.egov")
            # The English text is the template filled with the mapping: a
            # translation gets every word of it, nested labels included.
            self.assertEqual(render_message(message), str(problem))
            for value in message.mapping.values():
                self.assertNotIsInstance(value, Problem)

    def test_the_hostile_corpus(self):
        for name, expected in HOSTILE.items():
            with self.subTest(zip=name):
                problems = corpus_problems(name)
                self.assertTrue(any(expected in p for p in problems), problems)
                self.assertTranslatable(problems)

    def test_files_refused_while_read(self):
        for case, data in BAD_XML.items():
            for parse in (parse_document, parse_expediente):
                with self.subTest(case=case, parse=parse.__name__):
                    self.assertTranslatable(
                        problems_of(parse, data, validate_schema=False)
                    )

    def test_the_english_text_is_the_one_of_before(self):
        (problem,) = problems_of(parse_document, b"", validate_schema=False)
        self.assertEqual(problem, "Document file: the input is empty")
        self.assertEqual(problem.msgid, "eni_problem_input_empty")
        self.assertEqual(problem.default, "${what}: the input is empty")
        self.assertEqual(problem.mapping["what"].msgid, "eni_label_document_file")


class TranslatedProblemsTests(EniServicesTestCase):
    """The same refusal in Spanish, Catalan and English where people read it."""

    def post_zip(self, name, language, query=""):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept-Language"] = language
        return session.post(
            f"{self.path(self.other_unidad)}/@eni-import{query}",
            data=corpus_file(name),
            headers={"Content-Type": "application/zip"},
        )

    def test_a_rest_refusal_in_the_request_language(self):
        before = self.snapshot(self.portal)
        for language, expected in SYMLINK.items():
            with self.subTest(language=language):
                response = self.post_zip("hostile-symlink.zip", language)
                self.assertEqual(response.status_code, 400, response.text[:500])
                lines = response.json()["error"]["fields"]["file"].splitlines()
                self.assertIn(expected, lines)
        self.assertNothingCreated(before)

    def test_a_dry_run_in_the_request_language(self):
        response = self.post_zip("hostile-missing-document.zip", "ca", "?dryRun=true")
        self.assertEqual(response.status_code, 200, response.text[:500])
        problems = response.json()["problems"]
        self.assertTrue(
            any("figura a l'índex però no és al paquet" in p for p in problems),
            problems,
        )

    def test_a_parsed_file_refused_in_spanish(self):
        """Nested labels are translated with the sentence around them."""
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept-Language"] = "es"
        response = session.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=b"<x/>",
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertEqual(
            response.json()["error"]["fields"]["file"],
            "Fichero del expediente: elemento raíz incorrecto x; se esperaba "
            "eniexp:expediente o el sobre de intercambio de paeria.egov",
        )

    def form(self, language):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers.update({"Accept": "text/html", "Accept-Language": language})
        url = f"{self.path(self.other_unidad)}/@@eni-import"
        token = re.search(
            r'name="_authenticator" value="([^"]+)"', session.get(url).text
        )
        return session, url, token.group(1)

    def test_the_unit_form_in_spanish(self):
        session, url, token = self.form("es")
        before = self.snapshot(self.portal)
        for button, css in (
            ("form.submitted", "eni-problems"),
            ("form.check", "eni-check-problems"),
        ):
            with self.subTest(button=button):
                response = session.post(
                    url,
                    data={"_authenticator": token, button: "1"},
                    files={"eni_file": ("x.zip", corpus_file("hostile-symlink.zip"))},
                )
                self.assertEqual(response.status_code, 200)
                (problems,) = html.fromstring(response.text).find_class(css)
                items = [item.text_content().strip() for item in problems.iter("li")]
                self.assertIn(SYMLINK["es"], items)
        self.refresh()
        self.assertNothingCreated(before)

    def test_the_console_stays_english(self):
        """The site speaks Spanish; the console does not translate."""
        with tempfile.TemporaryDirectory() as folder:
            zipped = Path(folder) / "hostile-symlink.zip"
            zipped.write_bytes(corpus_file("hostile-symlink.zip"))
            out = io.StringIO()
            status = commands.eni_import(
                self.portal, str(zipped), "unidades/medio-ambiente", out=out
            )
        self.assertEqual(status, 1)
        self.assertIn(SYMLINK["en"], out.getvalue())
        self.assertNotIn("enlaces simbólicos", out.getvalue())

    def test_a_download_refused_in_catalan(self):
        self.documentos[0].huella = None
        transaction.commit()
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers.update({"Accept": "text/html", "Accept-Language": "ca"})
        url = f"{self.path(self.expediente)}/@@eni-download"
        response = session.get(url)
        self.assertEqual(response.status_code, 400)
        identifier = self.documentos[0].eni_identifier
        self.assertIn(
            f"Entrada de l'índex {identifier}: hi falta fingerprint", response.text
        )
        session.headers["Accept"] = "application/json"
        response = session.get(f"{self.path(self.expediente)}/@eni")
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            f"Entrada de l'índex {identifier}: hi falta fingerprint",
            response.json()["error"]["fields"]["expediente"],
        )
