"""ENI exchanges with other administrations (issue 18): NombreFormato kept,
the fingerprints of other administrations' indexes, the same expediente
imported twice."""

from lxml import etree
from paeria.egov.eni import bridge
from paeria.egov.eni.schemas import qname
from paeria.egov.tests.test_eni_bridge import EniBridgeTestCase
from paeria.egov.tests.test_eni_bridge import pdf_bytes
from plone import api
from plone.namedfile.file import NamedBlobFile
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent


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
        imported = bridge.import_eni_expediente(self.other_unidad, data)
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
        documento = bridge.import_eni_document(target, data)
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
