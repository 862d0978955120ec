"""The corpus of ENI zip packages in ``tests/data/eni/`` and how it is made.

Run ``.venv/bin/python scripts/make_eni_corpus.py`` (or ``-m
paeria.egov.tests.eni_corpus``) to write it again; the output is the same
bytes every time (fixed dates in the documents and the zip entries), and
``test_eni_package`` checks the committed files are what this module makes.

Good packages (:data:`GOOD`) cover the shapes expedientes travel in: the
official shape written by the project's own exporter; "another
administration's" flavour rebuilt by hand with lxml (prefixes ``ns0``… or a
default namespace redeclared on every element, ISO-8859-1 with CRLF and
indentation, the documents in another order than the index, odd file names in
nested folders, contents as separate files named by ``referenciaFichero``);
SHA-1 (as the XML-DSig URI), SHA-256, SHA-384 (hex) and SHA-512, over the
content or over the whole ``enidoc:documento`` file as sent; two expedientes
in one zip; the portal's own exchange envelope zipped; a Windows tool's zip
(names in UTF-8 and CP850 without the UTF-8 flag, references
percent-encoded or in another case, a document in UTF-16). Hostile packages
(:data:`HOSTILE`) are the good one spoilt one way each.
"""

from datetime import datetime
from lxml import etree
from paeria.egov.eni.export import document_to_xml
from paeria.egov.eni.export import expediente_to_xml
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.package import DEFAULT_MAX_ENTRIES
from paeria.egov.eni.schemas import qname
from pathlib import Path
from zoneinfo import ZoneInfo
import base64
import hashlib
import io
import stat
import struct
import zipfile


DATA_DIR = Path(__file__).parent / "data" / "eni"
MADRID = ZoneInfo("Europe/Madrid")
#: The sending body (another municipality's DIR3) and the procedure's SIA
#: code, which the tests' portal has (test_eni_bridge.SIA_CODE).
SENDER = "L01080193"
SIA_CODE = "998877"
#: Date of every zip entry, so the corpus is the same bytes at every run.
ENTRY_DATE = (2025, 5, 6, 10, 0, 0)
#: More than the import allows (eni.package.DEFAULT_MAX_ENTRIES).
BOMB_SIZE = 201 * 1024 * 1024

# The digest of a file as a sender computes it; hashlib names, not the code
# under test.
URI_SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"


def pdf(text: str) -> bytes:
    """A small valid PDF showing ``text``."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return data


def make_documents(series: str, count: int) -> list[EniDocument]:
    return [
        EniDocument(
            identifier=f"ES_{SENDER}_2025_{series}{number:04d}",
            organos=[SENDER],
            capture_date=datetime(2025, 3, number, 9, 15, tzinfo=MADRID),
            origin_administration=number % 2 == 0,
            document_type=("TD14", "TD13", "TD01", "TD07")[(number - 1) % 4],
            format_name="PDF",
            content=pdf(f"{series} {number}"),
            signatures=[EniSignature.csv(f"{series}-CSV-{number}", "Decreto 3/2021")],
        )
        for number in range(1, count + 1)
    ]


def make_expediente(series: str, documents, hash_function="SHA-256", folders=()):
    """The expediente of ``documents``; the index fingerprints their content
    with ``hash_function``; ``folders`` name a CarpetaIndizada per entry."""
    entries = [
        EniIndexEntry.for_document(
            document,
            number,
            datetime(2025, 4, number, 12, 0, tzinfo=MADRID),
            hash_function=hash_function,
            folder=tuple(folders[number - 1 : number]) if folders else (),
        )
        for number, document in enumerate(documents, 1)
    ]
    return EniExpediente(
        identifier=f"ES_{SENDER}_2025_EXP_{series}",
        organos=[SENDER],
        opening_date=datetime(2025, 2, 20, 8, 30, tzinfo=MADRID),
        classification=SIA_CODE,
        index_date=datetime(2025, 5, 5, 13, 0, tzinfo=MADRID),
        state="E03",
        interesados=["12345678Z"],
        index_entries=entries,
        index_signatures=[EniSignature.csv(f"IDX-{series}", "Decreto 3/2021")],
        documents=documents,
    )


# -- another administration's flavour -------------------------------------------


def rebuilt(element, default_namespace: bool):
    """A copy of ``element`` whose namespaces are declared as lxml or a
    default namespace per element chooses, not as the exporter wrote them."""
    tag = element.tag
    nsmap = None
    if default_namespace and tag.startswith("{"):
        nsmap = {None: tag[1:].split("}")[0]}
    copy = etree.Element(tag, dict(element.attrib), nsmap=nsmap)
    copy.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            new = rebuilt(child, default_namespace)
        else:
            new = etree.Comment(child.text)
        new.tail = child.tail
        copy.append(new)
    return copy


def foreign(data: bytes, default_namespace=False) -> bytes:
    """``data`` serialised as another administration would: other prefixes,
    ISO-8859-1, indented, CRLF line ends."""
    root = rebuilt(etree.fromstring(data), default_namespace)
    etree.indent(root)
    text = etree.tostring(root, xml_declaration=True, encoding="ISO-8859-1")
    return text.replace(b"\n", b"\r\n")


def by_reference(data: bytes, reference: str) -> bytes:
    """The document with its ValorBinario replaced by referenciaFichero."""
    root = etree.fromstring(data)
    binary = root.find(f".//{qname('enifile', 'ValorBinario')}")
    reference_el = etree.Element(qname("enifile", "referenciaFichero"))
    reference_el.text = reference
    binary.getparent().replace(binary, reference_el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def set_index(expediente_xml: bytes, digests: dict) -> bytes:
    """The expediente with ValorHuella and FuncionResumen of the documents in
    ``digests`` ({identifier: (FuncionResumen, digest text)}) replaced."""
    root = etree.fromstring(expediente_xml)
    for indexed in root.iter(qname("eniconexpind", "DocumentoIndizado")):
        identifier = indexed.findtext(qname("eniconexpind", "IdentificadorDocumento"))
        if identifier in digests:
            function, value = digests[identifier]
            indexed.find(qname("eniconexpind", "ValorHuella")).text = value
            indexed.find(qname("eniconexpind", "FuncionResumen")).text = function
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def b64_digest(name: str, data: bytes) -> str:
    return base64.b64encode(hashlib.new(name, data).digest()).decode()


# -- zips ---------------------------------------------------------------------------


def zipped(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``entries`` ([(name, bytes)] or ZipInfo pairs), dated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            info = name
            if not isinstance(info, zipfile.ZipInfo):
                info = zipfile.ZipInfo(name, ENTRY_DATE)
                info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def official() -> list:
    """Three documents, as the project's exporter writes them: flat, inline,
    SHA-256 of the content."""
    expediente = make_expediente("OFI", make_documents("OFI", 3))
    entries = [
        ("expediente.xml", expediente_to_xml(expediente, include_documents=False))
    ]
    entries += [
        (f"documentos/{document.identifier}.xml", document_to_xml(document))
        for document in expediente.documents
    ]
    return entries


def foreign_sha1_whole() -> list:
    """Another administration: SHA-1 URI over each whole document file as
    sent (ISO-8859-1, CRLF), contents as separate files in nested folders,
    documents stored in reverse order under names unrelated to them."""
    expediente = make_expediente("FOR", make_documents("FOR", 3))
    entries, digests = [], {}
    for number, document in reversed(list(enumerate(expediente.documents, 1))):
        content_name = f"contenidos/{number:02d} anexo.pdf"
        sent = foreign(by_reference(document_to_xml(document), content_name))
        digests[document.identifier] = (URI_SHA1, b64_digest("sha1", sent))
        entries.append((f"Remision 2025/docs/doc_{4 - number}.XML", sent))
        entries.append((f"Remision 2025/docs/{content_name}", document.content))
    index = set_index(expediente_to_xml(expediente, include_documents=False), digests)
    return [("Remision 2025/INDICE-ENI", foreign(index)), *entries]


def mixed_sha384() -> list:
    """SHA-384 as hex over the content, folders in the index, one content
    inline and one referenced from the zip's root, default namespaces."""
    documents = make_documents("MIX", 2)
    expediente = make_expediente("MIX", documents, "SHA-384", ("Solicitud", "Informes"))
    index = expediente_to_xml(expediente, include_documents=False)
    digests = {
        d.identifier: ("SHA384", hashlib.sha384(d.content).hexdigest())
        for d in documents
    }
    first, second = (document_to_xml(d) for d in documents)
    return [
        ("a/b/c/1.xml", foreign(by_reference(second, "bin/segundo.pdf"), True)),
        ("bin/segundo.pdf", documents[1].content),
        ("a/exp.xml", foreign(set_index(index, digests), True)),
        ("a/b/otro.xml", foreign(first, True)),
    ]


def two_expedientes() -> list:
    """Two expedientes in one zip, SHA-512 of the content, each with its
    documents in its own folder."""
    entries = []
    for series, count in (("UNO", 2), ("DOS", 1)):
        expediente = make_expediente(series, make_documents(series, count), "SHA-512")
        entries.append(
            (
                f"{series}/{series}.xml",
                expediente_to_xml(expediente, include_documents=False),
            )
        )
        entries += [
            (f"{series}/{n}.xml", document_to_xml(d))
            for n, d in enumerate(expediente.documents, 1)
        ]
    return entries


def nested() -> list:
    """An expediente joined to another: the index's last two documents sit in
    an ExpedienteIndizado (its own index date, an Id, no identifier), the
    first in the outer index; SHA-256 of the content."""
    expediente = make_expediente("ANI", make_documents("ANI", 3))
    root = etree.fromstring(expediente_to_xml(expediente, include_documents=False))
    content = root.find(f".//{qname('eniexpind', 'IndiceContenido')}")
    indexed = content.findall(qname("eniconexpind", "DocumentoIndizado"))
    joined = etree.Element(qname("eniconexpind", "ExpedienteIndizado"))
    joined.set("Id", "EXP_ACUMULADO_2025_17")
    date = etree.SubElement(joined, qname("eniconexpind", "FechaIndiceElectronico"))
    date.text = "2025-04-30T09:00:00+02:00"
    indexed[1].addprevious(joined)
    joined.extend(indexed[1:])
    entries = [("expediente.xml", etree.tostring(root, xml_declaration=True))]
    entries += [
        (f"{document.identifier}.xml", document_to_xml(document))
        for document in expediente.documents
    ]
    return entries


def envelope() -> list:
    expediente = make_expediente("ENV", make_documents("ENV", 2))
    return [("intercambio.xml", expediente_to_xml(expediente))]


def with_raw_names(data: bytes, names: dict) -> bytes:
    """``data`` with each ASCII placeholder name replaced by the raw bytes
    of a name, without the UTF-8 flag: as tools that write the system's code
    page (or UTF-8, unflagged) do."""
    for placeholder, raw in names.items():
        encoded = placeholder.encode("ascii")
        assert len(encoded) == len(raw) and data.count(encoded) == 2, placeholder
        data = data.replace(encoded, raw)
    return data


#: Names as a Windows tool or an old zip writes them, unflagged: UTF-8 and
#: CP850 bytes, and the placeholders they are written under.
RAW_NAMES = {
    f"datos/{'P' * (len(raw) - 11)}{n}.pdf": raw
    for n, raw in enumerate(
        (
            "datos/Resolución.pdf".encode(),
            "datos/INFORMACIÓN PÚBLICA.pdf".encode("cp850"),
        ),
        1,
    )
}


def windows() -> list:
    """Contents named in UTF-8 and CP850 without the zip's UTF-8 flag, one
    reference percent-encoded, one in another case; a document in UTF-16."""
    documents = make_documents("WIN", 2)
    expediente = make_expediente("WIN", documents)
    (first_name, second_name) = RAW_NAMES
    first = by_reference(document_to_xml(documents[0]), "Resoluci%C3%B3n.pdf")
    second = by_reference(document_to_xml(documents[1]), "INFORMACIÓN PÚBLICA.PDF")
    second = etree.tostring(
        etree.fromstring(second), xml_declaration=True, encoding="UTF-16"
    )
    return [
        ("EXP.xml", expediente_to_xml(expediente, include_documents=False)),
        ("doc-1.xml", first),
        ("doc-2.xml", second),
        (first_name, documents[0].content),
        (second_name, documents[1].content),
    ]


def _windows_zip():
    return with_raw_names(
        zipped(windows(), zipfile.ZIP_STORED),
        RAW_NAMES,
    )


GOOD = {
    "official-sha256.zip": official,
    "foreign-sha1-whole-referenced.zip": foreign_sha1_whole,
    "foreign-sha384-hex-folders.zip": mixed_sha384,
    "two-expedientes-sha512.zip": two_expedientes,
    "joined-expediente-sha256.zip": nested,
    "envelope.zip": envelope,
}


# -- hostile variants of the official package ------------------------------------------


def _entry_info(name, **attributes):
    info = zipfile.ZipInfo(name, ENTRY_DATE)
    for key, value in attributes.items():
        setattr(info, key, value)
    return info


def with_flag(data: bytes, name: str, flag: int, raw: bytes | None = None) -> bytes:
    """``data`` with general-purpose ``flag`` set on entry ``name`` (whose
    bytes are ``raw`` when they are not its UTF-8) in both headers (zipfile
    resets the flags it writes)."""
    data = bytearray(data)
    encoded = raw if raw is not None else name.encode()
    for signature, flag_at, name_length_at, name_at in (
        (b"PK\x03\x04", 6, 26, 30),
        (b"PK\x01\x02", 8, 28, 46),
    ):
        start = data.find(signature)
        while start != -1:
            (length,) = struct.unpack_from("<H", data, start + name_length_at)
            if data[start + name_at : start + name_at + length] == encoded:
                (flags,) = struct.unpack_from("<H", data, start + flag_at)
                struct.pack_into("<H", data, start + flag_at, flags | flag)
            start = data.find(signature, start + 4)
    return bytes(data)


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with entry ``name``'s uncompressed size in the central
    directory set to ``size`` (a lie)."""
    data = bytearray(data)
    encoded = name.encode()
    start = data.find(b"PK\x01\x02")
    while start != -1:
        (length,) = struct.unpack_from("<H", data, start + 28)
        if data[start + 46 : start + 46 + length] == encoded:
            struct.pack_into("<I", data, start + 24, size)
        start = data.find(b"PK\x01\x02", start + 4)
    return bytes(data)


def _spoilt(change):
    def build():
        return zipped(change(official()))

    return build


def _renamed_document(entries):
    """The second document's Identificador no longer the index's."""
    name, data = entries[2]
    return [*entries[:2], (name, data.replace(b"OFI0002<", b"OFI0009<")), *entries[3:]]


def hostile() -> dict:
    good = official()
    other = make_documents("OTR", 1)[0]
    return {
        "hostile-traversal.zip": _spoilt(lambda e: [*e, ("../../etc/cron.d/x", b"x")]),
        "hostile-absolute.zip": _spoilt(lambda e: [*e, ("/tmp/x.xml", b"<x/>")]),
        "hostile-symlink.zip": _spoilt(
            lambda e: [
                *e,
                (
                    _entry_info(
                        "enlace.pdf",
                        create_system=3,
                        external_attr=(stat.S_IFLNK | 0o777) << 16,
                    ),
                    b"/etc/passwd",
                ),
            ]
        ),
        "hostile-encrypted.zip": lambda: with_flag(zipped(good), good[1][0], 0x1),
        "hostile-too-many-entries.zip": lambda: zipped(
            good + [(f"v/{n}", b"") for n in range(DEFAULT_MAX_ENTRIES)]
        ),
        "hostile-bomb.zip": lambda: zipped([*good, ("relleno.bin", bytes(BOMB_SIZE))]),
        "hostile-lying-size.zip": lambda: with_declared_size(
            zipped([*good, ("relleno.bin", bytes(1024 * 1024))]), "relleno.bin", 100
        ),
        "hostile-nested-zip.zip": _spoilt(
            lambda e: [*e, ("anexos/otro.zip", zipped(e))]
        ),
        "hostile-mismatched-identifier.zip": _spoilt(_renamed_document),
        "hostile-missing-document.zip": _spoilt(lambda e: e[:-1]),
        "hostile-unindexed-document.zip": _spoilt(
            lambda e: [*e, ("documentos/otro.xml", document_to_xml(other))]
        ),
        "hostile-duplicate-document.zip": _spoilt(
            lambda e: [*e, ("copia.xml", e[1][1])]
        ),
        "hostile-missing-content-file.zip": lambda: zipped(
            [(n, d) for n, d in foreign_sha1_whole() if not n.endswith("01 anexo.pdf")]
        ),
        # Stored, not deflated: its bytes do not depend on zlib's version.
        "hostile-truncated.zip": lambda: zipped(good, zipfile.ZIP_STORED)[:-300],
    }


def corpus() -> dict[str, bytes]:
    """Every file of the corpus by name."""
    builders = {name: (lambda b=build: zipped(b())) for name, build in GOOD.items()}
    builders["foreign-windows-names-utf16.zip"] = _windows_zip
    builders.update(hostile())
    return {name: build() for name, build in sorted(builders.items())}


def main():
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, data in corpus().items():
        (DATA_DIR / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
