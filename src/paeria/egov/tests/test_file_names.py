"""File names as sent by whoever uploads: reduced to a safe base name at
every door that stores a Documento's file (REST POST/PATCH, @registrar,
@iniciar, Python: ENI import, collaboration, the register), and every download
named with both ``filename`` (ASCII) and ``filename*`` (issue 17, finding 6)."""

from paeria.egov.filenames import content_disposition
from paeria.egov.filenames import MAX_BYTES
from paeria.egov.filenames import safe_disposition
from paeria.egov.filenames import safe_filename
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_restapi_content import file_payload
from paeria.egov.tests.test_restapi_content import RESTTestCase
from paeria.egov.tests.test_sede_filing import b64file
from paeria.egov.tests.test_sede_filing import DNI
from paeria.egov.tests.test_sede_filing import FilingTestCase
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.uuid.interfaces import IUUID
from urllib.parse import unquote
import transaction
import unicodedata
import unittest


HOSTILE_NAMES = {
    "../../../../tmp/x.pdf": "x.pdf",
    "a\x00b.pdf": "ab.pdf",
    "..\\..\\windows\\system32\\drivers\\etc\\hosts.pdf": "hosts.pdf",
    "informe\u202egpj.exe.pdf": "informegpj.exe.pdf",
    "/etc/passwd": "passwd",
    "..": "documento",
    "": "documento",
    "  .hidden. ": "hidden",
    'a"b;c.pdf': "a_b;c.pdf",
    "línia\r\nSet-Cookie: x=1.pdf": "líniaSet-Cookie_ x=1.pdf",
    "Sol·licitud d'obra.pdf": "Sol·licitud d'obra.pdf",
}
LONG_NAME = "x" * (1024 * 1024) + ".pdf"


def documento_names(portal):
    catalog = api.portal.get_tool("portal_catalog")
    return {
        brain._unrestrictedGetObject().file.filename
        for brain in catalog.unrestrictedSearchResults(portal_type="Documento")
    }


def assert_safe(test, name):
    test.assertTrue(name, name)
    test.assertLessEqual(len(name.encode("utf-8")), MAX_BYTES)
    for forbidden in ("/", "\\", "\x00", "\u202e", "\r", "\n"):
        test.assertNotIn(forbidden, name)
    test.assertFalse(name.startswith("."), name)
    test.assertFalse(
        any(unicodedata.category(char) in ("Cc", "Cf") for char in name), name
    )


def assert_good_disposition(test, value, expected_name):
    """Both ``filename`` (ASCII) and ``filename*`` naming ``expected_name``,
    the header short."""
    test.assertLess(len(value), 1024, value[:200])
    test.assertTrue(value.startswith("attachment; "), value)
    plain = value.split('filename="', 1)[1].split('"', 1)[0]
    test.assertTrue(plain.isascii() and plain, value)
    test.assertNotIn("/", plain)
    star = value.split("filename*=UTF-8''", 1)[1]
    test.assertEqual(unquote(star), expected_name, value)


class TestSafeFilename(unittest.TestCase):
    def test_hostile_names_become_safe_base_names(self):
        for sent, kept in HOSTILE_NAMES.items():
            with self.subTest(sent=sent):
                self.assertEqual(safe_filename(sent), kept)
                assert_safe(self, safe_filename(sent))

    def test_long_names_keep_their_extension(self):
        kept = safe_filename(LONG_NAME)
        self.assertEqual(len(kept.encode("utf-8")), MAX_BYTES)
        self.assertTrue(kept.endswith(".pdf"))
        kept = safe_filename("à" * 300 + ".pdf")
        self.assertLessEqual(len(kept.encode("utf-8")), MAX_BYTES)
        self.assertTrue(kept.endswith("à.pdf"), kept)

    def test_not_text_gives_the_default(self):
        self.assertEqual(safe_filename(None), "documento")
        self.assertEqual(safe_filename(5), "documento")
        self.assertEqual(safe_filename(b"a/b.pdf"), "b.pdf")

    def test_content_disposition_has_both_forms(self):
        value = content_disposition("Sol·licitud d'obra.pdf")
        self.assertEqual(
            value,
            'attachment; filename="Sollicitud d\'obra.pdf"; '
            "filename*=UTF-8''Sol%C2%B7licitud%20d%27obra.pdf",
        )
        assert_good_disposition(
            self,
            safe_disposition("attachment; filename*=UTF-8''..%2F..%2Ftmp%2Fx.pdf"),
            "x.pdf",
        )
        assert_good_disposition(
            self, safe_disposition('attachment; filename="../../a.pdf"'), "a.pdf"
        )
        self.assertEqual(safe_disposition("inline"), "inline")
        plain = 'attachment; filename="libro-registro-2026.csv"'
        self.assertEqual(safe_disposition(plain), plain)


class TestPythonDoors(unittest.TestCase):
    """The Documento itself keeps only the safe name, whoever sets its file:
    the ENI import, collaboration, the register and the forms all assign it."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.procedimiento = base.create_procedimiento(self.portal, self.unidad)
        self.expediente = base.create_expediente(self.unidad, self.procedimiento)

    def test_created_and_replaced_files_keep_safe_names(self):
        # plone.namedfile itself refuses line breaks in a NamedBlobFile's name.
        for sent, kept in HOSTILE_NAMES.items():
            if "\n" in sent:
                continue
            with self.subTest(sent=sent):
                documento = base.create_documento(
                    self.expediente, file=base.named_file(filename=sent)
                )
                self.assertEqual(documento.file.filename, kept)
        documento.file = base.named_file(filename=LONG_NAME)
        assert_safe(self, documento.file.filename)
        self.assertTrue(documento.file.filename.endswith(".pdf"))


class TestRestDoors(RESTTestCase):
    def test_post_and_patch_store_safe_names_and_download_them(self):
        for sent, kept in [*list(HOSTILE_NAMES.items())[:4], (LONG_NAME, None)]:
            with self.subTest(sent=sent[:40]):
                response = self.session.post(
                    self.expediente.absolute_url(),
                    json=self.documento_payload(
                        file=file_payload(base.pdf_bytes(), filename=sent)
                    ),
                )
                self.assertEqual(response.status_code, 201, response.text[:500])
                body = self.session.get(response.json()["@id"]).json()
                stored = body["file"]["filename"]
                assert_safe(self, stored)
                if kept is not None:
                    self.assertEqual(stored, kept)
                download = self.session.get(body["file"]["download"])
                self.assertEqual(download.status_code, 200)
                assert_good_disposition(
                    self, download.headers["Content-Disposition"], stored
                )
        response = self.session.patch(
            body["@id"],
            json={
                "file": file_payload(b"Informe\n", "..\\..\\x\x00y.txt", "text/plain")
            },
        )
        self.assertEqual(response.status_code, 204, response.text[:500])
        body = self.session.get(body["@id"]).json()
        self.assertEqual(body["file"]["filename"], "xy.txt")
        download = self.session.get(body["file"]["download"])
        assert_good_disposition(self, download.headers["Content-Disposition"], "xy.txt")

    def test_registrar_stores_safe_names(self):
        files = [
            {
                "data": file_payload(base.pdf_bytes(str(position)))["data"],
                "encoding": "base64",
                "filename": sent,
                "content-type": "application/pdf",
                "tipo_documental": "TD14",
            }
            # A NUL or an over-long name is refused (400) by the register.
            for position, sent in enumerate(
                ("../../../../tmp/x.pdf", "..\\..\\win\\y.pdf", "a\u202eb.pdf")
            )
        ]
        response = self.session.post(
            "/registro/@registrar",
            json={
                "canal": "telematico",
                "interesado_identifier_type": "NIF",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig i Soler",
                "resumen": "Sol·licitud de llicència",
                "unidad_destino": IUUID(self.unidad),
                "procedimiento": IUUID(self.procedimiento),
                "files": files,
            },
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        self.refresh()
        names = documento_names(self.portal)
        for name in names:
            assert_safe(self, name)
        self.assertLessEqual({"x.pdf", "y.pdf", "ab.pdf"}, names)


class TestIniciar(FilingTestCase):
    def test_iniciar_stores_safe_names(self):
        response = self.file(
            documentos=self.documents(
                **{DNI: b64file(base.pdf_bytes("DNI"), "..\\..\\windows\\dni.pdf")}
            ),
            files=[b64file(base.pdf_bytes("Annex"), "../a\u202eb.pdf")],
        )
        self.assertEqual(response.status_code, 201, response.text)
        transaction.begin()
        names = documento_names(self.portal)
        for name in names:
            assert_safe(self, name)
        self.assertLessEqual({"dni.pdf", "ab.pdf"}, names)
