"""Tests of the ENI exchange formats (paeria.egov.eni), without Plone.

The schema tests read the official XSDs from ``$PAERIA_ENI_XSD_DIR`` or from
``../shared/eni/xsd`` beside the checkout, and are skipped when neither exists.
"""

from datetime import datetime
from datetime import timedelta
from datetime import UTC
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from lxml import etree
from paeria.egov.eni import schemas
from paeria.egov.eni.digests import decode_fingerprint
from paeria.egov.eni.digests import fingerprint
from paeria.egov.eni.digests import fingerprint_matches
from paeria.egov.eni.export import document_to_xml
from paeria.egov.eni.export import expediente_to_xml
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniExportError
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.parse import DEFAULT_MAX_SIZE
from paeria.egov.eni.parse import parse_document
from paeria.egov.eni.parse import parse_expediente
from paeria.egov.eni.schemas import qname
from paeria.egov.eni.xsd_values import parse_datetime
from unittest import mock
from zoneinfo import ZoneInfo
import base64
import copy
import hashlib
import logging
import os
import unittest


try:
    XSD_DIR = schemas.find_schema_dir()
except FileNotFoundError as error:  # a wrong PAERIA_ENI_XSD_DIR
    XSD_DIR = None
    XSD_PROBLEM = str(error)
else:
    XSD_PROBLEM = (
        "official ENI XSDs not found: set PAERIA_ENI_XSD_DIR or provide "
        "../shared/eni/xsd beside the checkout"
    )
needs_xsd = unittest.skipIf(XSD_DIR is None, XSD_PROBLEM)

MADRID = ZoneInfo("Europe/Madrid")
BODY = "L01251207"
PASSWD_MARKER = "root:"

XMLDSIG = (
    b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S1">'
    b"<ds:SignedInfo>"
    b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    b'<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    b'<ds:Reference URI="">'
    b'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    b"<ds:DigestValue>AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</ds:DigestValue>"
    b"</ds:Reference>"
    b"</ds:SignedInfo>"
    b"<ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue>"
    b"</ds:Signature>"
)


def make_document(number: int, **changes) -> EniDocument:
    values = {
        "identifier": f"ES_{BODY}_2024_DOC{number:04d}",
        "organos": [BODY],
        "capture_date": datetime(2024, 3, number, 10, 30, 15, 250000, tzinfo=MADRID),
        "origin_administration": number % 2 == 1,
        "document_type": ("TD14", "TD13", "TD01", "TD07")[number % 4],
        "format_name": "PDF",
        "content": b"%PDF-1.7\n" + bytes(range(256)) + f"document {number}".encode(),
        "signatures": [EniSignature.csv(f"CSV-{number:04d}", "Decreto 12/2020")],
        "filename": f"document-{number}.pdf",
        "mime_type": "application/pdf",
    }
    values.update(changes)
    return EniDocument(**values)


def make_expediente(count: int = 3, **changes) -> EniExpediente:
    documents = [make_document(n) for n in range(1, count + 1)]
    entries = [
        EniIndexEntry.for_document(
            document, n, datetime(2024, 3, n, 12, 0, tzinfo=MADRID)
        )
        for n, document in enumerate(documents, 1)
    ]
    values = {
        "identifier": f"ES_{BODY}_2024_EXP_000042",
        "organos": [BODY],
        "opening_date": datetime(2024, 2, 28, 9, 0, tzinfo=MADRID),
        "classification": f"{BODY}_PRO_000017",
        "index_date": datetime(2024, 4, 2, 13, 45, 30, tzinfo=UTC),
        "state": "E03",
        "interesados": ["12345678Z", "B12345674"],
        "index_entries": entries,
        "index_signatures": [
            EniSignature.csv("IDX-CSV-0042", "Decreto 12/2020, art. 5")
        ],
        "documents": documents,
    }
    values.update(changes)
    return EniExpediente(**values)


def c14n(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n", exclusive=True)


def schema_errors(data: bytes, kind: str) -> list[str]:
    return schemas.validate(etree.fromstring(data).getroottree(), kind, XSD_DIR)


class RefusalMixin:
    def assertRefused(self, call, *expected, **kwargs):
        """``call`` raises EniImportError whose problems contain each text."""
        with self.assertRaises(EniImportError) as raised:
            call(**kwargs) if not callable(call) else call()
        joined = "\n".join(raised.exception.problems)
        for text in expected:
            self.assertIn(text, joined)
        return raised.exception.problems


class ModelTests(unittest.TestCase):
    def test_fingerprint_is_base64_sha256_of_content(self):
        content = b"hello"
        expected = base64.b64encode(hashlib.sha256(content).digest()).decode()
        self.assertEqual(fingerprint(content), expected)
        self.assertTrue(fingerprint_matches(content, expected, "SHA-256"))

    def test_fingerprint_accepts_hex_and_hash_spellings(self):
        content = b"hello"
        hexdigest = hashlib.sha256(content).hexdigest()
        for name in (
            "SHA-256",
            "SHA256",
            "sha256",
            "http://www.w3.org/2001/04/xmlenc#sha256",
        ):
            self.assertTrue(fingerprint_matches(content, hexdigest, name), name)
        self.assertTrue(
            fingerprint_matches(content, fingerprint(content, "SHA-512"), "SHA512")
        )
        self.assertFalse(fingerprint_matches(b"other", hexdigest, "SHA-256"))

    def test_fingerprint_refuses_unknown_function_and_bad_values(self):
        with self.assertRaisesRegex(ValueError, "unsupported hash function"):
            decode_fingerprint("abcd", "MD5")
        with self.assertRaisesRegex(ValueError, "neither the base64 nor the hex"):
            decode_fingerprint("not a digest!", "SHA-256")
        with self.assertRaisesRegex(ValueError, "neither the base64 nor the hex"):
            decode_fingerprint(base64.b64encode(b"short").decode(), "SHA-256")

    def test_index_entry_for_document(self):
        document = make_document(1)
        entry = EniIndexEntry.for_document(document, 1, folder=["F1"])
        self.assertEqual(entry.document_id, document.identifier)
        self.assertEqual(entry.hash_function, "SHA-256")
        self.assertEqual(entry.folder, ("F1",))
        self.assertTrue(
            fingerprint_matches(document.content, entry.fingerprint, "SHA-256")
        )

    def test_filename_and_mime_type_do_not_take_part_in_equality(self):
        self.assertEqual(
            make_document(1), make_document(1, filename="x.bin", mime_type=None)
        )

    def test_parse_datetime(self):
        self.assertEqual(
            parse_datetime("2024-03-01T10:30:00+01:00"),
            datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        )
        self.assertEqual(
            parse_datetime("2024-03-01T10:30:00.1234567Z").microsecond, 123456
        )
        self.assertEqual(
            parse_datetime("2024-12-31T24:00:00Z"),
            datetime(2025, 1, 1, tzinfo=UTC),
        )
        naive = parse_datetime("2024-07-01T10:00:00", MADRID)
        self.assertEqual(naive.utcoffset(), timedelta(hours=2))
        for bad in (
            "2024-03-01",
            "2024-02-30T10:00:00Z",
            "2024-03-01T10:00:00+15:00",
            "0000-01-01T00:00:00Z",
        ):
            with self.assertRaises(ValueError, msg=bad):
                parse_datetime(bad, MADRID)
        with self.assertRaisesRegex(ValueError, "no timezone offset"):
            parse_datetime("2024-07-01T10:00:00", None)


@needs_xsd
class SchemaValidationTests(unittest.TestCase):
    def test_document_export_validates(self):
        data = document_to_xml(make_document(1))
        self.assertEqual(schema_errors(data, "documento"), [])
        self.assertEqual(etree.fromstring(data).tag, qname("enidoc", "documento"))

    def test_document_with_certificate_signatures_validates(self):
        document = make_document(
            2,
            elaboration_state="EE02",
            origin_document_id=f"ES_{BODY}_2023_ORIG0001",
            signatures=[
                EniSignature("TF04", value=b"\x30\x82\x01\x00cades"),
                EniSignature("TF06", reference="#pades-in-content"),
                EniSignature("TF02", xmldsig=XMLDSIG),
                EniSignature.csv("CSV-1", "Decreto 12/2020"),
            ],
        )
        self.assertEqual(schema_errors(document_to_xml(document), "documento"), [])

    def test_expediente_export_validates(self):
        data = expediente_to_xml(make_expediente(3))
        self.assertEqual(schema_errors(data, "intercambio"), [])
        root = etree.fromstring(data)
        expediente = root.find(qname("eniexp", "expediente"))
        documents = root.findall(qname("enidoc", "documento"))
        self.assertEqual(len(documents), 3)
        # Each part also validates on its own against the official schemas.
        official = schemas.get_schema("expediente", XSD_DIR)
        self.assertEqual(
            official.errors(etree.ElementTree(copy.deepcopy(expediente))), []
        )
        for element in documents:
            self.assertEqual(
                schemas.get_schema("documento", XSD_DIR).errors(
                    etree.ElementTree(copy.deepcopy(element))
                ),
                [],
            )
        # Index, then metadata; entries in order, then the index signature.
        self.assertEqual(
            [child.tag for child in expediente],
            [qname("eniexpind", "indice"), qname("eniexpmeta", "metadatosExp")],
        )
        indice = expediente[0]
        self.assertEqual(
            [child.tag for child in indice],
            [qname("eniexpind", "IndiceContenido"), qname("enids", "firmas")],
        )
        self.assertEqual(
            indice.findtext(f".//{qname('enids', 'TipoFirma')}"),
            "TF01",
        )
        ids_in_index = [
            e.text for e in indice.iter(qname("eniconexpind", "IdentificadorDocumento"))
        ]
        ids_in_file = [
            d.findtext(f".//{qname('enidocmeta', 'Identificador')}") for d in documents
        ]
        self.assertEqual(ids_in_index, ids_in_file)

    def test_bare_expediente_validates_against_expediente_xsd(self):
        data = expediente_to_xml(make_expediente(3), include_documents=False)
        self.assertEqual(etree.fromstring(data).tag, qname("eniexp", "expediente"))
        self.assertEqual(schema_errors(data, "expediente"), [])

    def test_folders_in_the_index_validate(self):
        expediente = make_expediente(3)
        for entry, folder in zip(
            expediente.index_entries, [("A",), ("A", "B"), ()], strict=True
        ):
            entry.folder = folder
        data = expediente_to_xml(expediente)
        self.assertEqual(schema_errors(data, "intercambio"), [])
        self.assertEqual(
            len(etree.fromstring(data).findall(".//{*}CarpetaIndizada")), 2
        )

    def test_datetimes_carry_an_offset(self):
        data = expediente_to_xml(make_expediente(1))
        root = etree.fromstring(data)
        for tag in (
            "FechaCaptura",
            "FechaIndiceElectronico",
            "FechaAperturaExpediente",
        ):
            value = root.findtext(f".//{{*}}{tag}")
            self.assertRegex(value, r"(Z|[+-]\d\d:\d\d)$", tag)

    def test_schemas_are_compiled_once(self):
        first = schemas.get_schema("intercambio", XSD_DIR)
        self.assertIs(first, schemas.get_schema("intercambio", XSD_DIR))
        self.assertIs(first, schemas.get_schema("intercambio", str(XSD_DIR)))

    def test_schema_dir_from_environment(self):
        with mock.patch.dict(os.environ, {schemas.SCHEMA_DIR_ENV: str(XSD_DIR)}):
            self.assertEqual(schemas.find_schema_dir(), XSD_DIR)
        with mock.patch.dict(os.environ, {schemas.SCHEMA_DIR_ENV: "/nonexistent"}):
            with self.assertRaisesRegex(FileNotFoundError, "lacks documentoEni.xsd"):
                schemas.find_schema_dir()


class ExportRefusalTests(unittest.TestCase):
    def assertExportRefused(self, call, *expected):
        with self.assertRaises(EniExportError) as raised:
            call()
        joined = "\n".join(raised.exception.problems)
        for text in expected:
            self.assertIn(text, joined)

    def test_naive_datetime(self):
        document = make_document(1, capture_date=datetime(2024, 1, 1, 10, 0))
        self.assertExportRefused(
            lambda: document_to_xml(document), "must be timezone-aware"
        )

    def test_bad_codes_are_all_listed(self):
        document = make_document(
            1,
            document_type="TD42",
            elaboration_state="EE03",
            signatures=[EniSignature("TF07")],
            identifier="DOC-1",
        )
        self.assertExportRefused(
            lambda: document_to_xml(document),
            "unknown document type 'TD42'",
            "origin document identifier is required for a copy (EE03)",
            "unknown signature type 'TF07'",
            "identifier has the wrong format: it must read ES_<DIR3 code>",
        )
        # Non-strict identifiers still demand the other rules.
        self.assertExportRefused(
            lambda: document_to_xml(document, strict_identifiers=False),
            "unknown document type 'TD42'",
        )

    def test_bodies_are_checked_as_dir3_codes(self):
        document = make_document(1, organos=["L01251208", ""])
        self.assertExportRefused(
            lambda: document_to_xml(document),
            "INE control digit is wrong: expected 7",
            "a body (Organo) is empty",
        )

    def test_index_needs_a_signature(self):
        expediente = make_expediente(2, index_signatures=[])
        self.assertExportRefused(
            lambda: expediente_to_xml(expediente), "the index has no signature"
        )

    def test_csv_signature_needs_value_and_regulation(self):
        expediente = make_expediente(1, index_signatures=[EniSignature("TF01")])
        self.assertExportRefused(
            lambda: expediente_to_xml(expediente),
            "needs its CSV value",
            "needs the regulation of its CSV generation",
        )

    def test_index_and_documents_must_agree(self):
        expediente = make_expediente(3)
        expediente.index_entries[0].fingerprint = fingerprint(b"something else")
        expediente.index_entries[2].order = 7
        del expediente.documents[1]
        expediente.documents[0].signatures = []
        self.assertExportRefused(
            lambda: expediente_to_xml(expediente),
            "fingerprint does not match its content",
            "listed in the index but missing from the file",
            "must read 1..3 in index order, found 1, 2, 7",
            "has no signature",
        )

    def test_clashing_xml_ids_need_separate_files(self):
        expediente = make_expediente(2)
        for document in expediente.documents:
            document.signatures.append(EniSignature("TF02", xmldsig=XMLDSIG))
        self.assertExportRefused(
            lambda: expediente_to_xml(expediente),
            "Id 'S1' appears more than once",
            "include_documents=False",
        )
        data = expediente_to_xml(expediente, include_documents=False)
        separate = [document_to_xml(d) for d in expediente.documents]
        parsed = parse_expediente(data, documents=separate)
        self.assertEqual(len(parsed.documents), 2)

    def test_bare_export_still_checks_given_documents(self):
        expediente = make_expediente(2)
        expediente.documents[1].content = b"changed"
        self.assertExportRefused(
            lambda: expediente_to_xml(expediente, include_documents=False),
            "fingerprint does not match its content",
        )
        expediente.documents = []
        self.assertTrue(expediente_to_xml(expediente, include_documents=False))

    def test_bad_xmldsig_signature(self):
        document = make_document(1, signatures=[EniSignature("TF03", xmldsig=b"<x/>")])
        self.assertExportRefused(
            lambda: document_to_xml(document), "must be a ds:Signature"
        )


class RoundTripTests(unittest.TestCase):
    def test_document_round_trip(self):
        document = make_document(
            3,
            elaboration_state="EE02",
            origin_document_id=f"ES_{BODY}_2023_ORIG0001",
            capture_date=datetime(2024, 3, 3, 23, 59, 59, 999999, tzinfo=MADRID),
            signatures=[
                EniSignature("TF05", value=b"\x30\x82cades attached"),
                EniSignature("TF06", reference="firma.pdf"),
                EniSignature("TF03", xmldsig=XMLDSIG),
                EniSignature.csv("CSV-3", "Decreto 12/2020\n  art. 5"),
            ],
        )
        parsed = parse_document(document_to_xml(document))
        # The inline XML-DSig signature comes back as the same XML (with the
        # namespace declarations it had in scope), and byte for byte in its
        # own content: the exporter never re-indents it.
        self.assertEqual(c14n(parsed.signatures[2].xmldsig), c14n(XMLDSIG))
        self.assertIn(XMLDSIG.split(b">", 1)[1], parsed.signatures[2].xmldsig)
        parsed.signatures[2].xmldsig = XMLDSIG
        self.assertEqual(parsed, document)
        self.assertEqual(parsed.content, document.content)
        self.assertEqual(parsed.capture_date, document.capture_date)
        self.assertEqual(parsed.capture_date.utcoffset(), timedelta(hours=1))
        self.assertEqual(parsed.mime_type, "application/pdf")
        self.assertEqual(parsed.filename, f"{document.identifier}.pdf")
        # A second round trip gives identical bytes.
        once = parse_document(document_to_xml(document))
        again = parse_document(document_to_xml(once))
        self.assertEqual(again, once)

    def test_expediente_round_trip(self):
        expediente = make_expediente(3)
        parsed = parse_expediente(expediente_to_xml(expediente))
        self.assertEqual(parsed, expediente)
        self.assertEqual(
            [d.content for d in parsed.documents],
            [d.content for d in expediente.documents],
        )
        self.assertEqual(
            [e.fingerprint for e in parsed.index_entries],
            [e.fingerprint for e in expediente.index_entries],
        )
        self.assertEqual(parsed.index_date, expediente.index_date)
        self.assertEqual(parsed.opening_date, expediente.opening_date)

    def test_bare_expediente_with_separate_documents(self):
        expediente = make_expediente(3)
        data = expediente_to_xml(expediente, include_documents=False)
        separate = [document_to_xml(d) for d in reversed(expediente.documents)]
        parsed = parse_expediente(data, documents=separate)
        # Documents come back in index order whatever order they arrive in.
        self.assertEqual(parsed, expediente)

    def test_round_trip_with_folders_and_without_optional_values(self):
        expediente = make_expediente(4, interesados=[], state="E01")
        folders = [("A",), ("A", "B"), ("A",), ()]
        for entry, folder in zip(expediente.index_entries, folders, strict=True):
            entry.folder = folder
        expediente.index_entries[1].incorporation_date = None
        self.assertEqual(parse_expediente(expediente_to_xml(expediente)), expediente)

    def test_content_bigger_than_libxml2_text_limit(self):
        big = os.urandom(8_000_000)  # 10.7 MB of base64, beyond 10 MB
        document = make_document(1, content=big)
        data = document_to_xml(document)
        self.assertGreater(len(data), 10_000_000)
        self.assertEqual(parse_document(data, validate_schema=False).content, big)

    def test_partner_spellings_are_accepted(self):
        """Hex fingerprints, "SHA256", no order, naive dates (taken in Madrid)."""
        expediente = make_expediente(2)
        root = etree.fromstring(expediente_to_xml(expediente))
        for entry in root.iter(qname("eniconexpind", "DocumentoIndizado")):
            ident = entry.findtext(qname("eniconexpind", "IdentificadorDocumento"))
            document = next(d for d in expediente.documents if d.identifier == ident)
            entry.find(qname("eniconexpind", "ValorHuella")).text = hashlib.sha256(
                document.content
            ).hexdigest()
            entry.find(qname("eniconexpind", "FuncionResumen")).text = "SHA256"
            entry.remove(entry.find(qname("eniconexpind", "OrdenDocumentoExpediente")))
        opening = root.find(f".//{qname('eniexpmeta', 'FechaAperturaExpediente')}")
        opening.text = "2024-02-28T09:00:00"
        parsed = parse_expediente(etree.tostring(root))
        self.assertEqual([e.order for e in parsed.index_entries], [1, 2])
        self.assertEqual(parsed.opening_date, expediente.opening_date)
        self.assertEqual(parsed.documents, expediente.documents)


class ImportRefusalTests(RefusalMixin, unittest.TestCase):
    def setUp(self):
        self.expediente = make_expediente(3)
        self.data = expediente_to_xml(self.expediente)

    @needs_xsd
    def test_schema_invalid_xml(self):
        data = document_to_xml(make_document(1)).replace(
            b"<enidocmeta:TipoDocumental>TD13<",
            b"<enidocmeta:TipoDocumental>TD77<",
        )
        problems = self.assertRefused(
            lambda: parse_document(data),
            "Schema validation (documentoEni.xsd)",
            "TD77",
        )
        # Both the schema and the NTI check report it.
        self.assertTrue(any("unknown document type 'TD77'" in p for p in problems))

    @needs_xsd
    def test_schema_invalid_expediente_lists_every_error(self):
        root = etree.fromstring(self.data)
        for element in root.iter(qname("enidocmeta", "FechaCaptura")):
            element.text = "yesterday"
        problems = self.assertRefused(
            lambda: parse_expediente(etree.tostring(root)),
            "Schema validation (ENI exchange envelope)",
            "FechaCaptura",
        )
        schema_problems = [p for p in problems if p.startswith("Schema validation")]
        self.assertEqual(len(schema_problems), 3)

    def test_missing_elements_are_reported_without_schema(self):
        root = etree.fromstring(self.data)
        for element in list(root.iter(qname("enidocmeta", "TipoDocumental"))):
            element.getparent().remove(element)
        self.assertRefused(
            lambda: parse_expediente(etree.tostring(root), validate_schema=False),
            f"Document ES_{BODY}_2024_DOC0001: enidocmeta:TipoDocumental is missing",
            f"Document ES_{BODY}_2024_DOC0003: enidocmeta:TipoDocumental is missing",
        )

    def test_wrong_fingerprint(self):
        wrong = fingerprint(b"tampered")
        data = self.data.replace(
            self.expediente.index_entries[1].fingerprint.encode(), wrong.encode()
        )
        self.assertRefused(
            lambda: parse_expediente(data),
            f"Document ES_{BODY}_2024_DOC0002: fingerprint does not match its content",
        )

    def test_tampered_content(self):
        root = etree.fromstring(self.data)
        value = root.find(f".//{qname('enifile', 'ValorBinario')}")
        value.text = base64.b64encode(b"forged content").decode()
        self.assertRefused(
            lambda: parse_expediente(etree.tostring(root)),
            f"Document ES_{BODY}_2024_DOC0001: fingerprint does not match its content",
        )

    def test_missing_document_listed_in_the_index(self):
        root = etree.fromstring(self.data)
        root.remove(root.findall(qname("enidoc", "documento"))[2])
        self.assertRefused(
            lambda: parse_expediente(etree.tostring(root)),
            f"Document ES_{BODY}_2024_DOC0003 is listed in the index but missing "
            "from the file",
        )

    def test_missing_separate_document(self):
        data = expediente_to_xml(self.expediente, include_documents=False)
        separate = [document_to_xml(d) for d in self.expediente.documents[:2]]
        self.assertRefused(
            lambda: parse_expediente(data, documents=separate),
            f"Document ES_{BODY}_2024_DOC0003 is listed in the index but missing",
        )

    def test_every_problem_is_listed(self):
        root = etree.fromstring(self.data)
        root.remove(root.findall(qname("enidoc", "documento"))[2])
        extra = copy.deepcopy(root.findall(qname("enidoc", "documento"))[0])
        extra.find(
            f".//{qname('enidocmeta', 'Identificador')}"
        ).text = f"ES_{BODY}_2024_EXTRA"
        root.append(extra)
        orders = list(root.iter(qname("eniconexpind", "OrdenDocumentoExpediente")))
        orders[1].text = "5"
        hashes = list(root.iter(qname("eniconexpind", "ValorHuella")))
        hashes[0].text = fingerprint(b"x")
        problems = self.assertRefused(
            lambda: parse_expediente(etree.tostring(root)),
            "DOC0003 is listed in the index but missing from the file",
            "EXTRA is in the file but not in the index",
            "must read 1..3 in index order, found 1, 5, 3",
            "DOC0001: fingerprint does not match its content",
        )
        self.assertGreaterEqual(len(problems), 4)

    def test_index_without_signature_is_refused(self):
        root = etree.fromstring(self.data)
        firmas = root.find(
            f".//{qname('eniexpind', 'indice')}/{qname('enids', 'firmas')}"
        )
        firmas.getparent().remove(firmas)
        self.assertRefused(
            lambda: parse_expediente(etree.tostring(root), validate_schema=False),
            "Index: enids:firmas is missing",
            "the index has no signature",
        )

    def test_unsigned_document_in_expediente_is_refused(self):
        root = etree.fromstring(self.data)
        document = root.findall(qname("enidoc", "documento"))[1]
        document.remove(document.find(qname("enids", "firmas")))
        self.assertRefused(
            lambda: parse_expediente(etree.tostring(root)),
            f"Document ES_{BODY}_2024_DOC0002: has no signature",
        )

    def test_doctype_billion_laughs(self):
        lol = "".join(
            f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
        )
        data = (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
            f"{lol}]>\n<lolz>&lol9;</lolz>"
        ).encode()
        self.assertRefused(
            lambda: parse_document(data),
            "DOCTYPE declarations are not allowed",
            "billion laughs",
        )
        self.assertRefused(
            lambda: parse_expediente(data), "DOCTYPE declarations are not allowed"
        )

    def test_doctype_refused_after_parsing_too(self):
        """Defence in depth: without the pre-scan the tree check still refuses."""
        data = (
            b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<d>&b;&b;</d>"
        )
        with mock.patch("paeria.egov.eni.safexml._doctype_problem", return_value=None):
            self.assertRefused(
                lambda: parse_document(data), "DOCTYPE declarations are not allowed"
            )

    def test_xxe_external_entity(self):
        document = document_to_xml(make_document(1)).decode()
        data = document.replace(
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ).replace("<enidocmeta:Organo>L01251207<", "<enidocmeta:Organo>&xxe;<")
        for payload in (data.encode(), data.encode("utf-16")):
            problems = self.assertRefused(
                lambda payload=payload: parse_document(payload),
                "DOCTYPE declarations are not allowed",
                "external entity: xxe -> file:///etc/passwd",
            )
            self.assertNotIn(PASSWD_MARKER, "\n".join(problems))

    def test_deep_nesting(self):
        depth = 5000
        data = b"<a>" * depth + b"</a>" * depth
        self.assertRefused(
            lambda: parse_document(data), "XML nesting is deeper than 100 levels"
        )
        # Inside an otherwise valid document, and with a custom limit.
        document = document_to_xml(make_document(1))
        nested = document.replace(
            b"<enifile:NombreFormato>",
            b"<x>" * 40 + b"</x>" * 40 + b"<enifile:NombreFormato>",
        )
        self.assertRefused(
            lambda: parse_document(nested, max_depth=30), "deeper than 30 levels"
        )

    def test_oversized_input(self):
        self.assertEqual(DEFAULT_MAX_SIZE, 200 * 1024 * 1024)
        data = document_to_xml(make_document(1))
        self.assertRefused(
            lambda: parse_document(data, max_size=1000),
            f"the input is {len(data)} bytes, more than the limit of 1000 bytes",
        )
        self.assertRefused(
            lambda: parse_expediente(self.data, max_size=1000),
            "more than the limit of 1000 bytes",
        )

    def test_garbage_bytes(self):
        garbage = bytes(range(256)) * 4
        self.assertRefused(lambda: parse_document(garbage), "not well-formed XML")
        self.assertRefused(lambda: parse_expediente(garbage), "not well-formed XML")

    def test_not_xml(self):
        for data in (b'{"expediente": 1}', b"%PDF-1.7\n%\xe2\xe3", b"hello <world"):
            self.assertRefused(
                lambda data=data: parse_document(data), "not well-formed"
            )
        self.assertRefused(lambda: parse_document(b"  \n"), "the input is empty")
        self.assertRefused(lambda: parse_document(b""), "the input is empty")
        self.assertRefused(lambda: parse_document(self.data[:500]), "not well-formed")

    def test_wrong_root_element(self):
        self.assertRefused(
            lambda: parse_document(self.data),
            "wrong root element paeriaeni:intercambioExpediente; expected "
            "enidoc:documento",
        )
        self.assertRefused(
            lambda: parse_expediente(document_to_xml(make_document(1))),
            "wrong root element enidoc:documento",
        )
        self.assertRefused(
            lambda: parse_expediente(b"<expediente/>"),
            "wrong root element expediente",
        )
        bare = expediente_to_xml(self.expediente, include_documents=False)
        self.assertRefused(
            lambda: parse_expediente(bare, documents=[bare]),
            "Separate document file #1: wrong root element eniexp:expediente",
        )

    def test_not_bytes(self):
        with self.assertRaises(TypeError):
            parse_document(self.data.decode())

    def test_without_schemas_the_checks_still_apply(self):
        data = self.data.replace(
            self.expediente.index_entries[0].fingerprint.encode(),
            fingerprint(b"x").encode(),
        )
        with (
            mock.patch.object(schemas, "find_schema_dir", return_value=None),
            mock.patch("paeria.egov.eni.parse._warned_without_schema", set()),
        ):
            with self.assertLogs("paeria.egov.eni.parse", logging.WARNING):
                self.assertRefused(
                    lambda: parse_expediente(data),
                    "fingerprint does not match its content",
                )
            self.assertEqual(parse_expediente(self.data), self.expediente)

    def test_strict_identifiers_can_be_relaxed(self):
        expediente = make_expediente(1)
        odd = "3f2a9c1e-0d7b-4d62-a3c5-9b8e7f6d5c4b-legacy-uuid"
        expediente.documents[0].identifier = odd
        expediente.index_entries[0].document_id = odd
        data = expediente_to_xml(expediente, strict_identifiers=False)
        self.assertRefused(
            lambda: parse_expediente(data),
            f"Document {odd}: The ENI document identifier has",
        )
        self.assertEqual(parse_expediente(data, strict_identifiers=False), expediente)


def _valid_samples():
    expediente = make_expediente(2)
    for document in expediente.documents:
        document.content = document.content[:40]
    expediente.index_entries = [
        EniIndexEntry.for_document(d, n) for n, d in enumerate(expediente.documents, 1)
    ]
    return (
        expediente_to_xml(expediente),
        document_to_xml(expediente.documents[0]),
        expediente_to_xml(expediente, include_documents=False),
    )


SAMPLES = _valid_samples()
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
XML_TEXT = st.one_of(
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe"
        ),
        max_size=40,
    ),
    st.sampled_from(
        [
            "",
            " ",
            "TF01",
            "TF03",
            "EE02",
            "TD99",
            "E04",
            "SHA-256",
            "MD5",
            "0",
            "-1",
            "99999999999",
            "true",
            "maybe",
            "2024-02-30T10:00:00Z",
            "2024-01-01T00:00:00",
            "9999-12-31T24:00:00Z",
            "AAAA",
            "@@@",
            "ES_L01251207_2024_DOC0001",
        ]
    ),
)


@st.composite
def byte_mutations(draw, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        operation = draw(st.sampled_from(["set", "delete", "insert", "truncate"]))
        if operation == "set":
            data[position] = draw(st.integers(0, 255))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        elif operation == "insert":
            data[position:position] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=16),
                    st.sampled_from(
                        [b"<x>", b"</x>", b"&amp;", b"&x;", b"<!DOCTYPE a>", b"]]>"]
                    ),
                )
            )
        else:
            del data[position:]
    return bytes(data)


@st.composite
def tree_mutations(draw, base: bytes) -> bytes:
    """Well-formed variants: texts replaced, elements removed or duplicated."""
    root = etree.fromstring(base)
    for _ in range(draw(st.integers(1, 4))):
        elements = [e for e in root.iter() if e is not root]
        if not elements:
            break
        element = elements[draw(st.integers(0, len(elements) - 1))]
        operation = draw(st.sampled_from(["text", "remove", "duplicate", "children"]))
        parent = element.getparent()
        if operation == "text":
            element.text = draw(XML_TEXT)
        elif operation == "remove" and parent is not None:
            parent.remove(element)
        elif operation == "duplicate" and parent is not None:
            parent.insert(parent.index(element), copy.deepcopy(element))
        else:
            for child in list(element):
                element.remove(child)
            element.text = draw(XML_TEXT)
    return etree.tostring(root)


class PropertyTests(unittest.TestCase):
    """Parsing any input either succeeds or raises EniImportError."""

    def check(self, data: bytes, **kwargs):
        for parse in (parse_document, parse_expediente):
            try:
                result = parse(data, **kwargs)
            except EniImportError as error:
                self.assertTrue(error.problems)
                self.assertTrue(all(isinstance(p, str) and p for p in error.problems))
            else:
                self.assertIsInstance(result, (EniDocument, EniExpediente))

    @PROPERTY_SETTINGS
    @given(st.binary(max_size=2048))
    def test_arbitrary_bytes(self, data):
        self.check(data)

    @PROPERTY_SETTINGS
    @given(st.sampled_from(SAMPLES).flatmap(byte_mutations))
    def test_mutated_bytes_of_valid_files(self, data):
        self.check(data)
        self.check(data, validate_schema=False)

    @PROPERTY_SETTINGS
    @given(st.sampled_from(SAMPLES).flatmap(tree_mutations))
    def test_mutated_trees_of_valid_files(self, data):
        self.check(data)
        self.check(data, validate_schema=False, strict_identifiers=False)

    @PROPERTY_SETTINGS
    @given(
        st.lists(
            st.one_of(
                st.sampled_from(SAMPLES[1:2]).flatmap(tree_mutations), st.binary()
            ),
            max_size=3,
        )
    )
    def test_mutated_separate_documents(self, documents):
        try:
            parse_expediente(SAMPLES[2], documents=documents, validate_schema=False)
        except EniImportError as error:
            self.assertTrue(error.problems)
