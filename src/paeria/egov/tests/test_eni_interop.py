"""ENI exchanges with other administrations (issue 18): NombreFormato kept,
the fingerprints of other administrations' indexes, the same expediente
imported twice."""

from lxml import etree
from lxml import html
from paeria.egov.eni import bridge
from paeria.egov.eni import importing
from paeria.egov.eni.admission import AlreadyImported
from paeria.egov.eni.admission import import_details
from paeria.egov.eni.export import document_to_xml
from paeria.egov.eni.export import expediente_to_xml
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.parse import parse_expediente
from paeria.egov.eni.schemas import qname
from paeria.egov.journal import recording
from paeria.egov.journal import storage
from paeria.egov.tests import base
from paeria.egov.tests.test_eni import make_expediente
from paeria.egov.tests.test_eni_bridge import EniBridgeTestCase
from paeria.egov.tests.test_eni_bridge import pdf_bytes
from paeria.egov.tests.test_eni_services import EniServicesTestCase
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.namedfile.file import NamedBlobFile
from plone.uuid.interfaces import IUUID
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
import base64
import hashlib
import re
import unittest


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" '
    b'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"%s</rdf:Description>'
    b"</rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)
#: The two ways XMP writes pdfaid:part: an attribute, an element.
PDFA_PARTS = (
    b' pdfaid:part="2" pdfaid:conformance="B">',
    b"><pdfaid:part>1</pdfaid:part><pdfaid:conformance>A</pdfaid:conformance>",
)


def pdfa_bytes(number: int, part=PDFA_PARTS[0]) -> bytes:
    """A small PDF whose catalog points to XMP metadata declaring PDF/A."""
    xmp = XMP % part
    text = f"BT /F1 12 Tf 20 100 Td (PDF/A {number}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream"
        % (len(xmp), xmp),
    ]
    data = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number_, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number_, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return data


def pdf_file(data, name="documento.pdf"):
    return NamedBlobFile(data=data, filename=name, contentType="application/pdf")


def exported_format_name(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    return [element.text for element in root.iter(qname("enifile", "NombreFormato"))]


class NombreFormatoTests(EniBridgeTestCase):
    def add_pdfa(self, expediente, part=PDFA_PARTS[0], data=None):
        return api.content.create(
            container=expediente,
            type="Documento",
            title="Resolución en PDF/A",
            file=pdf_file(data or pdfa_bytes(7, part)),
            tipo_documental="TD02",
        )

    def test_a_pdfa_upload_is_pdfa(self):
        for part in PDFA_PARTS:
            with self.subTest(part=part):
                documento = self.add_pdfa(self.expediente, part)
                self.assertEqual(documento.nombre_formato, "PDF/A")
                self.assertEqual(
                    exported_format_name(bridge.export_documento(documento)),
                    ["PDF/A"],
                )
        # A PDF that does not declare it stays a PDF.
        self.assertEqual(self.documentos[0].nombre_formato, "PDF")

    def test_the_declaration_is_found_past_the_first_chunk(self):
        padding = b"%" + b"x" * (3 * 1024 * 1024) + b"\n"
        data = pdfa_bytes(8)
        marker = b"6 0 obj"
        data = data.replace(marker, padding + marker)
        self.assertEqual(
            self.add_pdfa(self.expediente, data=data).nombre_formato, "PDF/A"
        )

    def test_round_trip_keeps_pdfa(self):
        documento = self.add_pdfa(self.expediente)
        data = bridge.export_expediente(self.expediente)
        self.assertEqual(exported_format_name(data), ["PDF", "PDF", "PDF", "PDF/A"])
        imported = importing.import_eni_expediente(self.other_unidad, data)
        copies = bridge.expediente_documents(imported)
        self.assertEqual(
            [copy.nombre_formato for copy in copies], ["PDF", "PDF", "PDF", "PDF/A"]
        )
        self.assertEqual(copies[-1].eni_identifier, documento.eni_identifier)
        self.assertEqual(
            exported_format_name(bridge.export_expediente(imported)),
            ["PDF", "PDF", "PDF", "PDF/A"],
        )

    def test_an_imported_document_keeps_its_nombre_formato(self):
        """The sender's word on what the document is stays, edits included,
        even when its bytes alone would not tell (no XMP here)."""
        data = bridge.export_documento(self.documentos[0])
        data = data.replace(
            b"<enifile:NombreFormato>PDF</enifile:NombreFormato>",
            b"<enifile:NombreFormato>PDF/A</enifile:NombreFormato>",
        )
        self.assertIn(b"PDF/A", data)
        target = self.create_expediente(self.other_unidad)
        documento = importing.import_eni_document(target, data)
        self.assertEqual(documento.nombre_formato, "PDF/A")
        documento.title = "Otro título"
        notify(ObjectModifiedEvent(documento))
        self.assertEqual(documento.nombre_formato, "PDF/A")
        self.assertEqual(
            exported_format_name(bridge.export_documento(documento)), ["PDF/A"]
        )
        # A new file is what its bytes say.
        documento.file = pdf_file(pdf_bytes(9))
        notify(ObjectModifiedEvent(documento))
        self.assertEqual(documento.nombre_formato, "PDF")


# -- fingerprints of other administrations' indexes ------------------------------

CONTENT = "content"
WHOLE = "document_xml"


def ns(prefix, local):
    return qname(prefix, local)


def digest_text(function, payload, encoding="base64"):
    """ValorHuella as a sender writes it; the function's hashlib name read
    from its spelling here, not by the code under test."""
    name = re.sub("[^a-z0-9]", "", function.lower().rsplit("#", 1)[-1])
    raw = hashlib.new(name, payload).digest()
    return base64.b64encode(raw).decode() if encoding == "base64" else raw.hex()


def rewrite_index(data: bytes, choices: dict) -> bytes:
    """The exchange file ``data`` with the index entries of the documents
    named in ``choices`` fingerprinted as another administration does:
    ``{document id: (FuncionResumen, CONTENT or WHOLE, encoding)}``; WHOLE is
    the digest of the ``enidoc:documento`` element, canonicalised."""
    root = etree.fromstring(data)
    documents = {
        element.findtext(f".//{ns('enidocmeta', 'Identificador')}"): element
        for element in root.findall(ns("enidoc", "documento"))
    }
    for indexed in root.iter(ns("eniconexpind", "DocumentoIndizado")):
        doc_id = indexed.findtext(ns("eniconexpind", "IdentificadorDocumento"))
        if doc_id not in choices:
            continue
        function, basis, encoding = choices[doc_id]
        element = documents[doc_id]
        if basis == CONTENT:
            payload = base64.b64decode(
                element.findtext(f".//{ns('enifile', 'ValorBinario')}")
            )
        else:
            payload = etree.tostring(element, method="c14n", exclusive=True)
        indexed.find(ns("eniconexpind", "ValorHuella")).text = digest_text(
            function, payload, encoding
        )
        indexed.find(ns("eniconexpind", "FuncionResumen")).text = function
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class StandardFormDigestTests(unittest.TestCase):
    """The Plone-free core: a bare eniexp:expediente and its documents as
    separate files, the index fingerprinting each file whole."""

    def build(self, function, basis):
        expediente = make_expediente(2)
        files = [document_to_xml(document) for document in expediente.documents]
        data = expediente_to_xml(expediente, include_documents=False)
        root = etree.fromstring(data)
        for indexed, document, sent in zip(
            root.iter(ns("eniconexpind", "DocumentoIndizado")),
            expediente.documents,
            files,
            strict=True,
        ):
            payload = sent if basis == WHOLE else document.content
            indexed.find(ns("eniconexpind", "ValorHuella")).text = digest_text(
                function, payload
            )
            indexed.find(ns("eniconexpind", "FuncionResumen")).text = function
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), files

    def test_whole_file_and_content_digests_in_every_spelling(self):
        for function in (
            "SHA1",
            "SHA-1",
            "sha1",
            "http://www.w3.org/2000/09/xmldsig#sha1",
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2001/04/xmldsig-more#sha384",
            "http://www.w3.org/2001/04/xmlenc#sha512",
            "SHA-512",
        ):
            for basis in (CONTENT, WHOLE):
                with self.subTest(function=function, basis=basis):
                    data, files = self.build(function, basis)
                    parsed = parse_expediente(data, documents=files)
                    self.assertEqual(
                        [entry.fingerprint_basis for entry in parsed.index_entries],
                        [basis, basis],
                    )

    def test_a_wrong_digest_is_refused_naming_the_document(self):
        data, files = self.build("SHA1", WHOLE)
        files[1] = files[1].replace(b"<?xml version='1.0'", b'<?xml version="1.0"')
        self.assertNotEqual(files[1], self.build("SHA1", WHOLE)[1][1])
        with self.assertRaises(EniImportError) as raised:
            parse_expediente(data, documents=files)
        second = make_expediente(2).documents[1].identifier
        self.assertIn(
            f"Document {second}: fingerprint does not match its content nor the "
            "enidoc:documento as sent (SHA1)",
            raised.exception.problems,
        )


class IndexDigestImportTests(EniBridgeTestCase):
    def choices(self, *rows):
        return {
            documento.eni_identifier: row
            for documento, row in zip(self.documentos, rows, strict=True)
        }

    def test_sha1_and_sha512_over_content_or_the_whole_document(self):
        data = rewrite_index(
            bridge.export_expediente(self.expediente),
            self.choices(
                ("SHA1", CONTENT, "base64"),
                ("http://www.w3.org/2001/04/xmlenc#sha512", WHOLE, "base64"),
                ("http://www.w3.org/2000/09/xmldsig#sha1", WHOLE, "hex"),
            ),
        )
        imported = importing.import_eni_expediente(self.other_unidad, data)
        copies = bridge.expediente_documents(imported)
        self.assertEqual(
            [
                (
                    copy.eni_import["hash_function_name"],
                    copy.eni_import["fingerprint_basis"],
                    copy.eni_import["weak_hash"],
                )
                for copy in copies
            ],
            [
                ("SHA-1", CONTENT, True),
                ("SHA-512", WHOLE, False),
                ("SHA-1", WHOLE, True),
            ],
        )
        for original, copy in zip(self.documentos, copies, strict=True):
            with self.subTest(document=copy.eni_identifier):
                # The portal's own SHA-256 of the stored bytes, beside the
                # sender's value kept as written.
                self.assertEqual(copy.huella, original.huella)
                self.assertEqual(copy.funcion_resumen, "SHA-256")
                self.assertIn(copy.eni_import["fingerprint"], data.decode())
        self.assertEqual(
            import_details(imported),
            {
                "weak_fingerprints": sorted(
                    [copies[0].eni_identifier, copies[2].eni_identifier]
                )
            },
        )

    def test_the_document_page_shows_a_weak_fingerprint(self):
        data = rewrite_index(
            bridge.export_expediente(self.expediente),
            self.choices(
                ("sha1", CONTENT, "base64"),
                ("SHA-512", WHOLE, "base64"),
                ("SHA-256", CONTENT, "base64"),
            ),
        )
        imported = importing.import_eni_expediente(self.other_unidad, data)
        weak, strong, _ = bridge.expediente_documents(imported)
        request = self.layer["request"]
        base.prefer_english(request)
        page = weak.restrictedTraverse("@@view")()
        self.assertIn("paeria-weak-fingerprint", page)
        self.assertIn("weak hash function", page)
        self.assertRegex(page, "of the document(&#x27;|&#39;|')s content")
        page = strong.restrictedTraverse("@@view")()
        self.assertNotIn("paeria-weak-fingerprint", page)
        self.assertIn("SHA-512", page)
        self.assertIn("as sent", page)
        # The sender's CSV signature, listed as received, not as the portal's.
        (received,) = html.fromstring(page).xpath(
            "//ul[@class='paeria-received-signatures']/li"
        )
        (record,) = strong.eni_signatures_origen
        self.assertIn("(TF01)", received.text_content())
        self.assertIn(f"CSV {record['csv_value']}", received.text_content())
        self.assertIn("has not checked them cryptographically", page)
        self.assertNotIn("paeria-own-signatures", page)

    def test_a_wrong_digest_creates_nothing(self):
        data = rewrite_index(
            bridge.export_expediente(self.expediente),
            self.choices(
                ("SHA1", CONTENT, "base64"),
                ("SHA-512", WHOLE, "base64"),
                ("SHA-256", CONTENT, "base64"),
            ),
        )
        wrong = self.documentos[1].eni_identifier
        root = etree.fromstring(data)
        for indexed in root.iter(ns("eniconexpind", "DocumentoIndizado")):
            if indexed.findtext(ns("eniconexpind", "IdentificadorDocumento")) == wrong:
                indexed.find(ns("eniconexpind", "ValorHuella")).text = digest_text(
                    "SHA-512", b"something else"
                )
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(
                self.other_unidad, etree.tostring(root)
            ),
            f"Document {wrong}: fingerprint does not match its content nor the "
            "enidoc:documento as sent (SHA-512)",
        )
        self.assertNothingCreated(before)


# -- the same expediente imported twice --------------------------------------------


class ImportedTwiceTests(EniBridgeTestCase):
    def test_the_second_import_is_refused_naming_the_first(self):
        data = bridge.export_expediente(self.expediente)
        first = importing.import_eni_expediente(self.other_unidad, data)
        before = self.snapshot(self.portal)
        with self.assertRaises(AlreadyImported) as raised:
            importing.import_eni_expediente(self.other_unidad, data)
        self.assertEqual(raised.exception.earlier, first)
        self.assertNothingCreated(before)
        # Into another unit too: it is the same expediente.
        with self.assertRaises(AlreadyImported):
            importing.import_eni_expediente(self.unidad, data)
        self.assertNothingCreated(before)

    def test_imported_again_when_asked(self):
        data = bridge.export_expediente(self.expediente)
        first = importing.import_eni_expediente(self.other_unidad, data)
        second = importing.import_eni_expediente(self.other_unidad, data, again=True)
        self.assertNotEqual(second.numero, first.numero)
        self.assertEqual(second.eni_import["again_of"], api.content.get_uuid(first))
        self.assertEqual(
            import_details(second), {"again_of": api.content.get_uuid(first)}
        )
        self.assertIsNone(first.eni_import["again_of"])

    def test_another_body_or_a_removed_import_is_not_a_repetition(self):
        data = bridge.export_expediente(self.expediente)
        first = importing.import_eni_expediente(self.other_unidad, data)
        root = etree.fromstring(data)
        organo = root.find(f".//{ns('eniexpmeta', 'Organo')}")
        organo.text = "LA0009999"
        other_body = importing.import_eni_expediente(
            self.other_unidad, etree.tostring(root)
        )
        self.assertIsNone(other_body.eni_import["again_of"])
        api.content.delete(first)
        again = importing.import_eni_expediente(self.other_unidad, data)
        self.assertIsNone(again.eni_import["again_of"])


class ImportOverRestTests(EniServicesTestCase):
    def post_import(self, data, **params):
        return self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            data=data,
            params=params,
            headers={"Content-Type": "application/xml"},
        )

    def last_journal_entry(self, obj):
        chain = storage.group_chain(obj, IUUID(obj))
        return list(chain)[-1].content

    def test_imported_twice_answers_409_naming_the_first(self):
        data = self.exchange_file()
        response = self.post_import(data)
        self.assertEqual(response.status_code, 201, response.text[:500])
        first_url = response.json()["@id"]
        first_numero = response.json()["numero"]
        self.refresh()
        before = self.snapshot(self.portal)
        response = self.post_import(data)
        self.assertEqual(response.status_code, 409, response.text[:500])
        error = response.json()["error"]
        self.assertEqual(error["type"], "Conflict")
        self.assertIn(first_numero, error["message"])
        self.assertIn("import_again", error["message"])
        self.assertIn(first_url, error["fields"]["file"])
        self.assertNothingCreated(before)
        # Asked for, it is imported again as a new expediente, and journalled so.
        response = self.api.post(
            f"{self.path(self.other_unidad)}/@eni-import",
            json={
                "file": {"data": base64.b64encode(data).decode(), "encoding": "base64"},
                "import_again": True,
            },
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        self.assertNotEqual(response.json()["numero"], first_numero)
        self.refresh()
        second = self.portal.unrestrictedTraverse(
            response.json()["@id"][len(self.portal_url) + 1 :]
        )
        first = self.portal.unrestrictedTraverse(first_url[len(self.portal_url) + 1 :])
        entry = self.last_journal_entry(second)
        self.assertEqual(entry["action"], recording.ENI_IMPORT)
        self.assertEqual(entry["details"]["again_of"], IUUID(first))

    def test_weak_fingerprints_are_journalled_and_a_wrong_one_refused(self):
        data = self.exchange_file()
        ids = [documento.eni_identifier for documento in self.documentos]
        wrong = rewrite_index(
            data,
            {
                ids[0]: ("SHA1", CONTENT, "base64"),
                ids[1]: ("SHA-512", WHOLE, "base64"),
            },
            # Changed after its whole-document digest was taken: that one no
            # longer matches (the contents, and so the content digests, do).
        ).replace(b"<enifile:NombreFormato>PDF<", b"<enifile:NombreFormato>PDF <")
        before = self.snapshot(self.portal)
        response = self.post_import(wrong)
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn(
            f"Document {ids[1]}: fingerprint does not match its content nor the "
            "enidoc:documento as sent (SHA-512)",
            response.json()["error"]["fields"]["file"].splitlines(),
        )
        self.assertNothingCreated(before)

        good = rewrite_index(
            data,
            {
                ids[0]: ("SHA1", CONTENT, "base64"),
                ids[1]: ("SHA-512", WHOLE, "base64"),
                ids[2]: ("http://www.w3.org/2000/09/xmldsig#sha1", WHOLE, "hex"),
            },
        )
        response = self.post_import(good)
        self.assertEqual(response.status_code, 201, response.text[:500])
        self.refresh()
        imported = self.portal.unrestrictedTraverse(
            response.json()["@id"][len(self.portal_url) + 1 :]
        )
        entry = self.last_journal_entry(imported)
        self.assertEqual(entry["action"], recording.ENI_IMPORT)
        self.assertEqual(
            entry["details"]["weak_fingerprints"], sorted([ids[0], ids[2]])
        )

    def test_the_import_form_says_so_too(self):
        data = self.exchange_file()
        session = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "text/html"
        url = f"{self.path(self.other_unidad)}/@@eni-import"

        def submit(**extra):
            page = session.get(url)
            token = re.search(r'name="_authenticator" value="([^"]+)"', page.text)
            return session.post(
                url,
                data={"_authenticator": token.group(1), "form.submitted": "1", **extra},
                files={"eni_file": ("expediente.xml", data, "application/xml")},
            )

        first = submit()
        self.assertEqual(first.status_code, 200)
        self.refresh()
        (first_id,) = self.other_unidad.objectIds()
        numero = self.other_unidad[first_id].numero
        before = self.snapshot(self.portal)
        again = submit()
        self.assertIn(f"imported before, as {numero}", again.text)
        self.assertIn(self.other_unidad[first_id].absolute_url(), again.text)
        self.assertNothingCreated(before)
        submit(import_again="1")
        self.refresh()
        self.assertEqual(len(self.other_unidad.objectIds()), 2)
