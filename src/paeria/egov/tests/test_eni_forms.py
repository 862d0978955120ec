"""The ENI exchange in the Classic UI (issue 18): "Check" on a unit's import
form (the dry run, creating nothing) and the links to the ENI forms and
downloads on the pages staff work from, offered to exactly those the views
serve."""

from lxml import html
from paeria.egov.eni import browser
from paeria.egov.eni.export import document_to_xml
from paeria.egov.tests import eni_corpus
from paeria.egov.tests.test_eni_package import corpus_file
from paeria.egov.tests.test_eni_package import HOSTILE
from paeria.egov.tests.test_eni_services import EniServicesTestCase
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from unittest import mock
import re
import transaction


PASSWORD = "secret-password-1234"


class CheckFormTests(EniServicesTestCase):
    """ "Check" runs REST's dryRun from the form and shows its report."""

    def form_page(self):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "text/html"
        url = f"{self.path(self.other_unidad)}/@@eni-import"
        page = session.get(url)
        token = re.search(r'name="_authenticator" value="([^"]+)"', page.text)
        return session, url, token.group(1)

    def check(self, name, authenticator=True, **fields):
        session, url, token = self.form_page()
        data = {"form.check": "1", **fields}
        if authenticator:
            data["_authenticator"] = token
        response = session.post(
            url,
            data=data,
            files={"eni_file": (name, corpus_file(name), "application/zip")},
        )
        self.refresh()
        return response

    def report(self, response):
        self.assertEqual(response.status_code, 200, response.text[:800])
        sections = html.fromstring(response.text).find_class("eni-check-report")
        self.assertEqual(len(sections), 1, "no report on the page")
        return sections[0]

    def test_the_report_and_nothing_created(self):
        before = self.snapshot(self.portal)
        report = self.report(self.check("foreign-sha1-whole-referenced.zip"))
        self.assertNothingCreated(before)
        text = report.text_content()
        self.assertIn("The file can be imported; nothing was created", text)
        self.assertIn(f"ES_{eni_corpus.SENDER}_2025_EXP_FOR", text)
        self.assertIn("Remision 2025/INDICE-ENI", text)
        self.assertIn(
            self.procedimiento.Title(),
            report.find_class("eni-check-procedure")[0].text_content(),
        )
        rows = report.xpath(".//table[contains(@class,'eni-check-documents')]/tbody/tr")
        first = rows[0].text_content()
        self.assertIn(f"ES_{eni_corpus.SENDER}_2025_FOR0001", first)
        self.assertIn("TD14", first)
        self.assertIn("SHA-1", first)
        self.assertIn("SHA-1 is weak", first)
        self.assertIn("over the whole enidoc:documento", first)
        self.assertEqual(rows[0].get("class"), "eni-check-fingerprint-weak")
        self.assertEqual(
            report.find_class("eni-check-imported-before")[0].text_content().strip(),
            "No",
        )

    def test_a_strong_fingerprint_and_an_earlier_import(self):
        session, url, token = self.form_page()
        session.post(
            url,
            data={"_authenticator": token, "form.submitted": "1"},
            files={"eni_file": ("a.zip", corpus_file("official-sha256.zip"))},
        )
        self.refresh()
        (earlier,) = self.other_unidad.objectValues()
        before = self.snapshot(self.portal)
        report = self.report(self.check("official-sha256.zip"))
        self.assertNothingCreated(before)
        self.assertEqual(
            {row.get("class") for row in report.xpath(".//tbody/tr")},
            {"eni-check-fingerprint-ok"},
        )
        self.assertIn("cannot be imported as it is", report.text_content())
        (link,) = report.xpath(".//*[contains(@class,'eni-check-imported-before')]//a")
        self.assertEqual(link.text_content(), earlier.numero)
        self.assertEqual(link.get("href"), earlier.absolute_url())

    def test_a_hostile_zip_names_its_problem(self):
        before = self.snapshot(self.portal)
        for name in (
            "hostile-traversal.zip",
            "hostile-symlink.zip",
            "hostile-missing-document.zip",
        ):
            with self.subTest(zip=name):
                report = self.report(self.check(name))
                (problems,) = report.find_class("eni-check-problems")
                self.assertIn("cannot be imported as it is", problems.text_content())
                # One item per problem, naming the entry (HOSTILE's messages do).
                items = [item.text_content() for item in problems.iter("li")]
                self.assertTrue(any(HOSTILE[name] in item for item in items), items)
        self.assertNothingCreated(before)

    def test_a_check_keeps_nothing_even_by_accident(self):
        real_report = browser.import_report

        def report_that_writes(unidad, *args, **kwargs):
            unidad.written_by_a_check = True
            return real_report(unidad, *args, **kwargs)

        with mock.patch.object(browser, "import_report", report_that_writes):
            self.report(self.check("official-sha256.zip"))
        self.assertFalse(hasattr(self.other_unidad, "written_by_a_check"))

    def test_the_buttons_in_spanish(self):
        session, url, _token = self.form_page()
        session.headers["Accept-Language"] = "es"
        tree = html.fromstring(session.get(url).text)
        self.assertEqual(
            [
                button.text_content().strip()
                for button in tree.xpath("//form[@enctype]//button")
            ],
            ["Importar", "Comprobar"],
        )

    def test_refused_without_the_authenticator(self):
        before = self.snapshot(self.portal)
        response = self.check("official-sha256.zip", authenticator=False)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("eni-check-report", response.text)
        self.assertNothingCreated(before)


class SeveralFilesFormTests(EniServicesTestCase):
    """The unit's form takes the expediente XML and its documento XMLs chosen
    together, as REST's multipart parts: checked, then imported."""

    form_page = CheckFormTests.form_page
    report = CheckFormTests.report

    def send(self, button, entries):
        session, url, token = self.form_page()
        response = session.post(
            url,
            data={"_authenticator": token, button: "1"},
            files=[("eni_file", (name, data, "text/xml")) for name, data in entries],
        )
        self.refresh()
        return response

    def test_checked_then_imported(self):
        entries = eni_corpus.official()
        before = self.snapshot(self.portal)
        report = self.report(self.send("form.check", entries))
        self.assertNothingCreated(before)
        self.assertIn("The file can be imported", report.text_content())
        self.assertEqual(len(report.xpath(".//tbody/tr")), 3)
        response = self.send("form.submitted", entries)
        (expediente,) = self.other_unidad.objectValues()
        self.assertEqual(response.url, expediente.absolute_url())
        self.assertEqual(
            expediente.eni_identifier_origen, f"ES_{eni_corpus.SENDER}_2025_EXP_OFI"
        )
        self.assertEqual(len(expediente.objectValues()), 3)

    def test_a_document_missing_is_named_and_nothing_created(self):
        before = self.snapshot(self.portal)
        response = self.send("form.submitted", eni_corpus.official()[:-1])
        self.assertEqual(response.status_code, 200)
        self.assertIn("The ENI file was refused; nothing was imported.", response.text)
        self.assertIn(
            f"document ES_{eni_corpus.SENDER}_2025_OFI0003 is in the index but not "
            "in the package",
            response.text,
        )
        self.assertNothingCreated(before)


class DocumentCheckFormTests(EniServicesTestCase):
    """ "Check" on an expediente's own form: the one document it would add."""

    def send(self, button, data):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "text/html"
        url = f"{self.path(self.expediente)}/@@eni-import"
        token = re.search(
            r'name="_authenticator" value="([^"]+)"', session.get(url).text
        ).group(1)
        response = session.post(
            url,
            data={"_authenticator": token, button: "1"},
            files={"eni_file": ("documento.xml", data, "text/xml")},
        )
        self.refresh()
        return response

    def test_reported_then_refused_as_already_there(self):
        document = eni_corpus.make_documents("CHK", 1)[0]
        data = document_to_xml(document)
        before = self.snapshot(self.portal)
        response = self.send("form.check", data)
        self.assertNothingCreated(before)
        (report,) = html.fromstring(response.text).find_class("eni-check-report")
        self.assertIn("The file can be imported", report.text_content())
        (row,) = report.xpath(".//tbody/tr")
        self.assertIn(document.identifier, row.text_content())
        self.assertIn("TD14", row.text_content())
        self.send("form.submitted", data)
        before = self.snapshot(self.portal)
        response = self.send("form.check", data)
        self.assertNothingCreated(before)
        (problems,) = html.fromstring(response.text).find_class("eni-check-problems")
        self.assertIn(
            f"Document {document.identifier} is already in this expediente",
            problems.text_content(),
        )

    def test_two_files_are_refused_for_one_document(self):
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "text/html"
        url = f"{self.path(self.expediente)}/@@eni-import"
        token = re.search(
            r'name="_authenticator" value="([^"]+)"', session.get(url).text
        ).group(1)
        data = document_to_xml(eni_corpus.make_documents("TWO", 1)[0])
        before = self.snapshot(self.portal)
        response = session.post(
            url,
            data={"_authenticator": token, "form.submitted": "1"},
            files=[("eni_file", (f"{n}.xml", data, "text/xml")) for n in (1, 2)],
        )
        self.assertIn("Choose one ENI file, not several.", response.text)
        self.assertNothingCreated(before)


class LinkTests(EniServicesTestCase):
    """Links to the ENI views for those with the views' permissions."""

    def setUp(self):
        super().setUp()
        for username, roles in (
            ("tramitadora", ["Member"]),
            ("auditora", ["Member", "Auditor"]),
            ("colaboradora", ["Member"]),
        ):
            api.user.create(
                email=f"{username}@example.org",
                username=username,
                password=PASSWORD,
                roles=roles,
            )
        api.group.add_user(groupname="urbanismo-tramitadores", username="tramitadora")
        api.user.grant_roles(
            username="colaboradora", obj=self.expediente, roles=["Colaborador"]
        )
        transaction.commit()

    def page(self, obj, username):
        session = self.session(username, PASSWORD)
        session.headers["Accept"] = "text/html"
        response = session.get(self.path(obj))
        self.assertEqual(response.status_code, 200, response.text[:300])
        return html.fromstring(response.text)

    def test_the_expediente_offers_its_eni_files_to_who_may_export(self):
        url = f"{self.expediente.absolute_url()}/@@eni-download"
        cases = (
            ("tramitadora", [url, f"{url}?format=zip"]),
            ("auditora", [url, f"{url}?format=zip"]),
            ("colaboradora", []),
        )
        for username, expected in cases:
            with self.subTest(user=username):
                tree = self.page(self.expediente, username)
                links = tree.xpath("//a[contains(@class,'paeria-eni-download')]/@href")
                self.assertEqual(links, expected)

    def test_the_links_lead_to_the_files(self):
        session = self.session("tramitadora", PASSWORD)
        tree = self.page(self.expediente, "tramitadora")
        hrefs = tree.xpath("//a[contains(@class,'paeria-eni-download')]/@href")
        self.assertEqual(len(hrefs), 2)
        for href in hrefs:
            with self.subTest(href=href):
                response = session.get(href)
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertIn("attachment", response.headers["Content-Disposition"])
                self.assertEqual(
                    response.content.startswith(b"PK"), href.endswith("format=zip")
                )

    def test_the_unit_offers_its_import_form_to_who_may_import(self):
        url = f"{self.unidad.absolute_url()}/@@eni-import"
        cases = (("tramitadora", [url]), ("auditora", []))
        for username, expected in cases:
            with self.subTest(user=username):
                tree = self.page(self.unidad, username)
                links = tree.xpath("//a[contains(@class,'paeria-eni-import')]/@href")
                self.assertEqual(links, expected)
