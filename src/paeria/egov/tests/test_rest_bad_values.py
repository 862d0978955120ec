"""Values a client can send that once reached a 500 (issue 21's list): each
is now a 400 naming the field, and nothing is stored."""

from paeria.egov.tests import base
from paeria.egov.tests.test_restapi_content import errors_of
from paeria.egov.tests.test_restapi_content import file_payload
from paeria.egov.tests.test_restapi_content import RESTTestCase
from plone import api
import json
import requests
import transaction


class BadValuesTests(RESTTestCase):
    def count(self, portal_type):
        self.refresh()
        catalog = self.portal.portal_catalog
        return len(catalog.unrestrictedSearchResults(portal_type=portal_type))

    def assertRefused(self, response, field, *words):
        self.assertEqual(response.status_code, 400, response.text[:500])
        (error,) = [e for e in errors_of(response) if e["field"] == field]
        for word in words:
            self.assertIn(word, error["message"])

    def test_interested_parties_that_are_not_rows(self):
        before = self.count("Expediente")
        cases = (
            ("abc", "Give a list."),
            (["abc"], "Item 1 must be an object."),
            ([base.interesado(), 7], "Item 2 must be an object."),
            ({"identifier": "x"}, "Give a list."),
        )
        for value, message in cases:
            with self.subTest(value=value):
                response = self.session.post(
                    self.unidad.absolute_url(),
                    json=self.expediente_payload(interesados=value),
                )
                self.assertRefused(response, "interesados", message)
                response = self.session.patch(
                    self.expediente_url, json={"interesados": value}
                )
                self.assertRefused(response, "interesados", message)
        self.assertEqual(self.count("Expediente"), before)

    def test_a_missing_member_of_a_row_is_named(self):
        row = base.interesado()
        del row["notification_channel"]
        response = self.session.post(
            self.unidad.absolute_url(), json=self.expediente_payload(interesados=[row])
        )
        self.assertRefused(response, "interesados", "Item 1", "notification_channel")

    def test_lone_surrogates_in_text(self):
        before = self.count("Expediente")
        for name in ("title", "description"):
            with self.subTest(field=name):
                body = json.dumps(self.expediente_payload(**{name: "X"})).replace(
                    '"X"', '"a\\ud800b"'
                )
                response = self.session.post(
                    self.unidad.absolute_url(),
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                self.assertRefused(response, name, "not valid Unicode")
                response = self.session.patch(
                    self.expediente_url,
                    data=json.dumps({name: "X"}).replace('"X"', '"\\udfff"'),
                    headers={"Content-Type": "application/json"},
                )
                self.assertRefused(response, name)
        self.assertEqual(self.count("Expediente"), before)
        self.refresh()
        self.assertEqual(self.expediente.Title(), self.expediente.title)
        self.assertNotIn("\udfff", self.expediente.title)

    def test_a_file_in_an_encoding_that_decodes_no_bytes(self):
        before = self.count("Documento")
        for encoding in ("rot13", "banana", 5):
            with self.subTest(encoding=encoding):
                payload = file_payload(b"hello")
                payload["encoding"] = encoding
                response = self.session.post(
                    self.expediente_url,
                    json={
                        "@type": "Documento",
                        "title": "D",
                        "tipo_documental": "TD14",
                        "file": payload,
                    },
                )
                self.assertRefused(response, "file", "Unknown file encoding")
        self.assertEqual(self.count("Documento"), before)

    def test_capture_dates_out_of_range_or_to_come(self):
        before = self.count("Documento")
        for value, words in (
            ("0001-01-01T00:00:00", ("1900", "2999")),
            ("9999-12-31T23:59:59", ("1900", "2999")),
            ("2026-06-03T10:00:00+02:00", ("future",)),
        ):
            with self.subTest(value=value):
                response = self.session.post(
                    self.expediente_url,
                    json={
                        "@type": "Documento",
                        "title": "D",
                        "tipo_documental": "TD14",
                        "fecha_captura": value,
                        "file": file_payload(base.pdf_bytes()),
                    },
                )
                self.assertRefused(response, "fecha_captura", *words)
        self.assertEqual(self.count("Documento"), before)
        # A capture date in the past is what a scanning door knows: kept.
        response = self.session.post(
            self.expediente_url,
            json={
                "@type": "Documento",
                "title": "Escaneado",
                "tipo_documental": "TD14",
                "fecha_captura": "2026-05-29T09:00:00+02:00",
                "file": file_payload(base.pdf_bytes()),
            },
        )
        self.assertEqual(response.status_code, 201, response.text[:500])

    def test_anonymous_search_text_that_is_no_words(self):
        url = f"{self.portal.absolute_url()}/@search"
        # As sent on the wire: %ff%fe is no UTF-8 at all.
        for query in ("%22%20OR%201%3D1%20--", "%00", "%ff%fe", "NOT", "AND%20OR"):
            with self.subTest(query=query):
                response = requests.get(
                    f"{url}?SearchableText={query}",
                    headers={"Accept": "application/json", "Accept-Language": "en"},
                )
                self.assertEqual(response.status_code, 400, response.text[:300])
                error = response.json()["error"]
                self.assertIn("SearchableText", error["fields"])
                self.assertIn("cannot be read as words", error["message"])

    def test_an_expediente_only_for_a_published_procedure_of_its_unit(self):
        cases = base.procedures_that_take_no_expedientes(self.portal, self.unidad)
        transaction.commit()
        before = self.count("Expediente")
        for procedimiento, words in cases:
            with self.subTest(procedure=procedimiento.getId()):
                response = self.session.post(
                    self.unidad.absolute_url(),
                    json=self.expediente_payload(procedimiento=procedimiento.UID()),
                )
                self.assertRefused(response, "procedimiento", words)
                response = self.session.patch(
                    self.expediente_url, json={"procedimiento": procedimiento.UID()}
                )
                self.assertRefused(response, "procedimiento", words)
        self.assertEqual(self.count("Expediente"), before)
        # An expediente keeps a procedure withdrawn after it was opened.
        api.content.transition(obj=self.procedimiento, transition="retirar")
        transaction.commit()
        response = self.session.patch(
            self.expediente_url,
            json={"title": "Renamed", "procedimiento": self.procedimiento.UID()},
        )
        self.assertEqual(response.status_code, 204, response.text[:500])

    @property
    def expediente_url(self):
        return self.expediente.absolute_url()
