"""Zip packages of ENI expedientes, read defensively. Independent of Plone.

An expediente travels between administrations (remisión, Ley 39/2015 art.
70.2; NTI de Expediente electrónico; the state's INSIDE) as a zip: the
``eniexp:expediente`` XML (index and metadata) beside one ``enidoc:documento``
XML per indexed document, whose content is inline (``ValorBinario``,
``DatosXML``) or a separate file of the zip named by
``enifile:referenciaFichero``. Names and folders are the sender's choice, so
files are recognised by their root element and documents matched to the index
by their ``Identificador``, never by name or position. One zip may hold
several expedientes, each with its own documents (the paeria.egov envelope
counts as an expediente with its documents inside).

A zip comes from outside: before anything is decompressed the central
directory is checked (entry count, names that climb out or are absolute,
symlinks, encryption, the declared total), and the total is enforced again
while reading, since declared sizes can lie (a zip bomb). Nested zips, index
entries without their document, documents no index lists and two documents
with one identifier are refused. :func:`read_package` reports every problem
it finds in one :class:`EniImportError`; :mod:`.parse` then reads each
expediente as it reads any other.
"""

from dataclasses import dataclass
from dataclasses import field
from paeria.egov.eni.messages import package as messages
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import SentDocument
from paeria.egov.eni.parse import parse_expediente
from paeria.egov.eni.problems import problem
from paeria.egov.eni.safexml import load_xml
from paeria.egov.eni.schemas import ENVELOPE_ROOT
from paeria.egov.eni.schemas import qname
from urllib.parse import unquote
import io
import posixpath
import re
import stat
import struct
import zipfile
import zlib


#: The local file header and the end of an (empty) central directory.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: Most entries a package may hold: an expediente of a few hundred documents
#: with their separate contents fits; a million empty entries does not.
DEFAULT_MAX_ENTRIES = 2000
#: Entries are decompressed this much at a time, counting what they really
#: yield against the limit.
CHUNK = 1024 * 1024
#: Bits of ZipInfo.flag_bits: encrypted, strongly encrypted.
_ENCRYPTED = 0x1 | 0x40
_DRIVE_RE = re.compile(r"[A-Za-z]:")
_XML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<")
#: How UTF-16 and UTF-32 XML starts (XML 1.0, annex F).
_WIDE_XML_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00", b"\x00\x00")
#: ZipInfo.flag_bits: the name is UTF-8 (else zipfile read it as CP437).
_UTF8_NAME = 0x800
_EXPEDIENTE_ROOTS = (qname("eniexp", "expediente"), qname("paeriaeni", ENVELOPE_ROOT))


#: What zipfile raises on a damaged or crafted zip (found by fuzzing too: an
#: unknown "zip file version", a negative seek, a name that is not the UTF-8
#: it is flagged as): each means the zip, or an entry, cannot be read.
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    ValueError,
    OSError,
    struct.error,
)


def is_package(data) -> bool:
    """Whether ``data`` is a zip (by its first bytes, not a declared type)."""
    return bytes(data[:4]) in ZIP_MAGIC


@dataclass
class PackagedExpediente:
    """One expediente XML of a package and the documents its index lists."""

    name: str
    data: bytes
    documents: list[SentDocument] | None = None  # None: the envelope holds them


@dataclass
class Package:
    expedientes: list[PackagedExpediente]
    #: Entries that are no ENI XML and no document references: not imported.
    ignored: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    name: str
    data: bytes
    root: object = None  # the XML root element, when it is XML
    xml_problem: str | None = None
    referenced: bool = False
    #: Other readings of the name (see :func:`_aliases`).
    aliases: tuple = ()


def _aliases(info: zipfile.ZipInfo) -> tuple:
    """The name as the sender may have written it. A zip that does not flag
    its names as UTF-8 is read as CP437, as the format says; Windows tools
    write the system's code page (CP850, CP1252) and others UTF-8 all the
    same, so "Resolución.pdf" would not match the reference to it."""
    if info.flag_bits & _UTF8_NAME:
        return ()
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return ()
    names = []
    for codec in ("utf-8", "cp1252", "cp850"):
        try:
            names.append(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    return tuple(name for name in dict.fromkeys(names) if name != info.filename)


def _entry(name: str) -> str:
    """The label problems about a package entry begin with."""
    return problem(messages.LABEL_PACKAGE_ENTRY, name=repr(name))


def _name_problem(name: str) -> str | None:
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or _DRIVE_RE.match(name):
        return problem(messages.ABSOLUTE_PATH, entry=_entry(name))
    if ".." in parts:
        return problem(messages.CLIMBING_PATH, entry=_entry(name))
    if any(ord(char) < 32 for char in name):
        return problem(messages.CONTROL_CHARACTERS, entry=_entry(name))
    return None


def _entry_problems(info: zipfile.ZipInfo) -> list[str]:
    problems = []
    name_problem = _name_problem(info.filename)
    if name_problem:
        problems.append(name_problem)
    if stat.S_ISLNK(info.external_attr >> 16):
        problems.append(problem(messages.SYMBOLIC_LINK, entry=_entry(info.filename)))
    if info.flag_bits & _ENCRYPTED:
        problems.append(problem(messages.ENCRYPTED, entry=_entry(info.filename)))
    return problems


def _directory_problems(infos, max_size: int, max_entries: int) -> list[str]:
    """What the central directory alone shows is wrong."""
    problems = []
    if len(infos) > max_entries:
        problems.append(
            problem(messages.TOO_MANY_ENTRIES, count=len(infos), limit=max_entries)
        )
    declared = sum(info.file_size for info in infos)
    if declared > max_size:
        problems.append(
            problem(messages.UNCOMPRESSED_SIZE, size=declared, limit=max_size)
        )
    seen = set()
    for info in infos:
        problems += _entry_problems(info)
        if info.filename in seen:
            problems.append(problem(messages.ENTRY_TWICE, entry=_entry(info.filename)))
        seen.add(info.filename)
    return problems


def _read_entry(archive, info, budget: int) -> bytes:
    """The entry's bytes, raising as soon as they pass ``budget``."""
    chunks, size = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > budget:
                raise _TooLarge
            chunks.append(chunk)
    return b"".join(chunks)


class _TooLarge(Exception):
    pass


def _read_entries(archive, infos, max_size: int) -> list[_Entry]:
    entries, problems, budget = [], [], max_size
    for info in infos:
        if info.is_dir():
            continue
        try:
            data = _read_entry(archive, info, budget)
        except _TooLarge:
            raise EniImportError(
                [problem(messages.UNCOMPRESSED_LIE, limit=max_size)]
            ) from None
        except _UNREADABLE as error:
            entry = _entry(info.filename)
            problems.append(
                problem(messages.ENTRY_UNREADABLE, entry=entry, error=error)
            )
            continue
        budget -= len(data)
        entries.append(_Entry(info.filename, data, aliases=_aliases(info)))
    if problems:
        raise EniImportError(problems)
    return entries


def _open(data: bytes, max_size: int, max_entries: int) -> list[_Entry]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _UNREADABLE as error:
        raise EniImportError([problem(messages.NOT_A_ZIP, error=str(error))]) from None
    with archive:
        infos = archive.infolist()
        problems = _directory_problems(infos, max_size, max_entries)
        if problems:
            raise EniImportError(problems)
        return _read_entries(archive, infos, max_size)


def _load(entry: _Entry, max_size: int, max_depth: int):
    head = entry.data[:1024]
    if not (_XML_START.match(head) or head.startswith(_WIDE_XML_STARTS)):
        return
    try:
        entry.root = load_xml(entry.data, _entry(entry.name), max_size, max_depth)
    except EniImportError as error:
        entry.xml_problem = error.problems[0]


def _document_id(root) -> str:
    meta = root.find(qname("enidocmeta", "metadatos"))
    found = (
        meta.findtext(qname("enidocmeta", "Identificador"))
        if meta is not None
        else None
    )
    return (found or "").strip()


def _indexed_ids(root) -> list[str]:
    return [
        (
            indexed.findtext(qname("eniconexpind", "IdentificadorDocumento")) or ""
        ).strip()
        for indexed in root.iter(qname("eniconexpind", "DocumentoIndizado"))
    ]


class _Resolver:
    """Finds the entry a reference names: beside the document, from the
    zip's root, else the one entry of that base name (exactly, then ignoring
    case); the reference as written, then percent-decoded (a URI)."""

    def __init__(self, entries):
        self.by_name, self.by_base, self.by_folded = {}, {}, {}
        for entry in entries:
            for name in (entry.name, *entry.aliases):
                base = posixpath.basename(name)
                self.by_name.setdefault(name, entry)
                self.by_base.setdefault(base, set()).add(id(entry))
                self.by_folded.setdefault(base.casefold(), set()).add(id(entry))
        self.by_id = {id(entry): entry for entry in entries}

    def find(self, reference: str, beside: str):
        reference = reference.replace("\\", "/")
        if reference.lower().startswith("file:"):
            reference = reference[5:].lstrip("/")
        for form in dict.fromkeys((reference, unquote(reference))):
            found = self._find(form, beside)
            if found is not None:
                return found
        return None

    def _find(self, reference: str, beside: str):
        for name in (
            posixpath.normpath(posixpath.join(posixpath.dirname(beside), reference)),
            posixpath.normpath(reference.lstrip("/")),
        ):
            if name in self.by_name:
                return self.by_name[name]
        base = posixpath.basename(reference)
        for index, key in ((self.by_base, base), (self.by_folded, base.casefold())):
            candidates = index.get(key, ())
            if len(candidates) == 1:
                return self.by_id[next(iter(candidates))]
        return None


def _sent_document(entry, resolver, problems) -> SentDocument:
    """The document with the files its references name, marked as used."""
    sent = SentDocument(entry.data, entry.name)
    for tag in (
        qname("enifile", "referenciaFichero"),
        qname("enids", "ReferenciaFirma"),
    ):
        for element in entry.root.iter(tag):
            reference = (element.text or "").strip()
            target = resolver.find(reference, entry.name) if reference else None
            if target is not None:
                target.referenced = True
                sent.files[reference] = target.data
            elif tag == qname("enifile", "referenciaFichero"):
                problems.append(
                    problem(
                        messages.REFERENCE_MISSING,
                        entry=_entry(entry.name),
                        reference=repr(reference[:200]),
                    )
                )
    return sent


def _documents_by_id(entries, resolver, problems) -> dict[str, SentDocument]:
    documents = {}
    for entry in entries:
        if entry.root is None or entry.root.tag != qname("enidoc", "documento"):
            continue
        entry.referenced = True
        identifier = _document_id(entry.root)
        if not identifier:
            problems.append(
                problem(messages.DOCUMENT_NO_IDENTIFIER, entry=_entry(entry.name))
            )
        elif identifier in documents:
            problems.append(
                problem(
                    messages.DUPLICATE_DOCUMENT,
                    first=repr(documents[identifier].name),
                    second=repr(entry.name),
                    identifier=identifier,
                )
            )
        else:
            documents[identifier] = _sent_document(entry, resolver, problems)
    return documents


def _expedientes(entries, documents, problems) -> list[PackagedExpediente]:
    result, claimed, seen = [], set(), {}
    for entry in entries:
        if entry.root is None or entry.root.tag not in _EXPEDIENTE_ROOTS:
            continue
        entry.referenced = True
        if entry.root.tag != qname("eniexp", "expediente"):
            result.append(PackagedExpediente(entry.name, entry.data))
            continue
        ids = _indexed_ids(entry.root)
        key = entry.root.findtext(f".//{qname('eniexpmeta', 'Identificador')}")
        if key in seen:
            first, second = repr(seen[key]), repr(entry.name)
            problems.append(
                problem(messages.DUPLICATE_EXPEDIENTE, first=first, second=second)
            )
        seen.setdefault(key, entry.name)
        for missing in (i for i in ids if i not in documents):
            problems.append(
                problem(
                    messages.INDEXED_NOT_PACKAGED,
                    entry=_entry(entry.name),
                    identifier=missing[:200],
                )
            )
        claimed.update(ids)
        sent = [documents[i] for i in dict.fromkeys(ids) if i in documents]
        result.append(PackagedExpediente(entry.name, entry.data, sent))
    for identifier, sent in documents.items():
        if identifier not in claimed:
            problems.append(
                problem(
                    messages.PACKAGED_NOT_INDEXED,
                    entry=_entry(sent.name),
                    identifier=identifier,
                )
            )
    if not result:
        problems.append(problem(messages.NO_EXPEDIENTE))
    return result


def _leftovers(entries, problems) -> list[str]:
    """Names of unused entries; a nested zip or broken XML is a problem."""
    ignored = []
    for entry in entries:
        if entry.referenced:
            continue
        if is_package(entry.data) or entry.name.lower().endswith(".zip"):
            problems.append(problem(messages.NESTED_ZIP, entry=_entry(entry.name)))
        elif entry.xml_problem:
            problems.append(entry.xml_problem)
        else:
            ignored.append(entry.name)
    return ignored


def _package_of(entries, max_size: int, max_depth: int) -> Package:
    for entry in entries:
        _load(entry, max_size, max_depth)
    problems = []
    resolver = _Resolver(entries)
    documents = _documents_by_id(entries, resolver, problems)
    expedientes = _expedientes(entries, documents, problems)
    ignored = _leftovers(entries, problems)
    if problems:
        raise EniImportError(list(dict.fromkeys(problems)))
    return Package(expedientes, ignored)


def read_package(
    data: bytes,
    *,
    max_size: int,
    max_depth: int,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> Package:
    """The expedientes of a zip package, each with its documents in index
    order. ``max_size`` limits the entries' total uncompressed size,
    ``max_entries`` their number, ``max_depth`` the nesting of each XML.
    Raises :class:`EniImportError` listing every problem found."""
    return _package_of(_open(data, max_size, max_entries), max_size, max_depth)


def read_parts(
    parts,
    *,
    max_size: int,
    max_depth: int,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> Package:
    """The expedientes of files sent side by side, ``parts`` being
    ``[(file name, bytes)]`` (the parts of a multipart request), read as the
    entries of a zip are. A name only labels its file and lets a
    referenciaFichero find it: it is reduced to its base name, never used as
    a path."""
    total = sum(len(data) for _, data in parts)
    problems = []
    if len(parts) > max_entries:
        problems.append(
            problem(messages.TOO_MANY_FILES, count=len(parts), limit=max_entries)
        )
    if total > max_size:
        problems.append(problem(messages.FILES_TOO_LARGE, limit=max_size))
    if problems:
        raise EniImportError(problems)
    entries = [
        _Entry(posixpath.basename((name or "").replace("\\", "/")) or f"#{n}", data)
        for n, (name, data) in enumerate(parts, 1)
    ]
    return _package_of(entries, max_size, max_depth)


def parse_package(package: Package, **options) -> list[tuple]:
    """(entry name, EniExpediente or None, problems) of each expediente of
    ``package``, read by :func:`~paeria.egov.eni.parse.parse_expediente` with
    ``options``; problems are prefixed with the entry's name when the package
    holds more than one expediente."""
    results = []
    for packaged in package.expedientes:
        several = len(package.expedientes) > 1
        try:
            parsed: EniExpediente | None = parse_expediente(
                packaged.data, documents=packaged.documents, **options
            )
        except EniImportError as error:
            found = [
                problem(messages.IN_FILE, what=packaged.name, problem=p)
                if several
                else p
                for p in error.problems
            ]
            results.append((packaged.name, None, found))
        else:
            results.append((packaged.name, parsed, []))
    return results


def write_package(expediente_id: str, expediente_xml: bytes, documents) -> bytes:
    """A zip package as administrations exchange them: the bare
    ``eniexp:expediente`` at ``<id>/<id>.xml`` and each ``enidoc:documento``
    of ``documents`` ([(identifier, bytes)]) at
    ``<id>/documentos/<identifier>.xml``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{expediente_id}/{expediente_id}.xml", expediente_xml)
        for identifier, data in documents:
            archive.writestr(f"{expediente_id}/documentos/{identifier}.xml", data)
    return buffer.getvalue()
