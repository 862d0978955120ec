"""The ENI services over HTTP (plone.restapi) and the Classic UI views."""

from lxml import etree
from paeria.egov.eni import bridge
from paeria.egov.eni.schemas import qname
from paeria.egov.journal import recording
from paeria.egov.journal import storage
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests.base import RelativeSession
from paeria.egov.tests.test_eni_bridge import EniPortalFixture
from paeria.egov.tests.test_eni_bridge import needs_xsd
from paeria.egov.tests.test_eni_bridge import pdf_bytes
from paeria.egov.tests.test_eni_bridge import schema_errors
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.uuid.interfaces import IUUID
import base64
import re
import transaction
import unittest


class EniServicesTestCase(EniPortalFixture, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.app = self.layer["app"]
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.build_portal_content(self.portal)
        transaction.commit()
        self.api = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)

    def session(self, *auth):
        session = RelativeSession(self.portal_url, test=self)
        # The site speaks Spanish; these tests read the English messages.
        session.headers.update({"Accept": "application/json", "Accept-Language": "en"})
        if auth:
            session.auth = auth
        return session

    def path(self, obj):
        return obj.absolute_url()[len(self.portal_url) + 1 :]

    def refresh(self):
        """See what the server committed."""
        transaction.begin()

    def assertNothingCreated(self, before):
        self.refresh()
        self.assertEqual(self.snapshot(self.portal), before)

    def exchange_file(self):
        response = self.api.get(f"{self.path(self.expediente)}/@eni")
        self.assertEqual(response.status_code, 200, response.text[:500])
        # The export wrote (CSVs, its record): work on from what it committed.
        self.refresh()
        return response.content


class ExportServiceTests(EniServicesTestCase):
    @needs_xsd
    def test_documento(self):
        documento = self.documentos[0]
        response = self.api.get(f"{self.path(documento)}/@eni")
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(
            response.headers["Content-Type"], "application/xml; charset=utf-8"
        )
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="{documento.eni_identifier}.xml"',
        )
        self.assertEqual(schema_errors(response.content, "documento"), [])
        root = etree.fromstring(response.content)
        self.assertEqual(
            root.findtext(f".//{qname('enidocmeta', 'Identificador')}"),
            documento.eni_identifier,
        )
        self.assertEqual(
            base64.b64decode(root.findtext(f".//{qname('enifile', 'ValorBinario')}")),
            pdf_bytes(1),
        )
        # The CSV made for it was committed with the request.
        self.refresh()
        self.assertEqual(
            root.findtext(f".//{qname('enids', 'ValorCSV')}"), documento.eni_csv
        )

    @needs_xsd
    def test_expediente_exchange_file(self):
        data = self.exchange_file()
        self.assertEqual(schema_errors(data, "intercambio"), [])
        root = etree.fromstring(data)
        self.assertEqual(
            [
                element.text
                for element in root.iter(
                    qname("eniconexpind", "IdentificadorDocumento")
                )
            ],
            [documento.eni_identifier for documento in self.documentos],
        )
        self.assertEqual(len(root.findall(qname("enidoc", "documento"))), 3)
        self.refresh()
        (record,) = bridge.index_exports(self.expediente)
        self.assertEqual(record["user"], SITE_OWNER_NAME)
        self.assertEqual(record["format"], "intercambio")
        self.assertIn(record["csv"].encode(), data)

    @needs_xsd
    def test_expediente_standard_file(self):
        response = self.api.get(
            f"{self.path(self.expediente)}/@eni", params={"format": "standard"}
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="{self.expediente.eni_identifier}.xml"',
        )
        self.assertEqual(schema_errors(response.content, "expediente"), [])
        self.assertEqual(
            etree.fromstring(response.content).tag, qname("eniexp", "expediente")
        )

    def test_unknown_format(self):
        response = self.api.get(
            f"{self.path(self.expediente)}/@eni", params={"format": "rar"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["type"], "BadRequest")
        # The format asked for, then those there are (zip is one: issue 18).
        self.assertIn(
            'Unknown format rar: use "standard", "zip"',
            response.json()["error"]["message"],
        )
        self.refresh()
        self.assertEqual(bridge.index_exports(self.expediente), [])

    def test_export_refused_lists_the_problems(self):
        self.documentos[1].huella = None
        transaction.commit()
        response = self.api.get(f"{self.path(self.expediente)}/@eni")
        self.assertEqual(response.status_code, 400)
        error = response.json()["error"]
        self.assertEqual(error["type"], "BadRequest")
        self.assertIn(
            f"Index entry {self.documentos[1].eni_identifier}: fingerprint is missing",
            error["fields"]["expediente"].splitlines(),
        )

    def test_index(self):
        response = self.api.get(f"{self.path(self.expediente)}/@eni-index")
        self.assertEqual(response.status_code, 200, response.text[:500])
        index = response.json()
        self.assertEqual(index["identifier"], self.expediente.eni_identifier)
        self.assertEqual(
            [
                (item["order"], item["identifier"], item["fingerprint"], item["title"])
                for item in index["documents"]
            ],
            [
                (n, documento.eni_identifier, documento.huella, documento.Title())
                for n, documento in enumerate(self.documentos, 1)
            ],
        )
        self.assertEqual(
            [item["tipo_documental"] for item in index["documents"]],
            ["TD14", "TD13", "TD99"],
        )


class ImportServiceTests(EniServicesTestCase):
    def test_import_expediente_raw_xml(self):
        data = self.exchange_file()
        before = self.snapshot(self.portal)
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=data,
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(response.status_code, 201, response.text[:2000])
        summary = response.json()
        self.refresh()
        (expediente_id,) = set(self.other_unidad.objectIds())
        imported = self.other_unidad[expediente_id]
        self.assertEqual(summary["@id"], imported.absolute_url())
        self.assertEqual(response.headers["Location"], imported.absolute_url())
        self.assertEqual(summary["numero"], imported.numero)
        self.assertNotEqual(summary["numero"], self.expediente.numero)
        self.assertEqual(summary["eni_identifier"], imported.eni_identifier)
        self.assertEqual(
            summary["eni_identifier_origen"], self.expediente.eni_identifier
        )
        self.assertEqual(summary["documents"], 3)
        self.assertEqual(
            self.snapshot(self.portal)["last_number"], before["last_number"] + 1
        )
        self.assertEqual(
            [
                documento.eni_identifier
                for documento in bridge.expediente_documents(imported)
            ],
            [documento.eni_identifier for documento in self.documentos],
        )

    def test_import_expediente_json_with_procedure(self):
        data = self.exchange_file()
        other = api.content.create(
            container=self.portal["tramites"],
            type="Procedimiento",
            title="Licencia ambiental",
            sia_code="112233",
            responsible_unit=api.content.get_uuid(self.other_unidad),
        )
        transaction.commit()
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            json={
                "file": {
                    "data": base64.b64encode(data).decode("ascii"),
                    "encoding": "base64",
                    "filename": "expediente.xml",
                },
                "procedimiento": api.content.get_uuid(other),
            },
        )
        self.assertEqual(response.status_code, 201, response.text[:2000])
        self.refresh()
        imported = api.content.get(UID=response.json()["UID"])
        self.assertEqual(imported.procedimiento, api.content.get_uuid(other))
        self.assertEqual(imported.clasificacion, "112233")

    def test_bad_files_answer_400_and_create_nothing(self):
        good = self.exchange_file()
        root = etree.fromstring(good)
        root.findall(f".//{qname('enifile', 'ValorBinario')}")[
            0
        ].text = base64.b64encode(b"forged").decode()
        tampered = etree.tostring(root)
        billion_laughs = (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
        )
        cases = (
            (
                "tampered",
                tampered,
                f"Document {self.documentos[0].eni_identifier}: fingerprint does "
                "not match its content",
            ),
            ("entities", billion_laughs, "DOCTYPE declarations are not allowed"),
            ("not xml", b"%PDF-1.7 not an ENI file", "not well-formed XML"),
            ("empty", b"", "the input is empty"),
            (
                "a document",
                self.api.get(f"{self.path(self.documentos[0])}/@eni").content,
                "wrong root element enidoc:documento",
            ),
        )
        self.refresh()
        before = self.snapshot(self.portal)
        for name, data, expected in cases:
            with self.subTest(name):
                response = self.api.post(
                    f"{self.path(self.other_unidad)}/@eni-import",
                    data=data,
                    headers={"Content-Type": "application/xml"},
                )
                self.assertEqual(response.status_code, 400, response.text[:500])
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertTrue(error["message"])
                self.assertIn(expected, error["fields"]["file"])
                self.assertNothingCreated(before)

    def test_every_problem_is_listed(self):
        root = etree.fromstring(self.exchange_file())
        values = root.findall(f".//{qname('enifile', 'ValorBinario')}")
        for value in values[:2]:
            value.text = base64.b64encode(b"forged").decode()
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=etree.tostring(root),
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(response.status_code, 400)
        problems = response.json()["error"]["fields"]["file"].splitlines()
        for documento in self.documentos[:2]:
            self.assertIn(
                f"Document {documento.eni_identifier}: fingerprint does not match "
                "its content nor the enidoc:documento as sent (SHA-256)",
                problems,
            )

    def test_bad_json_bodies(self):
        cases = (
            ("not json", b"{nope", "not JSON"),
            ("no file", b'{"procedimiento": "x"}', '"file"'),
            (
                "not base64",
                b'{"file": {"data": "***", "encoding": "base64"}}',
                "base64",
            ),
        )
        before = self.snapshot(self.portal)
        for name, body, expected in cases:
            with self.subTest(name):
                response = self.api.post(
                    f"{self.path(self.other_unidad)}/@eni-import",
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                self.assertEqual(response.status_code, 400, response.text[:500])
                self.assertIn(expected, response.json()["error"]["message"])
                self.assertNothingCreated(before)

    def test_too_large(self):
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        transaction.commit()
        before = self.snapshot(self.portal)
        body = b"<a>" + b" " * (4 * 1024 * 1024) + b"</a>"
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=body,
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("4 MB", response.json()["error"]["message"])
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            json={
                "file": {"data": base64.b64encode(body).decode(), "encoding": "base64"}
            },
        )
        self.assertEqual(response.status_code, 413)
        self.assertNothingCreated(before)

    def test_large_file_within_the_limit(self):
        """Bodies above Zope's 1 MB form memory limit are read all the same."""
        big = self.create_documento(
            self.expediente, 4, "Anexo", "TD99", "administracion", "EE01", None
        )
        big.file = type(big.file)(
            data=pdf_bytes(4) + b"%" + b"x" * (2 * 1024 * 1024) + b"\n",
            filename="anexo.pdf",
            contentType="application/pdf",
        )
        from zope.event import notify
        from zope.lifecycleevent import ObjectModifiedEvent

        notify(ObjectModifiedEvent(big))
        transaction.commit()
        data = self.exchange_file()
        self.assertGreater(len(data), 2 * 1024 * 1024)
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=data,
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(response.status_code, 201, response.text[:2000])
        self.assertEqual(response.json()["documents"], 4)

    def test_import_document(self):
        documento = self.documentos[1]
        response = self.api.get(f"{self.path(documento)}/@eni")
        self.assertEqual(response.status_code, 200)
        target = self.create_expediente(self.other_unidad)
        transaction.commit()
        imported = self.api.post(
            f"{self.path(target)}/@eni-import",
            data=response.content,
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(imported.status_code, 201, imported.text[:2000])
        summary = imported.json()
        self.assertEqual(summary["eni_identifier"], documento.eni_identifier)
        self.assertEqual(summary["huella"], documento.huella)
        self.assertEqual(summary["orden"], 1)
        self.assertEqual(summary["tipo_documental"], "TD13")
        self.refresh()
        self.assertEqual(len(target.objectIds()), 1)

        again = self.api.post(
            f"{self.path(target)}/@eni-import",
            data=response.content,
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(again.status_code, 400)
        self.assertEqual(
            again.json()["error"]["fields"],
            {
                "file": f"Document {documento.eni_identifier} is already in "
                "this expediente"
            },
        )


class PermissionTests(EniServicesTestCase):
    def setUp(self):
        super().setUp()
        api.user.create(
            email="citizen@example.org", username="citizen", password="secret-123456"
        )
        transaction.commit()

    def test_anonymous_and_members_are_refused(self):
        data = self.exchange_file()
        before = self.snapshot(self.portal)
        requests = (
            ("GET", f"{self.path(self.documentos[0])}/@eni", None),
            ("GET", f"{self.path(self.expediente)}/@eni", None),
            ("GET", f"{self.path(self.expediente)}/@eni-index", None),
            ("POST", f"{self.path(self.other_unidad)}/@eni-import", data),
            ("POST", f"{self.path(self.expediente)}/@eni-import", data),
        )
        for who, session in (
            ("anonymous", self.session()),
            ("member", self.session("citizen", "secret-123456")),
        ):
            for method, url, body in requests:
                with self.subTest(who=who, method=method, url=url):
                    response = session.request(
                        method,
                        url,
                        data=body,
                        headers={"Content-Type": "application/xml"},
                    )
                    self.assertIn(response.status_code, (401, 403))
                    self.assertNotIn(b"<enidoc:", response.content)
        self.assertNothingCreated(before)
        self.assertEqual(len(bridge.index_exports(self.expediente)), 1)

    def test_tramitador_of_another_unit_is_refused(self):
        api.user.create(
            email="tramitador@example.org",
            username="tramitador",
            password="secret-123456",
        )
        api.group.add_user(
            groupname=self.other_unidad.tramitadores_group_id(), username="tramitador"
        )
        transaction.commit()
        session = self.session("tramitador", "secret-123456")
        response = session.get(f"{self.path(self.expediente)}/@eni")
        self.assertIn(response.status_code, (401, 403))
        # In its own unit it may import.
        response = session.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=self.exchange_file(),
            headers={"Content-Type": "application/xml"},
        )
        self.assertEqual(response.status_code, 201, response.text[:2000])


class ClassicViewTests(EniServicesTestCase):
    def browser_session(self):
        session = RelativeSession(self.portal_url, test=self)
        session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept-Language"] = "en"
        return session

    def authenticator(self, session, obj):
        page = session.get(f"{self.path(obj)}/@@eni-import")
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="_authenticator" value="([^"]+)"', page.text).group(1)

    @needs_xsd
    def test_download(self):
        session = self.browser_session()
        for obj, kind in (
            (self.documentos[0], "documento"),
            (self.expediente, "intercambio"),
        ):
            with self.subTest(kind):
                response = session.get(f"{self.path(obj)}/@@eni-download")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response.headers["Content-Disposition"],
                    f'attachment; filename="{obj.eni_identifier}.xml"',
                )
                self.assertEqual(schema_errors(response.content, kind), [])
        response = session.get(
            f"{self.path(self.expediente)}/@@eni-download?format=standard"
        )
        self.assertEqual(schema_errors(response.content, "expediente"), [])

    def test_an_unknown_format_gives_and_journals_the_exchange_file(self):
        """The journal says what was handed out, not what was asked for."""
        session = self.browser_session()
        response = session.get(
            f"{self.path(self.expediente)}/@@eni-download?format=zzz"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(schema_errors(response.content, "intercambio"), [])
        transaction.begin()
        chain = storage.group_chain(self.expediente, IUUID(self.expediente))
        exports = [
            entry.content["details"]
            for _index, _prev, _hash, entry in chain.links()
            if entry.content["action"] == recording.ENI_EXPORT
        ]
        self.assertEqual(exports[-1], {"kind": "intercambio"})

    def test_download_refused_shows_the_problems(self):
        self.documentos[0].huella = None
        transaction.commit()
        response = self.browser_session().get(
            f"{self.path(self.expediente)}/@@eni-download"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            f"Index entry {self.documentos[0].eni_identifier}: fingerprint is missing",
            response.text,
        )

    def test_import_form_on_unidad(self):
        data = self.exchange_file()
        session = self.browser_session()
        token = self.authenticator(session, self.other_unidad)
        response = session.post(
            f"{self.path(self.other_unidad)}/@@eni-import",
            data={"_authenticator": token, "form.submitted": "1", "procedimiento": ""},
            files={"eni_file": ("expediente.xml", data, "application/xml")},
        )
        self.assertEqual(response.status_code, 200)
        self.refresh()
        (expediente_id,) = self.other_unidad.objectIds()
        imported = self.other_unidad[expediente_id]
        self.assertEqual(response.url, imported.absolute_url())
        self.assertEqual(imported.eni_identifier_origen, self.expediente.eni_identifier)
        self.assertEqual(len(imported.objectIds()), 3)

    def test_import_form_shows_problems(self):
        root = etree.fromstring(self.exchange_file())
        root.findall(f".//{qname('enifile', 'ValorBinario')}")[
            2
        ].text = base64.b64encode(b"forged").decode()
        session = self.browser_session()
        token = self.authenticator(session, self.other_unidad)
        before = self.snapshot(self.portal)
        response = session.post(
            f"{self.path(self.other_unidad)}/@@eni-import",
            data={"_authenticator": token, "form.submitted": "1"},
            files={"eni_file": ("expediente.xml", etree.tostring(root), "text/xml")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("nothing was imported", response.text)
        self.assertIn(
            f"Document {self.documentos[2].eni_identifier}: fingerprint does not "
            "match its content",
            response.text,
        )
        self.assertNothingCreated(before)

    def test_import_form_needs_the_authenticator(self):
        data = self.exchange_file()
        before = self.snapshot(self.portal)
        response = self.browser_session().post(
            f"{self.path(self.other_unidad)}/@@eni-import",
            data={"form.submitted": "1"},
            files={"eni_file": ("expediente.xml", data, "application/xml")},
        )
        self.assertEqual(response.status_code, 403)
        self.assertNothingCreated(before)

    def test_import_form_on_expediente(self):
        source = self.documentos[0]
        data = self.browser_session().get(f"{self.path(source)}/@@eni-download").content
        target = self.create_expediente(self.other_unidad)
        transaction.commit()
        session = self.browser_session()
        token = self.authenticator(session, target)
        response = session.post(
            f"{self.path(target)}/@@eni-import",
            data={"_authenticator": token, "form.submitted": "1"},
            files={"eni_file": ("documento.xml", data, "application/xml")},
        )
        self.assertEqual(response.status_code, 200)
        self.refresh()
        (documento,) = target.objectValues()
        self.assertEqual(response.url, documento.absolute_url())
        self.assertEqual(documento.eni_identifier, source.eni_identifier)
        self.assertEqual(documento.huella, source.huella)
        # Journalled as the REST door is (the form answers with a redirect).
        chain = storage.group_chain(target, IUUID(target))
        last = list(chain)[-1].content
        self.assertEqual(
            (last["action"], last["uid"], last["details"]),
            (recording.ENI_IMPORT, IUUID(documento), {"kind": "documento"}),
        )
