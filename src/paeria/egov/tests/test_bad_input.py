"""Bad input, tried systematically on every write endpoint, over HTTP.

Each endpoint (POST /registro/@registrar, <expediente>/@notificar,
<procedimiento>/@iniciar, <expediente>/@aportar, <unidad>/@eni-import,
plone.restapi's add and PATCH) gets malformed JSON, JSON that is not an
object, invalid UTF-8, deep nesting, wrong types, missing and extra fields,
1 MB strings, control characters, forged computed values; file names with
path separators, ``..``, NUL and odd Unicode; empty files and files lying
about their type. Each must answer 4xx with a readable message, store
nothing, consume no register number and leak nothing (no traceback, no
filesystem path). Text that is valid but carries HTML or JavaScript is
stored and rendered escaped by the Classic UI.

The XML attacks on @eni-import (external entities, billion laughs, deep
nesting, oversized input) are in test_eni.py and test_eni_services.py; the
validators and the ENI parser are tried with hypothesis in
test_validators_properties.py.
"""

from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.uuid.interfaces import IUUID
import base64
import json
import re
import transaction
import unittest


LEAKS = ("Traceback", "/work/", "site-packages", 'File "', ".py", "/tmp/")
PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
MEGABYTE = "x" * (1024 * 1024)
# Bodies no endpoint can read as a JSON object.
GARBAGE = {
    "malformed": b'{"resumen": ',
    "a list": b"[]",
    "a string": b'"text"',
    "null": b"null",
    "a number": b"123",
    "invalid UTF-8": b'{"resumen": "\xff\xfe\xc0"}',
    "NUL bytes": b"\x00" * 16,
    "deep nesting": b"[" * 50_000 + b"]" * 50_000,
    "huge key": b'{"' + MEGABYTE.encode() + b'": 1}',
}


# Known defects, outside this package or in files of other modules (see
# docs/security.md, "Known gaps"): sent by test_known_defects, which is
# expected to fail until they are fixed, and skipped by the systematic tests.
# (endpoint, field, value label)
# plone.restapi ignores the keys that are not fields of the type (documented
# behaviour): PATCH with only unknown keys answers 204 and changes nothing.
IGNORED = {("PATCH Documento", "huge key")}


BAD_VALUES = {
    "a number": 12345,
    "a list": [1, 2],
    "an object": {"a": {"b": None}},
    "1 MB": MEGABYTE,
    "control characters": "a\x00b\x1bc\x7f",
}


def b64(data):
    return base64.b64encode(data).decode("ascii")


def file_item(data=None, filename="solicitud.pdf", content_type="application/pdf"):
    return {
        "data": b64(base.pdf_bytes() if data is None else data),
        "encoding": "base64",
        "filename": filename,
        "content-type": content_type,
    }


def message_of(response):
    """The readable message of a JSON refusal, wherever the service puts it."""
    body = response.json()
    error = body.get("error", body) if isinstance(body, dict) else {}
    if isinstance(error, dict):
        return error.get("message") or ""
    return ""


class BadInputTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING
    maxDiff = None

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        fixture = self.fixture = WorkflowFixture(self.portal)
        self.expediente = fixture.expediente("en_tramitacion")
        self.firmado = fixture.documento(self.expediente, "firmado")
        self.borrador = fixture.documento(self.expediente, "borrador")
        self.subsanacion = fixture.expediente("subsanacion", title="Subsanació")
        transaction.commit()

    def world(self):
        """What a refused request must not change: every object in the
        catalog with its modification date, and the register."""
        transaction.begin()
        catalog = api.portal.get_tool("portal_catalog")
        return (
            sorted(
                (brain.getPath(), str(brain.modified))
                for brain in catalog.unrestrictedSearchResults(
                    path="/".join(self.portal.getPhysicalPath())
                )
            ),
            sorted(self.portal["registro"].objectIds()),
        )

    def registrar_body(self, **fields):
        body = {
            "canal": "telematico",
            "interesado_identifier_type": "NIF",
            "interesado_identifier": base.VALID_NIF,
            "interesado_name": "Maria Puig i Soler",
            "resumen": "Sol·licitud de llicència",
            "unidad_destino": IUUID(self.fixture.unidad),
            "procedimiento": IUUID(self.fixture.procedimiento),
            "files": [file_item()],
        }
        body.update(fields)
        return {key: value for key, value in body.items() if value is not None}

    def endpoints(self):
        """(name, user, method, url, a valid-looking JSON object body)."""
        expediente = self.expediente.absolute_url()
        return (
            (
                "@registrar",
                "admin",
                "post",
                f"{self.portal_url}/registro/@registrar",
                self.registrar_body(),
            ),
            (
                "@notificar",
                "tramitador",
                "post",
                f"{expediente}/@notificar",
                {"documento": IUUID(self.firmado), "destinatario": base.VALID_NIF},
            ),
            (
                "@iniciar",
                "interesado",
                "post",
                f"{self.fixture.procedimiento.absolute_url()}/@iniciar",
                {"solicita": "Que se me conceda.", "documentos": {}},
            ),
            (
                "@aportar",
                "interesado",
                "post",
                f"{self.subsanacion.absolute_url()}/@aportar",
                {"statement": "Aporto", "files": [file_item()]},
            ),
            (
                "@eni-import",
                "admin",
                "post",
                f"{self.fixture.unidad.absolute_url()}/@eni-import",
                {"file": file_item(b"<x/>", "e.xml", "application/xml")},
            ),
            (
                "add Documento",
                "tramitador",
                "post",
                expediente,
                {
                    "@type": "Documento",
                    "title": "Nou",
                    "tipo_documental": "TD99",
                    "file": file_item(),
                },
            ),
            (
                "add Expediente",
                "tramitador",
                "post",
                self.fixture.unidad.absolute_url(),
                {
                    "@type": "Expediente",
                    "title": "Nou",
                    "procedimiento": IUUID(self.fixture.procedimiento),
                },
            ),
            (
                "add SolicitudInforme",
                "tramitador",
                "post",
                expediente,
                {
                    "@type": "SolicitudInforme",
                    "asunto": "Informe",
                    "unidad_solicitada": IUUID(self.fixture.otra_unidad),
                },
            ),
            (
                "PATCH Documento",
                "tramitador",
                "patch",
                self.borrador.absolute_url(),
                {"title": "Canviat"},
            ),
        )

    def assertClean(self, response, statuses=range(400, 500)):
        """A 4xx refusal that says something and leaks nothing."""
        self.assertIn(response.status_code, statuses, response.text[:2000])
        for leak in LEAKS:
            self.assertNotIn(leak, response.text, response.text[:2000])
        if response.headers.get("Content-Type", "").startswith("application/json"):
            text = json.dumps(response.json())
            self.assertRegex(text, r"[A-Za-z]{4,}", "an empty refusal")

    def assertNextNumberIsTheFirst(self):
        response = self.session("admin").post(
            f"{self.portal_url}/registro/@registrar", json=self.registrar_body()
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertRegex(response.json()["numero"], r"^E/\d{4}/000001$")


class TestUnreadableBodies(BadInputTestCase):
    def test_every_endpoint_refuses_bodies_it_cannot_read(self):
        before = self.world()
        for name, user_id, method, url, _valid in self.endpoints():
            session = self.session(user_id)
            for label, body in GARBAGE.items():
                with self.subTest(endpoint=name, body=label):
                    statuses = (
                        range(200, 500) if (name, label) in IGNORED else range(400, 500)
                    )
                    response = getattr(session, method)(
                        url, data=body, headers={"Content-Type": "application/json"}
                    )
                    after = self.world()
                    changed, before = after != before, after
                    self.assertFalse(changed, "something was stored")
                    self.assertClean(response, statuses)
        self.assertNextNumberIsTheFirst()

    def test_every_endpoint_refuses_wrong_types_and_huge_values(self):
        before = self.world()
        for name, user_id, method, url, valid in self.endpoints():
            session = self.session(user_id)
            for key in [k for k in valid if k != "@type"]:
                for label, value in BAD_VALUES.items():
                    with self.subTest(endpoint=name, field=key, value=label):
                        response = getattr(session, method)(
                            url, json={**valid, key: value}
                        )
                        after = self.world()
                        changed, before = after != before, after
                        self.assertFalse(changed, f"stored: {response.status_code}")
                        self.assertClean(response)
        self.assertNextNumberIsTheFirst()

    def test_search_batching_that_is_not_a_number(self):
        session = self.session("tramitador")
        for name, value in (("b_start", "x"), ("b_size", "-3"), ("b_start", "1e9")):
            with self.subTest(name=name, value=value):
                response = session.get(f"{self.portal_url}/@search?{name}={value}")
                self.assertClean(response, (400,))
                self.assertIn(name, response.json()["error"]["fields"])
        self.assertEqual(
            session.get(f"{self.portal_url}/@search?b_start=0").status_code, 200
        )

    def test_search_options_of_the_wrong_type(self):
        """plone.restapi answered these with 500; they are the caller's."""
        session = self.session("tramitador")
        for query, named in (
            ("sort_limit=x", "sort_limit"),
            ("sort_on=created&sort_limit=-1", "sort_limit"),
            ("path.query=/plone&path.depth=x", "path"),
            ("created.query=2026-13-45&created.range=min", "created"),
            ("is_folderish=perhaps", "is_folderish"),
        ):
            with self.subTest(query=query):
                response = session.get(f"{self.portal_url}/@search?{query}")
                self.assertClean(response, (400,))
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertIn(named, error["fields"])
                self.assertNotIn("<", error["message"])
        found = session.get(
            f"{self.portal_url}/@search?sort_on=created&sort_limit=2&path.depth=1"
        )
        self.assertEqual(found.status_code, 200)

    def test_a_form_value_its_type_cannot_read(self):
        """Zope's form converters (``:date``, ``:int``…) raised through the
        publisher as a 500; it is a 400 naming the field, JSON or HTML."""
        session = self.session("tramitador")
        for query, field in (
            (
                "effective.query:record:list:date=garbage&effective.range:record=min",
                "effective.query",
            ),
            ("b_size:int=x", "b_size"),
        ):
            for accept in ("application/json", "text/html"):
                with self.subTest(query=query, accept=accept):
                    response = session.get(
                        f"{self.portal_url}/@search?{query}",
                        headers={"Accept": accept},
                    )
                    self.assertEqual(response.status_code, 400, response.text[:300])
                    self.assertIn(field, response.text)
                    self.assertNotIn("Traceback", response.text)

    def test_a_date_of_the_wrong_type(self):
        """plone.restapi's own deserializer fails on a number (500); ours
        answers 400 naming the field (security/deserializers.py)."""
        before = self.world()
        response = self.session("tramitador").patch(
            self.borrador.absolute_url(), json={"fecha_captura": 1e300}
        )
        self.assertClean(response)
        self.assertEqual(self.world(), before)


class TestRegistrar(BadInputTestCase):
    def post(self, **fields):
        return self.session("admin").post(
            f"{self.portal_url}/registro/@registrar", json=self.registrar_body(**fields)
        )

    def test_refused_fields_are_named_and_nothing_is_stored(self):
        cases = {
            # Missing
            "no identifier": ({"interesado_identifier": None}, "interesado_identifier"),
            "no name": ({"interesado_name": None}, "interesado_name"),
            # Wrong types
            "summary a number": ({"resumen": 42}, "resumen"),
            "canal a list": ({"canal": ["telematico"]}, "canal"),
            "files an object": ({"files": {"a": 1}}, "files"),
            "file data a number": (
                {"files": [{"data": 5, "filename": "a.pdf"}]},
                "files[0]",
            ),
            # Bad values
            "1 MB summary": ({"resumen": MEGABYTE}, "resumen"),
            "control characters": ({"resumen": "a\x07b"}, "resumen"),
            "unknown canal": ({"canal": "paloma"}, "canal"),
            "forged NIF": ({"interesado_identifier": "12345678A"}, None),
            # Extra and computed fields
            "extra field": ({"admin": True}, "admin"),
            "forged number": ({"numero": "E/2026/000001"}, "numero"),
            "forged date": (
                {"fecha_presentacion": "1999-01-01T00:00:00+01:00"},
                "fecha_presentacion",
            ),
            "forged effective date": (
                {"fecha_efectiva": "9999-12-31"},
                "fecha_efectiva",
            ),
            "forged CSV": ({"csv": "A" * 32}, "csv"),
            "forged receipt": ({"justificante": "x"}, "justificante"),
            # Files
            "empty file": ({"files": [file_item(b"")]}, "files[0]"),
            "no file name": ({"files": [file_item(filename="")]}, "files[0]"),
            "NUL in file name": (
                {"files": [file_item(filename="a\x00.pdf")]},
                "files[0]",
            ),
            "1 MB file name": (
                {"files": [file_item(filename=MEGABYTE + ".pdf")]},
                "files[0]",
            ),
            "executable type": (
                {
                    "files": [
                        file_item(b"MZ\x90\x00", "a.exe", "application/x-msdownload")
                    ]
                },
                "files[0]",
            ),
            "bad base64": (
                {"files": [{"data": "***", "encoding": "base64", "filename": "a.pdf"}]},
                "files[0]",
            ),
            "unknown document type": (
                {"files": [{**file_item(), "tipo_documental": "TD00"}]},
                "files[0]",
            ),
        }
        before = self.world()
        for label, (fields, field) in cases.items():
            with self.subTest(label):
                response = self.post(**fields)
                after = self.world()
                changed, before = after != before, after
                self.assertFalse(changed, f"stored: {response.status_code}")
                self.assertClean(response, (400,))
                error = response.json()["error"]
                self.assertIn("nothing was stored", error["message"])
                self.assertTrue(error.get("fields"), error)
                if field is not None:
                    self.assertIn(field, error["fields"])
        self.assertNextNumberIsTheFirst()

    def test_file_names_are_stored_as_names_not_paths(self):
        """A name with path separators, ``..`` or odd Unicode either is refused
        or is stored as plain text that no download turns into a path: the
        blob's name on disk is the ZODB's, never the client's."""
        names = (
            "../../etc/passwd",
            "..",
            "C:\\Windows\\system32\\a.pdf",
            "a/b.pdf",
            "\u202egpj.exe",  # right-to-left override
            "ﬁ\u0301le\u200b.pdf",
        )
        registered = 0
        for name in names:
            with self.subTest(name=name):
                before = self.world()
                response = self.post(files=[file_item(filename=name)])
                if response.status_code == 400:
                    self.assertClean(response, (400,))
                    self.assertEqual(self.world(), before)
                    continue
                self.assertEqual(response.status_code, 201, response.text)
                registered += 1
                document = response.json()["documents"][0]["@id"]
                download = self.session("admin").get(
                    f"{document}/@@download/file", headers={"Accept": "*/*"}
                )
                self.assertEqual(download.status_code, 200)
                self.assertEqual(download.content, base.pdf_bytes())
                disposition = download.headers.get("Content-Disposition", "")
                self.assertNotIn("\n", disposition)
                self.assertNotIn("\x00", disposition)
        transaction.begin()
        self.assertEqual(len(self.portal["registro"].objectIds()), registered)

    def test_content_lying_about_its_type_is_refused(self):
        """An executable declared application/pdf: the first bytes disagree
        (content/documento.check_file with security/sniff.py)."""
        before = self.world()
        response = self.post(
            files=[file_item(b"MZ\x90\x00\x03" + b"\x00" * 64, "informe.pdf")]
        )
        self.assertClean(response, (400,))
        self.assertEqual(self.world(), before)

    def test_html_in_text_fields_is_rendered_escaped(self):
        response = self.post(resumen=PAYLOAD, interesado_name=PAYLOAD)
        self.assertEqual(response.status_code, 201, response.text)
        entry = response.json()["@id"]
        page = self.session("admin").get(entry, headers={"Accept": "text/html"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("alert(", page.text)  # the text is shown...
        self.assertNotIn("<script>alert(", page.text)  # ...escaped
        self.assertNotIn("<img src=x", page.text)


class TestHtmlEscapedInTheClassicUI(BadInputTestCase):
    def test_titles_and_descriptions_are_escaped(self):
        session = self.session("tramitador")
        response = session.post(
            self.fixture.unidad.absolute_url(),
            json={
                "@type": "Expediente",
                "title": PAYLOAD,
                "description": PAYLOAD,
                "procedimiento": IUUID(self.fixture.procedimiento),
                "interesados": [base.interesado(name=PAYLOAD)],
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        expediente = response.json()["@id"]
        response = session.post(
            expediente,
            json={
                "@type": "Documento",
                "title": PAYLOAD,
                "description": PAYLOAD,
                "tipo_documental": "TD99",
                "file": file_item(filename="a<script>.pdf"),
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        documento = response.json()["@id"]
        for url in (expediente, documento, self.fixture.unidad.absolute_url()):
            with self.subTest(url=url):
                page = session.get(url, headers={"Accept": "text/html"})
                self.assertEqual(page.status_code, 200)
                self.assertIn("alert(", page.text)
                self.assertIsNone(
                    re.search(r"<script>alert\(|<img src=x", page.text),
                    "unescaped payload",
                )


class TestDatesAndForgedValues(BadInputTestCase):
    def test_dates_out_of_range_and_forged_values_are_refused(self):
        session = self.session("tramitador")
        url = self.borrador.absolute_url()
        before = self.world()
        for label, body in (
            ("year 0", {"fecha_captura": "0000-01-01T00:00:00"}),
            ("year 99999", {"fecha_captura": "99999-01-01T00:00:00"}),
            ("month 13", {"fecha_captura": "2026-13-01T00:00:00"}),
            ("not a date", {"fecha_captura": "yesterday"}),
        ):
            with self.subTest(label):
                response = session.patch(url, json=body)
                self.assertClean(response, (400,))
                self.assertEqual(self.world(), before)
        # The fingerprint and the CSV are the portal's: a client's are ignored
        # or refused, never stored.
        transaction.begin()
        huella = self.borrador.huella
        for label, body in (
            ("fingerprint", {"huella": "0" * 64}),
            ("CSV", {"csv": "A" * 32}),
        ):
            with self.subTest(label):
                response = session.patch(url, json=body)
                self.assertLess(response.status_code, 500, response.text)
                transaction.begin()
                self.assertEqual(self.borrador.huella, huella)
                self.assertNotEqual(getattr(self.borrador, "csv", None), "A" * 32)
