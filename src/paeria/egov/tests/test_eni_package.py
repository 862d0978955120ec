"""Zip packages of ENI expedientes (issue 18), without Plone: the corpus in
``tests/data/eni/`` read by :mod:`paeria.egov.eni.package`, the good packages
valid against the official XSDs, the hostile ones refused naming the problem."""

from lxml import etree
from paeria.egov.eni import package
from paeria.egov.eni import schemas
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.package import parse_package
from paeria.egov.eni.package import read_package
from paeria.egov.tests import eni_corpus
from paeria.egov.tests.test_eni import needs_xsd
from paeria.egov.tests.test_eni import XSD_DIR
from unittest import mock
import hashlib
import io
import unittest
import zipfile


LIMIT = 200 * 1024 * 1024
ID = f"ES_{eni_corpus.SENDER}_2025_"


def corpus_file(name: str) -> bytes:
    return (eni_corpus.DATA_DIR / name).read_bytes()


def read(data, **limits):
    return read_package(data, **{"max_size": LIMIT, "max_depth": 100, **limits})


def parsed(name):
    """{entry name: EniExpediente} of a good package; fails on any problem."""
    results = parse_package(read(corpus_file(name)), schema_dir=XSD_DIR)
    problems = [problem for _, _, found in results for problem in found]
    assert not problems, problems
    return {entry: eni for entry, eni, _ in results}


#: Each good package: {expediente entry: [(document, FuncionResumen,
#: fingerprint over)]}, written here, not taken from the corpus builder.
GOOD = {
    "official-sha256.zip": {
        "expediente.xml": [(f"{ID}OFI000{n}", "SHA-256", "content") for n in (1, 2, 3)]
    },
    "foreign-sha1-whole-referenced.zip": {
        "Remision 2025/INDICE-ENI": [
            (f"{ID}FOR000{n}", eni_corpus.URI_SHA1, "document_xml") for n in (1, 2, 3)
        ]
    },
    "foreign-sha384-hex-folders.zip": {
        "a/exp.xml": [(f"{ID}MIX000{n}", "SHA384", "content") for n in (1, 2)]
    },
    "two-expedientes-sha512.zip": {
        "UNO/UNO.xml": [(f"{ID}UNO000{n}", "SHA-512", "content") for n in (1, 2)],
        "DOS/DOS.xml": [(f"{ID}DOS0001", "SHA-512", "content")],
    },
    "foreign-windows-names-utf16.zip": {
        "EXP.xml": [(f"{ID}WIN000{n}", "SHA-256", "content") for n in (1, 2)]
    },
    "envelope.zip": {
        "intercambio.xml": [(f"{ID}ENV000{n}", "SHA-256", "content") for n in (1, 2)]
    },
    "joined-expediente-sha256.zip": {
        "expediente.xml": [(f"{ID}ANI000{n}", "SHA-256", "content") for n in (1, 2, 3)]
    },
}

#: Each hostile package and a problem it must be refused with.
HOSTILE = {
    "hostile-traversal.zip": "'../../etc/cron.d/x': paths that climb out (..) are "
    "refused",
    "hostile-absolute.zip": "'/tmp/x.xml': absolute paths are refused",
    "hostile-symlink.zip": "'enlace.pdf': symbolic links are refused",
    "hostile-encrypted.zip": f"'documentos/{ID}OFI0001.xml': encrypted entries are "
    "refused",
    "hostile-too-many-entries.zip": "Package: 2004 entries; at most 2000 are accepted",
    "hostile-bomb.zip": "Package: the entries uncompress to 210774475 bytes, over "
    f"the limit of {LIMIT} bytes",
    "hostile-lying-size.zip": "'relleno.bin' cannot be read: Bad CRC-32",
    "hostile-nested-zip.zip": "'anexos/otro.zip' is a zip inside the package: "
    "nested packages are refused",
    "hostile-mismatched-identifier.zip": f"document {ID}OFI0009 is in no "
    "expediente's index",
    "hostile-missing-document.zip": f"'expediente.xml': document {ID}OFI0003 is in "
    "the index but not in the package",
    "hostile-unindexed-document.zip": f"'documentos/otro.xml': document {ID}OTR0001 "
    "is in no expediente's index",
    "hostile-duplicate-document.zip": f"'copia.xml' are the same document "
    f"{ID}OFI0001: duplicate documents are refused",
    "hostile-missing-content-file.zip": "the content file 'contenidos/01 anexo.pdf' "
    "it references (enifile:referenciaFichero) is not in the package",
    "hostile-truncated.zip": "Package: not a readable zip file",
}


def contents(data: bytes):
    """What a corpus file holds, independent of zlib's version (another zlib
    deflates the same entries to other bytes): each entry's name, flags,
    mode, date, declared size and CRC; the file's own
    digest when it is no readable zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return hashlib.sha256(data).hexdigest()
    with archive:
        return [
            (
                info.filename,
                info.flag_bits,
                info.external_attr,
                info.date_time,
                info.file_size,
                info.CRC,
            )
            for info in archive.infolist()
        ]


class CorpusTests(unittest.TestCase):
    def test_the_committed_corpus_is_what_the_builder_makes(self):
        made = eni_corpus.corpus()
        on_disk = sorted(path.name for path in eni_corpus.DATA_DIR.glob("*.zip"))
        self.assertEqual(sorted(made), on_disk)
        self.assertEqual(sorted(made), sorted([*GOOD, *HOSTILE]))
        for name, data in made.items():
            with self.subTest(name=name):
                self.assertEqual(
                    contents(corpus_file(name)),
                    contents(data),
                    "run scripts/make_eni_corpus.py",
                )

    @needs_xsd
    def test_the_good_packages_are_valid_against_the_official_xsds(self):
        kinds = {
            schemas.qname("eniexp", "expediente"): "expediente",
            schemas.qname("enidoc", "documento"): "documento",
            schemas.qname("paeriaeni", schemas.ENVELOPE_ROOT): "intercambio",
        }
        for name in GOOD:
            with zipfile.ZipFile(io.BytesIO(corpus_file(name))) as archive:
                for entry in archive.namelist():
                    if entry.endswith(".pdf"):
                        continue
                    tree = etree.parse(io.BytesIO(archive.read(entry)))
                    kind = kinds[tree.getroot().tag]
                    with self.subTest(name=name, entry=entry):
                        self.assertEqual(schemas.validate(tree, kind, XSD_DIR), [])


class GoodPackageTests(unittest.TestCase):
    def test_each_shape_and_hash_function(self):
        for name, expected in GOOD.items():
            with self.subTest(name=name):
                expedientes = parsed(name)
                self.assertEqual(sorted(expedientes), sorted(expected))
                for entry, rows in expected.items():
                    eni = expedientes[entry]
                    self.assertEqual(
                        [
                            (e.document_id, e.hash_function, e.fingerprint_basis)
                            for e in eni.index_entries
                        ],
                        rows,
                    )
                    self.assertEqual(
                        [d.identifier for d in eni.documents], [r[0] for r in rows]
                    )

    def test_a_joined_expediente_is_read_as_a_folder_in_index_order(self):
        (eni,) = parsed("joined-expediente-sha256.zip").values()
        self.assertEqual(
            [(e.document_id, e.folder, e.order) for e in eni.index_entries],
            [
                (f"{ID}ANI0001", (), 1),
                (f"{ID}ANI0002", ("EXP_ACUMULADO_2025_17",), 2),
                (f"{ID}ANI0003", ("EXP_ACUMULADO_2025_17",), 3),
            ],
        )

    def test_contents_inline_or_separate_are_the_senders_pdfs(self):
        for name, series in (
            ("official-sha256.zip", "OFI"),
            ("foreign-sha1-whole-referenced.zip", "FOR"),
            ("foreign-sha384-hex-folders.zip", "MIX"),
            ("foreign-windows-names-utf16.zip", "WIN"),
        ):
            with self.subTest(name=name):
                (eni,) = parsed(name).values()
                for number, document in enumerate(eni.documents, 1):
                    self.assertEqual(
                        document.content, eni_corpus.pdf(f"{series} {number}")
                    )

    def test_folders_of_the_index_are_kept(self):
        (eni,) = parsed("foreign-sha384-hex-folders.zip").values()
        self.assertEqual(
            [entry.folder for entry in eni.index_entries],
            [("Solicitud",), ("Informes",)],
        )

    def test_unknown_files_are_ignored_and_named(self):
        entries = [*eni_corpus.official(), ("LEEME.txt", b"remitido por INSIDE")]
        self.assertEqual(read(eni_corpus.zipped(entries)).ignored, ["LEEME.txt"])

    def test_a_whole_document_fingerprint_is_of_the_bytes_as_sent(self):
        """The SHA-1 of each file as sent matches; the same document
        re-serialised (UTF-8, no CRLF) does not."""
        entries = eni_corpus.foreign_sha1_whole()
        changed = [
            (name, data.replace(b"\r\n", b"\n") if name.endswith(".XML") else data)
            for name, data in entries
        ]
        package_ = read(eni_corpus.zipped(changed))
        ((_, eni, problems),) = parse_package(package_)
        self.assertIsNone(eni)
        self.assertIn(
            "does not match its content nor the enidoc:documento as sent",
            "\n".join(problems),
        )


class HostilePackageTests(unittest.TestCase):
    def test_each_is_refused_naming_the_problem(self):
        for name, expected in HOSTILE.items():
            with self.subTest(name=name):
                with self.assertRaises(EniImportError) as raised:
                    read(corpus_file(name))
                self.assertIn(expected, "\n".join(raised.exception.problems))

    def test_the_uncompressed_total_is_enforced_while_reading(self):
        """Should the central directory's check be passed (declared sizes are
        the sender's word), reading stops at the limit all the same."""
        data = eni_corpus.zipped([("a.bin", bytes(5000)), ("b.bin", bytes(5000))])
        with (
            mock.patch.object(package, "_directory_problems", return_value=[]),
            mock.patch.object(package, "CHUNK", 1000),
            self.assertRaises(EniImportError) as raised,
        ):
            read(data, max_size=7000)
        self.assertIn(
            "the entries uncompress to more than the limit of 7000 bytes",
            raised.exception.problems[0],
        )

    def test_a_zip_without_an_expediente(self):
        data = eni_corpus.zipped(eni_corpus.official()[1:2])
        with self.assertRaises(EniImportError) as raised:
            read(data)
        self.assertIn(
            "Package: it holds no eniexp:expediente", raised.exception.problems
        )

    def test_the_same_expediente_twice(self):
        entries = eni_corpus.official()
        data = eni_corpus.zipped([*entries, ("otra/copia.xml", entries[0][1])])
        with self.assertRaises(EniImportError) as raised:
            read(data)
        self.assertIn(
            "Package entries 'expediente.xml' and 'otra/copia.xml' are the same "
            "expediente: duplicate expedientes are refused",
            raised.exception.problems,
        )

    def test_windows_paths_are_refused_too(self):
        for name in ("C:/x.xml", "..\\..\\x.xml", "\\\\server\\x.xml"):
            with self.subTest(name=name):
                data = eni_corpus.zipped([*eni_corpus.official(), (name, b"x")])
                with self.assertRaises(EniImportError):
                    read(data)


class DamagedZipTests(unittest.TestCase):
    """What zipfile raises on a damaged or crafted zip is a refusal, not an
    error of the portal (cases found by fuzzing the corpus)."""

    def test_a_zip_version_from_the_future(self):
        data = bytearray(corpus_file("official-sha256.zip"))
        central = data.find(b"PK\x01\x02")
        data[central + 6] = 194  # "version needed to extract": 19.4
        with self.assertRaises(EniImportError) as raised:
            read(bytes(data))
        self.assertIn("zip file version 19.4", raised.exception.problems[0])

    def test_a_name_flagged_utf8_that_is_not(self):
        cp850 = list(eni_corpus.RAW_NAMES.values())[1]
        data = corpus_file("foreign-windows-names-utf16.zip")
        self.assertEqual(read(data).ignored, [])
        flagged = eni_corpus.with_flag(data, cp850.decode("cp437"), 0x800, cp850)
        with self.assertRaises(EniImportError) as raised:
            read(flagged)
        self.assertIn("Package: not a readable zip file", raised.exception.problems[0])
