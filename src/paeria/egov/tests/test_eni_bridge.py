"""ENI export and import of the portal's Documentos and Expedientes.

Schema checks read the official XSDs like test_eni.py does and are skipped
when they are not found.
"""

from datetime import datetime
from lxml import etree
from paeria.egov import clock
from paeria.egov import csvcodes
from paeria.egov.clock import MADRID
from paeria.egov.eni import bridge
from paeria.egov.eni import importing
from paeria.egov.eni import schemas
from paeria.egov.eni.digests import fingerprint
from paeria.egov.eni.export import expediente_to_xml
from paeria.egov.eni.export import index_fingerprint
from paeria.egov.eni.model import EniExportError
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.schemas import qname
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import last_number
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests.base import travel
from paeria.egov.tests.test_eni import make_expediente
from paeria.egov.tests.test_eni import needs_xsd
from paeria.egov.tests.test_eni import XSD_DIR
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.namedfile.file import NamedBlobFile
from unittest import mock
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
import base64
import hashlib
import types
import unittest


UNIT_DIR3 = "LA0001001"
OTHER_UNIT_DIR3 = "LA0001002"
SIA_CODE = "998877"

# (title, tipo_documental, origen, estado_elaboracion, id_documento_origen)
DOCUMENTS = (
    ("Solicitud de licencia", "TD14", "ciudadano", "EE01", None),
    ("Informe técnico", "TD13", "administracion", "EE01", None),
    (
        "Copia del plano",
        "TD99",
        "ciudadano",
        "EE03",
        "ES_L01251207_2023_PLANO000000000000000000000001",
    ),
)


def foreign_expediente(count: int, **changes):
    """An expediente from another administration (see test_eni), its documents
    being valid PDFs."""
    expediente = make_expediente(count, **changes)
    for number, (document, entry) in enumerate(
        zip(expediente.documents, expediente.index_entries, strict=True), 1
    ):
        document.content = pdf_bytes(100 + number)
        entry.fingerprint = fingerprint(document.content)
    return expediente


def schema_errors(data: bytes, kind: str) -> list[str]:
    return schemas.validate(etree.fromstring(data).getroottree(), kind, XSD_DIR)


def pdf_bytes(number: int) -> bytes:
    """A small valid PDF (the catalog extracts its text), binary bytes included."""
    text = f"BT /F1 12 Tf 20 100 Td (Documento {number}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
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


class EniPortalFixture:
    """Two units, a procedure and an expediente with three documents."""

    def build_portal_content(self, portal):
        self.unidad = api.content.create(
            container=portal["unidades"],
            type="Unidad",
            id="urbanismo",
            title="Urbanismo",
            dir3_code=UNIT_DIR3,
        )
        self.other_unidad = api.content.create(
            container=portal["unidades"],
            type="Unidad",
            id="medio-ambiente",
            title="Medio ambiente",
            dir3_code=OTHER_UNIT_DIR3,
        )
        self.procedimiento = api.content.create(
            container=portal["tramites"],
            type="Procedimiento",
            title="Licencia de obras",
            sia_code=SIA_CODE,
            responsible_unit=api.content.get_uuid(self.unidad),
            max_resolution_amount=3,
            max_resolution_unit="months",
            silence_effect="estimatorio",
            channels=["telematico"],
        )
        # Staff open expedientes of published procedures only.
        api.content.transition(obj=self.procedimiento, transition="publicar")
        self.expediente = self.create_expediente(self.unidad)
        self.documentos = [
            self.create_documento(self.expediente, number, *row)
            for number, row in enumerate(DOCUMENTS, 1)
        ]

    def create_expediente(self, unidad):
        return api.content.create(
            container=unidad,
            type="Expediente",
            title="Obra en la calle Mayor",
            procedimiento=api.content.get_uuid(self.procedimiento),
            interesados=[
                {
                    "identifier_type": "NIF",
                    "identifier": "12345678Z",
                    "name": "Maria Puig",
                    "representative": None,
                    "notification_channel": "electronica",
                    "email": None,
                },
                {
                    "identifier_type": "CIF",
                    "identifier": "B12345674",
                    "name": "Construccions SL",
                    "representative": None,
                    "notification_channel": "electronica",
                    "email": None,
                },
            ],
        )

    def create_documento(
        self, expediente, number, title, tipo, origen, estado, origen_id
    ):
        return api.content.create(
            container=expediente,
            type="Documento",
            title=title,
            file=NamedBlobFile(
                data=pdf_bytes(number),
                filename=f"documento-{number}.pdf",
                contentType="application/pdf",
            ),
            fecha_captura=MADRID.localize(datetime(2024, 3, number, 9, 30, 15)),
            origen=origen,
            estado_elaboracion=estado,
            id_documento_origen=origen_id,
            tipo_documental=tipo,
        )

    def count(self, portal_type):
        catalog = api.portal.get_tool("portal_catalog")
        return len(catalog.unrestrictedSearchResults(portal_type=portal_type))

    def snapshot(self, portal):
        """What a refused import must leave as it was."""
        year = clock.today().year
        return {
            "expedientes": self.count("Expediente"),
            "documentos": self.count("Documento"),
            "last_number": last_number(portal, EXPEDIENTE, year),
            "in_other_unit": len(self.other_unidad.objectIds()),
            "in_expediente": len(self.expediente.objectIds()),
        }


class EniBridgeTestCase(EniPortalFixture, unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026 in Madrid: expedientes are numbered 2026/…
        travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.build_portal_content(self.portal)

    def assertNothingCreated(self, before):
        self.assertEqual(self.snapshot(self.portal), before)

    def assertImportRefused(self, call, *expected):
        with self.assertRaises(EniImportError) as raised:
            call()
        joined = "\n".join(raised.exception.problems)
        for text in expected:
            self.assertIn(text, joined)
        return raised.exception.problems


class DocumentoExportTests(EniBridgeTestCase):
    def test_metadata_of_the_documento(self):
        documento = self.documentos[2]
        eni = bridge.documento_to_eni(documento)
        self.assertEqual(eni.identifier, documento.eni_identifier)
        self.assertRegex(eni.identifier, rf"^ES_{UNIT_DIR3}_2024_[0-9A-F]{{30}}$")
        self.assertEqual(eni.organos, [UNIT_DIR3])
        self.assertEqual(
            eni.capture_date, MADRID.localize(datetime(2024, 3, 3, 9, 30, 15))
        )
        self.assertIs(eni.origin_administration, False)
        self.assertEqual(eni.document_type, "TD99")
        self.assertEqual(eni.elaboration_state, "EE03")
        self.assertEqual(eni.origin_document_id, DOCUMENTS[2][4])
        self.assertEqual(eni.format_name, "PDF")
        self.assertEqual(eni.content, pdf_bytes(3))
        # Not signed yet, and nothing is made up unless asked for.
        self.assertEqual(eni.signatures, [])
        self.assertIsNone(getattr(documento, "eni_csv", None))
        self.assertIs(
            bridge.documento_to_eni(self.documentos[1]).origin_administration, True
        )

    @needs_xsd
    def test_export_validates_and_is_signed_by_its_csv(self):
        documento = self.documentos[0]
        data = bridge.export_documento(documento)
        self.assertEqual(schema_errors(data, "documento"), [])
        root = etree.fromstring(data)
        self.assertEqual(
            root.findtext(f".//{qname('enidocmeta', 'Identificador')}"),
            documento.eni_identifier,
        )
        self.assertEqual(
            root.findtext(f".//{qname('enidocmeta', 'OrigenCiudadanoAdministracion')}"),
            "false",
        )
        self.assertEqual(
            base64.b64decode(root.findtext(f".//{qname('enifile', 'ValorBinario')}")),
            pdf_bytes(1),
        )
        csv = root.findtext(f".//{qname('enids', 'ValorCSV')}")
        self.assertEqual(csv, documento.eni_csv)
        self.assertEqual(len(csv), csvcodes.CSV_LENGTH)
        self.assertTrue(set(csv) <= set(csvcodes.CSV_ALPHABET))
        self.assertEqual(documento.eni_csv_huella, documento.huella)
        self.assertEqual(
            root.findtext(f".//{qname('enids', 'RegulacionGeneracionCSV')}"),
            csvcodes.DEFAULT_CSV_REGULATION,
        )

    def test_csv_is_stable_until_the_file_changes(self):
        documento = self.documentos[0]
        first = bridge.documento_to_eni(documento, csv_if_unsigned=True)
        again = bridge.documento_to_eni(documento, csv_if_unsigned=True)
        self.assertEqual(first.signatures, again.signatures)
        self.assertEqual(first.signatures[0].signature_type, "TF01")
        documento.file = NamedBlobFile(
            data=pdf_bytes(9), filename="v2.pdf", contentType="application/pdf"
        )
        notify(ObjectModifiedEvent(documento))
        changed = bridge.documento_to_eni(documento, csv_if_unsigned=True)
        self.assertNotEqual(
            changed.signatures[0].csv_value, first.signatures[0].csv_value
        )
        self.assertEqual(
            documento.eni_csv_huella, hashlib.sha256(pdf_bytes(9)).hexdigest()
        )

    def test_csvs_are_not_repeated(self):
        self.assertEqual(len({csvcodes.new_csv() for _ in range(500)}), 500)

    def test_own_signatures_are_exported_instead_of_a_csv(self):
        documento = self.documentos[1]
        documento.signatures = [
            {"signature_type": "TF06", "reference": "#pades"},
            EniSignature.csv("OWN-CSV-1", "Decreto 1/2024"),
        ]
        eni = bridge.documento_to_eni(documento, csv_if_unsigned=True)
        self.assertEqual(
            eni.signatures,
            [
                EniSignature("TF06", reference="#pades"),
                EniSignature.csv("OWN-CSV-1", "Decreto 1/2024"),
            ],
        )
        self.assertIsNone(getattr(documento, "eni_csv", None))

    def test_a_document_without_fingerprint_is_refused(self):
        documento = self.documentos[0]
        documento.huella = None
        with self.assertRaises(EniExportError) as raised:
            bridge.export_expediente(self.expediente)
        self.assertIn(
            f"Index entry {documento.eni_identifier}: fingerprint is missing",
            raised.exception.problems,
        )
        self.assertEqual(bridge.index_exports(self.expediente), [])


class ExpedienteExportTests(EniBridgeTestCase):
    def test_metadata_of_the_expediente(self):
        eni = bridge.expediente_to_eni(self.expediente)
        self.assertEqual(eni.identifier, self.expediente.eni_identifier)
        self.assertRegex(eni.identifier, rf"^ES_{UNIT_DIR3}_\d{{4}}_EXP_\d{{6}}$")
        self.assertEqual(eni.organos, [UNIT_DIR3])
        self.assertEqual(eni.classification, SIA_CODE)
        self.assertEqual(eni.state, "E01")
        self.assertEqual(eni.interesados, ["12345678Z", "B12345674"])
        self.assertEqual(eni.opening_date, self.expediente.fecha_apertura)
        self.assertEqual(
            [entry.document_id for entry in eni.index_entries],
            [documento.eni_identifier for documento in self.documentos],
        )
        self.assertEqual([entry.order for entry in eni.index_entries], [1, 2, 3])
        for entry, documento in zip(eni.index_entries, self.documentos, strict=True):
            with self.subTest(document=documento.getId()):
                self.assertEqual(entry.fingerprint, fingerprint(documento.file.data))
                self.assertEqual(entry.hash_function, "SHA-256")
                self.assertEqual(
                    entry.incorporation_date, documento.fecha_incorporacion
                )
        (signature,) = eni.index_signatures
        self.assertEqual(signature.signature_type, "TF01")
        self.assertEqual(len(signature.csv_value), csvcodes.CSV_LENGTH)

    def test_index_follows_orden_not_creation(self):
        # The foliado decides, whatever the catalog's natural order.
        self.documentos[0].orden = 3
        self.documentos[2].orden = 1
        for documento in self.documentos:
            documento.reindexObject(idxs=["orden"])
        eni = bridge.expediente_to_eni(self.expediente)
        self.assertEqual(
            [entry.document_id for entry in eni.index_entries],
            [
                self.documentos[2].eni_identifier,
                self.documentos[1].eni_identifier,
                self.documentos[0].eni_identifier,
            ],
        )

    def test_a_gap_in_the_foliado_is_renumbered_for_the_nti(self):
        api.content.delete(self.documentos[1])
        eni = bridge.expediente_to_eni(self.expediente)
        self.assertEqual([entry.order for entry in eni.index_entries], [1, 2])
        index = bridge.expediente_index(self.expediente)
        self.assertEqual([item["order"] for item in index["documents"]], [1, 3])

    @needs_xsd
    def test_exchange_file_validates(self):
        data = bridge.export_expediente(self.expediente)
        self.assertEqual(schema_errors(data, "intercambio"), [])
        root = etree.fromstring(data)
        self.assertEqual(len(root.findall(qname("enidoc", "documento"))), 3)
        self.assertEqual(
            [
                element.text
                for element in root.iter(
                    qname("eniconexpind", "IdentificadorDocumento")
                )
            ],
            [documento.eni_identifier for documento in self.documentos],
        )

    @needs_xsd
    def test_standard_file_validates(self):
        data = bridge.export_expediente(self.expediente, include_documents=False)
        self.assertEqual(etree.fromstring(data).tag, qname("eniexp", "expediente"))
        self.assertEqual(schema_errors(data, "expediente"), [])
        (record,) = bridge.index_exports(self.expediente)
        self.assertEqual(record["format"], bridge.FORMAT_STANDARD)

    def test_each_export_is_recorded_with_a_new_csv(self):
        first = bridge.export_expediente(self.expediente)
        second = bridge.export_expediente(self.expediente)
        records = bridge.index_exports(self.expediente)
        self.assertEqual(len(records), 2)
        for record, data in zip(records, (first, second), strict=True):
            with self.subTest(csv=record["csv"]):
                root = etree.fromstring(data)
                index_csv = root.find(
                    f".//{qname('eniexpind', 'indice')}/{qname('enids', 'firmas')}"
                ).findtext(f".//{qname('enids', 'ValorCSV')}")
                self.assertEqual(record["csv"], index_csv)
                self.assertEqual(record["index_fingerprint"], index_fingerprint(data))
                self.assertEqual(record["hash_function"], "SHA-256")
                self.assertEqual(record["format"], bridge.FORMAT_EXCHANGE)
                self.assertEqual(record["user"], TEST_USER_ID)
                self.assertEqual(
                    [item["identifier"] for item in record["documents"]],
                    [documento.eni_identifier for documento in self.documentos],
                )
        self.assertNotEqual(records[0]["csv"], records[1]["csv"])
        # Each document's own CSV does not change between exports.
        self.assertEqual(
            etree.fromstring(first)
            .findall(f".//{qname('enidoc', 'documento')}")[0]
            .findtext(f".//{qname('enids', 'ValorCSV')}"),
            self.documentos[0].eni_csv,
        )

    def test_the_recorded_fingerprint_detects_a_changed_index(self):
        data = bridge.export_expediente(self.expediente)
        (record,) = bridge.index_exports(self.expediente)
        forged = data.replace(
            b"<eniconexpind:OrdenDocumentoExpediente>1<",
            b"<eniconexpind:OrdenDocumentoExpediente>9<",
        )
        self.assertNotEqual(forged, data)
        self.assertNotEqual(index_fingerprint(forged), record["index_fingerprint"])

    def test_expediente_index(self):
        index = bridge.expediente_index(self.expediente)
        self.assertEqual(index["identifier"], self.expediente.eni_identifier)
        self.assertEqual(index["numero"], self.expediente.numero)
        self.assertEqual(index["items_total"], 3)
        expected = [
            (
                documento.eni_identifier,
                documento.huella,
                number,
                DOCUMENTS[number - 1][0],
                DOCUMENTS[number - 1][1],
            )
            for number, documento in enumerate(self.documentos, 1)
        ]
        self.assertEqual(
            [
                (
                    item["identifier"],
                    item["fingerprint"],
                    item["order"],
                    item["title"],
                    item["tipo_documental"],
                )
                for item in index["documents"]
            ],
            expected,
        )
        first = index["documents"][0]
        self.assertEqual(first["hash_function"], "SHA-256")
        self.assertEqual(
            first["incorporation_date"],
            self.documentos[0].fecha_incorporacion.isoformat(),
        )
        self.assertEqual(first["@id"], self.documentos[0].absolute_url())


class ImportTests(EniBridgeTestCase):
    def test_round_trip_into_another_unit(self):
        data = bridge.export_expediente(self.expediente)
        # The fixture's expediente took 2026/000001 (setUp's day).
        self.assertEqual(self.expediente.numero, "2026/000001")

        imported = importing.import_eni_expediente(self.other_unidad, data)

        self.assertEqual(imported.aq_parent, self.other_unidad)
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 2)
        self.assertEqual(imported.numero, "2026/000002")
        self.assertEqual(
            imported.eni_identifier, f"ES_{OTHER_UNIT_DIR3}_2026_EXP_000002"
        )
        self.assertEqual(imported.eni_identifier_origen, self.expediente.eni_identifier)
        self.assertEqual(
            imported.procedimiento, api.content.get_uuid(self.procedimiento)
        )
        self.assertEqual(imported.clasificacion, SIA_CODE)
        self.assertEqual(
            [row["identifier"] for row in imported.interesados],
            ["12345678Z", "B12345674"],
        )
        self.assertEqual(
            [row["identifier_type"] for row in imported.interesados], ["NIF", "CIF"]
        )
        self.assertEqual(
            imported.eni_import["opening_date"], self.expediente.fecha_apertura
        )

        copies = bridge.expediente_documents(imported)
        self.assertEqual(len(copies), 3)
        for original, copy in zip(self.documentos, copies, strict=True):
            with self.subTest(document=original.eni_identifier):
                self.assertEqual(copy.eni_identifier, original.eni_identifier)
                self.assertEqual(copy.huella, original.huella)
                self.assertEqual(copy.file.data, original.file.data)
                self.assertEqual(copy.tipo_documental, original.tipo_documental)
                self.assertEqual(copy.origen, original.origen)
                self.assertEqual(copy.estado_elaboracion, original.estado_elaboracion)
                self.assertEqual(copy.id_documento_origen, original.id_documento_origen)
                self.assertEqual(copy.fecha_captura, original.fecha_captura)
                self.assertEqual(copy.organo, original.organo)
                self.assertEqual(copy.orden, original.orden)
                self.assertEqual(copy.nombre_formato, "PDF")
                # The CSV that signed it in the file stays with it.
                self.assertEqual(
                    copy.eni_signatures_origen,
                    [
                        {
                            "signature_type": "TF01",
                            "csv_value": original.eni_csv,
                            "csv_regulation": csvcodes.DEFAULT_CSV_REGULATION,
                            "value": None,
                            "reference": None,
                            "xmldsig": None,
                        }
                    ],
                )
        # The catalog finds both copies of each document by its identifier.
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog(eni_identifier=self.documentos[0].eni_identifier)), 2
        )
        # And the import exports again, with the same document identifiers.
        again = bridge.expediente_to_eni(imported)
        self.assertEqual(
            [entry.document_id for entry in again.index_entries],
            [documento.eni_identifier for documento in self.documentos],
        )
        self.assertEqual(
            [entry.fingerprint for entry in again.index_entries],
            [fingerprint(documento.file.data) for documento in self.documentos],
        )

    def test_standard_file_alone_is_refused_for_lack_of_documents(self):
        data = bridge.export_expediente(self.expediente, include_documents=False)
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(self.other_unidad, data),
            "is listed in the index but missing from the file",
        )
        self.assertNothingCreated(before)

    def test_foreign_classification_needs_a_procedure(self):
        # From another administration: its classification is no SIA code of ours.
        data = expediente_to_xml(foreign_expediente(2))
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(self.other_unidad, data),
            "No procedure has the SIA code 'L01251207_PRO_000017'",
        )
        self.assertNothingCreated(before)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(
                self.other_unidad, data, procedimiento_uid="no-such-uid"
            ),
            "No procedure has the UID 'no-such-uid'",
        )
        self.assertNothingCreated(before)

        imported = importing.import_eni_expediente(
            self.other_unidad,
            data,
            procedimiento_uid=api.content.get_uuid(self.procedimiento),
        )
        self.assertEqual(imported.eni_identifier_origen, "ES_L01251207_2024_EXP_000042")
        self.assertEqual(imported.eni_import["classification"], "L01251207_PRO_000017")
        self.assertEqual(imported.eni_import["state"], "E03")
        self.assertEqual(
            [
                documento.eni_identifier
                for documento in bridge.expediente_documents(imported)
            ],
            ["ES_L01251207_2024_DOC0001", "ES_L01251207_2024_DOC0002"],
        )

    def test_tampered_file_creates_nothing(self):
        data = bridge.export_expediente(self.expediente)
        root = etree.fromstring(data)
        content = root.findall(f".//{qname('enifile', 'ValorBinario')}")[1]
        content.text = base64.b64encode(b"%PDF-1.7\nforged").decode()
        tampered = etree.tostring(root)
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(self.other_unidad, tampered),
            f"Document {self.documentos[1].eni_identifier}: fingerprint does not "
            "match its content",
        )
        self.assertNothingCreated(before)

    def test_hostile_xml_creates_nothing(self):
        lol = "".join(
            f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
        )
        billion_laughs = (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
            f"{lol}]>\n<lolz>&lol9;</lolz>"
        ).encode()
        exported = bridge.export_documento(self.documentos[0]).decode()
        xxe = exported.replace(
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ).replace(f"<enidocmeta:Organo>{UNIT_DIR3}<", "<enidocmeta:Organo>&xxe;<")
        self.assertIn("&xxe;", xxe)
        cases = (
            ("billion laughs", billion_laughs, "billion laughs"),
            (
                "external entity",
                xxe.encode(),
                "external entity: xxe -> file:///etc/passwd",
            ),
        )
        before = self.snapshot(self.portal)
        for name, data, expected in cases:
            with self.subTest(name):
                problems = self.assertImportRefused(
                    lambda data=data: importing.import_eni_expediente(
                        self.other_unidad, data
                    ),
                    "DOCTYPE declarations are not allowed",
                    expected,
                )
                self.assertNotIn("root:", "\n".join(problems))
                self.assertImportRefused(
                    lambda data=data: importing.import_eni_document(
                        self.expediente, data
                    ),
                    "DOCTYPE declarations are not allowed",
                )
                self.assertNothingCreated(before)

    def test_oversized_file_is_refused(self):
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        self.assertEqual(bridge.max_import_size(), 4 * 1024 * 1024)
        data = b"<a>" + b" " * (4 * 1024 * 1024) + b"</a>"
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(self.other_unidad, data),
            f"more than the limit of {4 * 1024 * 1024} bytes",
        )
        self.assertNothingCreated(before)

    def test_document_format_not_accepted(self):
        eni = foreign_expediente(2)
        eni.documents[1].format_name = "EXE"
        data = expediente_to_xml(eni)
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(
                self.other_unidad,
                data,
                procedimiento_uid=api.content.get_uuid(self.procedimiento),
            ),
            "Document ES_L01251207_2024_DOC0002 (EXE): Files of type "
            "application/octet-stream are not accepted.",
        )
        self.assertNothingCreated(before)

    def test_invalid_interested_party(self):
        data = expediente_to_xml(foreign_expediente(1, interesados=["12345678A"]))
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_expediente(
                self.other_unidad,
                data,
                procedimiento_uid=api.content.get_uuid(self.procedimiento),
            ),
            "Interested party '12345678A'",
        )
        self.assertNothingCreated(before)

    def test_problem_after_creation_rolls_everything_back(self):
        """Should the stored bytes differ from those received, all is undone:
        the expediente, the documents already made, the number taken."""
        data = bridge.export_expediente(self.expediente)
        before = self.snapshot(self.portal)
        calls = []

        def sha256(content=b""):
            calls.append(content)
            # The check of the third document sees other bytes than stored.
            return hashlib.sha256(content + b"!" if len(calls) == 3 else content)

        fake_hashlib = types.SimpleNamespace(sha256=sha256)
        with mock.patch.object(importing, "hashlib", fake_hashlib):
            self.assertImportRefused(
                lambda: importing.import_eni_expediente(self.other_unidad, data),
                f"Document {self.documentos[2].eni_identifier}: the fingerprint of "
                "the stored file differs",
            )
        self.assertEqual(len(calls), 3)
        self.assertNothingCreated(before)
        # Nothing is left in the catalog's queue either.
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(
                catalog.unrestrictedSearchResults(
                    path="/".join(self.other_unidad.getPhysicalPath()),
                    portal_type="Documento",
                )
            ),
            0,
        )

    def test_import_one_document(self):
        source = self.documentos[2]
        data = bridge.export_documento(source)
        target = self.create_expediente(self.other_unidad)
        documento = importing.import_eni_document(target, data)
        self.assertEqual(documento.aq_parent, target)
        self.assertEqual(documento.eni_identifier, source.eni_identifier)
        self.assertEqual(documento.huella, source.huella)
        self.assertEqual(documento.fecha_captura, source.fecha_captura)
        self.assertEqual(documento.origen, "ciudadano")
        self.assertEqual(documento.estado_elaboracion, "EE03")
        self.assertEqual(documento.id_documento_origen, DOCUMENTS[2][4])
        self.assertEqual(documento.tipo_documental, "TD99")
        self.assertEqual(documento.orden, 1)
        self.assertEqual(documento.file.contentType, "application/pdf")
        self.assertEqual(documento.file.filename, f"{source.eni_identifier}.pdf")
        self.assertEqual(documento.Title(), f"Otros {source.eni_identifier}")
        catalog = api.portal.get_tool("portal_catalog")
        (brain,) = catalog(
            path="/".join(target.getPhysicalPath()), portal_type="Documento"
        )
        self.assertEqual(brain.eni_identifier, source.eni_identifier)
        self.assertEqual(brain.huella, source.huella)

        # Twice in one expediente would break its index.
        before = self.snapshot(self.portal)
        self.assertImportRefused(
            lambda: importing.import_eni_document(target, data),
            f"Document {source.eni_identifier} is already in this expediente",
        )
        self.assertNothingCreated(before)

    def test_document_import_refuses_an_expediente_file(self):
        data = bridge.export_expediente(self.expediente)
        self.assertImportRefused(
            lambda: importing.import_eni_document(self.expediente, data),
            "wrong root element paeriaeni:intercambioExpediente",
        )

    def test_imports_go_into_the_right_containers(self):
        data = bridge.export_documento(self.documentos[0])
        with self.assertRaises(TypeError):
            importing.import_eni_document(self.unidad, data)
        with self.assertRaises(TypeError):
            importing.import_eni_expediente(self.expediente, data)
