"""Import of ENI documents and expedientes (v1.0), refusing unsafe or bad files.

:func:`parse_document` reads an ``enidoc:documento`` (NTI de Documento
electrónico, BOE-A-2011-13169, annex II) and :func:`parse_expediente` an
expediente (NTI de Expediente electrónico, BOE-A-2011-13170, annex II), either
as the paeria.egov envelope written by
:func:`~paeria.egov.eni.export.expediente_to_xml` or as a bare
``eniexp:expediente`` whose documents are given separately, as the NTI sends
them.

Files come from outside, so the XML is read defensively: a size limit, no
DOCTYPE at all (which refuses billion-laughs entity expansion and external
entities such as ``file:///etc/passwd`` before anything is expanded or
fetched), no network, no DTD, no entity resolution and a nesting depth limit.
The file is then validated against the official XSDs when they are available
(see :mod:`paeria.egov.eni.schemas`) and checked against the NTIs: each
fingerprint in the index must match its document's content, the documents and
the index must list the same identifiers, the orders must read 1..n, etc.
Every problem found is collected and :class:`EniImportError` lists them all.
"""

from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import tzinfo
from datetime import UTC
from lxml import etree
from paeria.egov.eni.model import check_document
from paeria.egov.eni.model import check_expediente
from paeria.egov.eni.model import check_index_documents
from paeria.egov.eni.model import COPY_STATES
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.model import format_info
from paeria.egov.eni.model import NTI_DOCUMENT_VERSION
from paeria.egov.eni.model import NTI_EXPEDIENTE_VERSION
from paeria.egov.eni.schemas import ENVELOPE_ROOT
from paeria.egov.eni.schemas import NS
from paeria.egov.eni.schemas import qname
from paeria.egov.eni.schemas import validate
import base64
import binascii
import io
import logging
import re
import zoneinfo


__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_SIZE",
    "EniImportError",
    "parse_document",
    "parse_expediente",
]

logger = logging.getLogger(__name__)

#: Default size limit of one input: 200 MiB.
DEFAULT_MAX_SIZE = 200 * 1024 * 1024
#: Default limit of element nesting. ENI files need about 20 levels (a XAdES
#: signature inside a document inside the envelope); XML content (DatosXML)
#: and folders in the index add a few more.
DEFAULT_MAX_DEPTH = 100
#: Inputs up to this size are parsed with libxml2's default limits
#: (``huge_tree=False``); one text node of such an input cannot reach libxml2's
#: 10 MB text-node limit. Bigger inputs (documents with bigger content) are
#: parsed with ``huge_tree=True``: the size limit, the depth limit, the refusal
#: of any DOCTYPE and the absence of entity resolution still apply.
HUGE_TREE_THRESHOLD = 10_000_000

_DEFAULT_LOCAL_ZONE = "Europe/Madrid"

# Anything that may precede a DOCTYPE: BOM, XML declaration, comments, PIs.
_PROLOG_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_EXTERNAL_ENTITY_RE = re.compile(
    rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(?:SYSTEM|PUBLIC)\s+(?:\"[^\"]*\"\s+|'[^']*'\s+)?"
    rb"(\"[^\"]*\"|'[^']*')"
)
_ENTITY_RE = re.compile(rb"<!ENTITY\s")
_DATETIME_RE = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
_B64_CHARS_RE = re.compile(r"[A-Za-z0-9+/=]*\Z")
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
_warned_without_schema: set[str] = set()


def _prefixed(tag) -> str:
    """A readable name for a tag: ``prefix:local`` for the ENI namespaces."""
    if not isinstance(tag, str):
        return repr(tag)
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _PREFIXES.get(uri)
        return f"{prefix}:{local}" if prefix else f"{{{uri}}}{local}"
    return tag


# -- reading XML safely ---------------------------------------------------------


_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _ascii_head(data: bytes) -> bytes:
    """The start of ``data`` as UTF-8, for UTF-16/32 inputs (XML 1.0, annex F)."""
    for mark, codec in _WIDE_ENCODINGS:
        if data.startswith(mark):
            text = data[:1_000_000].decode(codec, "ignore").lstrip("\ufeff")
            return text.encode("utf-8")
    return data


def _doctype_problem(data: bytes) -> str | None:
    """Refuse a DOCTYPE in the prolog before libxml2 reads any declaration.

    Only the prolog is looked at (a DOCTYPE can be nowhere else); the parsed
    tree is checked again after parsing in any case.
    """
    head = _ascii_head(data)
    match = _PROLOG_RE.match(head)
    if not head[match.end() : match.end() + 9].startswith(b"<!DOCTYPE"):
        return None
    return _describe_doctype(head[match.end() :])


def _describe_doctype(text: bytes) -> str:
    message = (
        "DOCTYPE declarations are not allowed in ENI files: DTDs and entity "
        "declarations are refused, and no entity is expanded or fetched"
    )
    subset = text[:65536]
    external = _EXTERNAL_ENTITY_RE.findall(subset)
    if external:
        shown = ", ".join(
            f"{name.decode('utf-8', 'replace')} -> "
            f"{uri.decode('utf-8', 'replace')[1:-1]}"
            for name, uri in external[:5]
        )
        return f"{message} (it declares an external entity: {shown})"
    count = len(_ENTITY_RE.findall(subset))
    if count:
        return (
            f"{message} (it declares {count} entit{'y' if count == 1 else 'ies'}, "
            "as in entity-expansion attacks such as billion laughs)"
        )
    return message


def _load(data, what: str, max_size: int, max_depth: int):
    """Parse ``data`` safely; returns the root element or raises."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"{what}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data or data.isspace():
        raise EniImportError([f"{what}: the input is empty"])
    if len(data) > max_size:
        raise EniImportError(
            [
                f"{what}: the input is {len(data)} bytes, more than the limit of "
                f"{max_size} bytes"
            ]
        )
    problem = _doctype_problem(data)
    if problem:
        raise EniImportError([f"{what}: {problem}"])

    depth = 0
    root = None
    try:
        events = etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=len(data) > HUGE_TREE_THRESHOLD,
            remove_comments=True,
            remove_pis=True,
        )
        for event, element in events:
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise EniImportError([_depth_problem(what, max_depth)])
            else:
                depth -= 1
                root = element
    except etree.XMLSyntaxError as error:
        message = str(error)
        if "depth" in message.lower():
            raise EniImportError([_depth_problem(what, max_depth)])
        detail = getattr(error, "msg", None) or message
        raise EniImportError([f"{what}: not well-formed XML: {detail}"])
    except etree.LxmlError as error:
        raise EniImportError([f"{what}: the XML cannot be read: {error}"])
    if root is None:
        raise EniImportError([f"{what}: no XML element found"])
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise EniImportError([f"{what}: {_describe_doctype(b'')}"])
    return root


def _depth_problem(what: str, max_depth: int) -> str:
    return (
        f"{what}: XML nesting is deeper than {max_depth} levels; such files are refused"
    )


# -- values ---------------------------------------------------------------------


def _default_zone():
    """Europe/Madrid, or None without a tz database (naive dates are refused)."""
    try:
        return zoneinfo.ZoneInfo(_DEFAULT_LOCAL_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_datetime(text: str, local_timezone: tzinfo | None = None) -> datetime:
    """An aware datetime from an xsd:dateTime.

    Values without an offset (allowed by xsd:dateTime) are taken in
    ``local_timezone``; raises ValueError when that is None or the value is
    not a valid xsd:dateTime in the years 1..9999.
    """
    match = _DATETIME_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text[:60]!r} is not an xsd:dateTime")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    if len(year) > 4 or year.startswith("-"):
        raise ValueError(f"{text[:60]!r}: year out of range")
    extra = timedelta(0)
    if hour == "24":
        if minute != "00" or second != "00" or micro:
            raise ValueError(f"{text[:60]!r} is not an xsd:dateTime")
        hour, extra = "00", timedelta(days=1)
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
        value += extra
        if offset == "Z":
            value = value.replace(tzinfo=UTC)
        elif offset:
            sign = -1 if offset[0] == "-" else 1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            if hours > 14 or minutes > 59 or (hours == 14 and minutes):
                raise ValueError(f"{text[:60]!r}: timezone offset out of range")
            delta = sign * timedelta(hours=hours, minutes=minutes)
            value = value.replace(tzinfo=timezone(delta))
        elif local_timezone is not None:
            value = value.replace(tzinfo=local_timezone)
        else:
            raise ValueError(f"{text[:60]!r} has no timezone offset")
    except OverflowError:
        raise ValueError(f"{text[:60]!r}: date out of range")
    return value


def _parse_boolean(text: str) -> bool:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(f"{text[:40]!r} is not an xsd:boolean")


def _parse_base64(text: str) -> bytes:
    compact = "".join(text.split())
    if not _B64_CHARS_RE.match(compact):
        raise ValueError("not base64 (unexpected characters)")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not base64 ({error})")


class _Reader:
    """Collects problems while reading ENI elements."""

    def __init__(self, local_timezone):
        self.problems: list[str] = []
        self.local_timezone = local_timezone

    def add(self, problem: str):
        self.problems.append(problem)

    def find(self, parent, prefix, local, where, required=True):
        if parent is None:
            return None
        element = parent.find(qname(prefix, local))
        if element is None and required:
            self.add(f"{where}: {prefix}:{local} is missing")
        return element

    def text(self, parent, prefix, local, where, required=True, strip=True):
        element = self.find(parent, prefix, local, where, required)
        if element is None:
            return None
        value = "".join(element.itertext())
        if strip:
            value = value.strip()
        if required and not value.strip():
            self.add(f"{where}: {prefix}:{local} is empty")
        return value

    def texts(self, parent, prefix, local):
        if parent is None:
            return None
        return [
            "".join(element.itertext()).strip()
            for element in parent.findall(qname(prefix, local))
        ]

    def datetime(self, parent, prefix, local, where, required=True):
        value = self.text(parent, prefix, local, where, required)
        if not value:
            return None
        try:
            return parse_datetime(value, self.local_timezone)
        except ValueError as error:
            self.add(f"{where}: {prefix}:{local}: {error}")
            return None

    def version(self, parent, prefix, where, expected):
        value = self.text(parent, prefix, "VersionNTI", where)
        if value and value != expected:
            self.add(f"{where}: VersionNTI is {value[:100]!r}, expected {expected!r}")

    # -- signatures ------------------------------------------------------------

    def signatures(self, firmas, where) -> list[EniSignature]:
        result = []
        if firmas is None:
            return result
        for number, firma in enumerate(firmas.findall(qname("enids", "firma")), 1):
            label = f"{where}, signature {number}"
            kind = self.text(firma, "enids", "TipoFirma", label)
            content = self.find(firma, "enids", "ContenidoFirma", label)
            signature = EniSignature(kind or "")
            if content is None:
                continue
            csv = self.find(content, "enids", "CSV", label, required=False)
            certificate = self.find(
                content, "enids", "FirmaConCertificado", label, required=False
            )
            if csv is not None:
                signature.csv_value = self.text(csv, "enids", "ValorCSV", label)
                signature.csv_regulation = self.text(
                    csv, "enids", "RegulacionGeneracionCSV", label, strip=False
                )
            elif certificate is not None:
                self._certificate(certificate, signature, label)
            else:
                self.add(f"{label}: enids:ContenidoFirma holds no CSV nor certificate")
                continue
            if kind:
                result.append(signature)
        return result

    def _certificate(self, certificate, signature, label):
        b64 = certificate.find(qname("enids", "FirmaBase64"))
        ref = certificate.find(qname("enids", "ReferenciaFirma"))
        xmldsig = certificate.find(qname("ds", "Signature"))
        if b64 is not None:
            try:
                signature.value = _parse_base64("".join(b64.itertext()))
            except ValueError as error:
                self.add(f"{label}: enids:FirmaBase64 is {error}")
        elif ref is not None:
            signature.reference = "".join(ref.itertext()).strip()
        elif xmldsig is not None:
            signature.xmldsig = etree.tostring(xmldsig, with_tail=False)
        else:
            self.add(f"{label}: enids:FirmaConCertificado holds no signature")

    # -- documents -------------------------------------------------------------

    def document(self, root, where, strict_identifiers, in_expediente):
        """An EniDocument from an ``enidoc:documento`` element.

        Values that cannot be read are reported and left as None, so that the
        document can still be checked against the index.
        """
        metadatos = self.find(root, "enidocmeta", "metadatos", where)
        identifier, where, organos = self.identity(
            metadatos, "enidocmeta", "Document", where, NTI_DOCUMENT_VERSION
        )
        capture = self.datetime(metadatos, "enidocmeta", "FechaCaptura", where)
        origin_text = self.text(
            metadatos, "enidocmeta", "OrigenCiudadanoAdministracion", where
        )
        origin = None
        if origin_text:
            try:
                origin = _parse_boolean(origin_text)
            except ValueError as error:
                self.add(f"{where}: enidocmeta:OrigenCiudadanoAdministracion: {error}")
        estado = self.find(metadatos, "enidocmeta", "EstadoElaboracion", where)
        state = self.text(estado, "enidocmeta", "ValorEstadoElaboracion", where)
        origin_id = self.text(
            estado,
            "enidocmeta",
            "IdentificadorDocumentoOrigen",
            where,
            required=False,
        )
        if state not in COPY_STATES and origin_id == "":
            origin_id = None
        document_type = self.text(metadatos, "enidocmeta", "TipoDocumental", where)

        contenido = self.find(root, "enifile", "contenido", where)
        content = self._content(contenido, where)
        format_name = self.text(contenido, "enifile", "NombreFormato", where)

        firmas = root.find(qname("enids", "firmas"))
        signatures = self.signatures(firmas, where)

        document = EniDocument(
            identifier=identifier or None,
            organos=organos,
            capture_date=capture,
            origin_administration=origin,
            document_type=document_type or None,
            format_name=format_name or None,
            content=content,
            elaboration_state=state or None,
            origin_document_id=origin_id,
            signatures=signatures,
        )
        self.problems.extend(
            check_document(
                document,
                in_expediente=in_expediente and firmas is None,
                strict_identifiers=strict_identifiers,
            )
        )
        if identifier and format_name:
            mime_type, extension = format_info(format_name)
            document.mime_type = mime_type
            document.filename = f"{identifier}{extension}"
        return document

    def _content(self, contenido, where) -> bytes | None:
        """The content: ValorBinario, or the XML of DatosXML (serialised)."""
        if contenido is None:
            return None
        binary = contenido.find(qname("enifile", "ValorBinario"))
        if binary is not None:
            try:
                return _parse_base64("".join(binary.itertext()))
            except ValueError as error:
                self.add(f"{where}: enifile:ValorBinario is {error}")
                return None
        xml_data = contenido.find(qname("enifile", "DatosXML"))
        if xml_data is not None:
            children = list(xml_data)
            if not children:
                return (xml_data.text or "").encode("utf-8")
            return b"".join(etree.tostring(child) for child in children)
        if contenido.find(qname("enifile", "referenciaFichero")) is not None:
            self.add(
                f"{where}: the content is a file reference "
                "(enifile:referenciaFichero), which this exchange cannot resolve"
            )
            return None
        self.add(f"{where}: enifile:contenido holds no content")
        return None

    # -- expediente ------------------------------------------------------------

    def index(self, indice, where):
        """(index date, entries, signatures) from ``eniexpind:indice``."""
        content = self.find(indice, "eniexpind", "IndiceContenido", where)
        date = self.datetime(content, "eniconexpind", "FechaIndiceElectronico", "Index")
        entries = []
        if content is not None:
            self._index_items(content, (), entries)
        signatures = self.signatures(
            self.find(indice, "enids", "firmas", "Index"), "Index"
        )
        return date, entries, signatures

    def _index_items(self, parent, folder, entries):
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if child.tag == qname("eniconexpind", "DocumentoIndizado"):
                entries.append(self._index_entry(child, folder, len(entries) + 1))
            elif child.tag == qname("eniconexpind", "CarpetaIndizada"):
                name = self.text(
                    child, "eniconexpind", "IdentificadorCarpeta", "Index folder"
                )
                self._index_items(child, (*folder, name or ""), entries)
            elif child.tag == qname("eniconexpind", "ExpedienteIndizado"):
                self.add(
                    "Index: nested expedientes (eniconexpind:ExpedienteIndizado) are "
                    "not supported"
                )

    def _index_entry(self, element, folder, position) -> EniIndexEntry:
        where = f"Index entry {position}"
        document_id = self.text(
            element, "eniconexpind", "IdentificadorDocumento", where
        )
        if document_id:
            where = f"Document {document_id} in the index"
        order_text = self.text(
            element, "eniconexpind", "OrdenDocumentoExpediente", where, required=False
        )
        order = position
        if order_text:
            if order_text.isascii() and order_text.isdigit() and len(order_text) < 10:
                order = int(order_text)
            else:
                self.add(f"{where}: the order {order_text[:40]!r} is not a number")
                order = None
        return EniIndexEntry(
            document_id=document_id or "",
            fingerprint=self.text(element, "eniconexpind", "ValorHuella", where),
            order=order,
            hash_function=self.text(element, "eniconexpind", "FuncionResumen", where),
            incorporation_date=self.datetime(
                element,
                "eniconexpind",
                "FechaIncorporacionExpediente",
                where,
                required=False,
            ),
            folder=folder,
        )

    def identity(self, meta, prefix, noun, where, version):
        """(identifier, where to report problems, organos) of a metadata block,
        reporting a wrong NTI version or missing Organo."""
        identifier = self.text(meta, prefix, "Identificador", where)
        if identifier:
            where = f"{noun} {identifier}"
        self.version(meta, prefix, where, version)
        organos = self.texts(meta, prefix, "Organo")
        if meta is not None and not organos:
            self.add(f"{where}: {prefix}:Organo is missing")
            organos = None
        return identifier, where, organos

    def metadata(self, meta):
        identifier, where, organos = self.identity(
            meta, "eniexpmeta", "Expediente", "Expediente", NTI_EXPEDIENTE_VERSION
        )
        return {
            "identifier": identifier or None,
            "organos": organos,
            "opening_date": self.datetime(
                meta, "eniexpmeta", "FechaAperturaExpediente", where
            ),
            "classification": self.text(meta, "eniexpmeta", "Clasificacion", where)
            or None,
            "state": self.text(meta, "eniexpmeta", "Estado", where) or None,
            "interesados": self.texts(meta, "eniexpmeta", "Interesado") or [],
        }


def _wrong_root(what: str, root, expected: str) -> EniImportError:
    return EniImportError(
        [f"{what}: wrong root element {_prefixed(root.tag)}; expected {expected}"]
    )


def _schema_problems(root, kind, schema_dir, validate_schema) -> list[str]:
    if not validate_schema:
        return []
    problems = validate(root.getroottree(), kind, schema_dir)
    if problems is None:
        if kind not in _warned_without_schema:
            _warned_without_schema.add(kind)
            logger.warning(
                "ENI XSDs not found (set PAERIA_ENI_XSD_DIR): %s files are checked "
                "without schema validation",
                kind,
            )
        return []
    return problems


def _finish(problems: list[str]):
    if problems:
        raise EniImportError(list(dict.fromkeys(problems)))


def parse_document(
    data: bytes,
    *,
    schema_dir=None,
    validate_schema: bool = True,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
    strict_identifiers: bool = True,
    local_timezone: tzinfo | None = None,
) -> EniDocument:
    """The EniDocument in an ``enidoc:documento`` exchange file.

    ``schema_dir`` names the directory of the official XSDs (default: see
    :func:`paeria.egov.eni.schemas.find_schema_dir`; without XSDs only the
    checks of this module apply). ``max_size`` limits the input in bytes and
    ``max_depth`` the nesting of elements. With ``strict_identifiers`` the
    identifier and bodies must follow the NTI form (``ES_<DIR3>_<year>_<ID>``).
    Dates without an offset are taken in ``local_timezone`` (default
    Europe/Madrid). Raises :class:`EniImportError` listing every problem found.
    """
    what = "Document file"
    root = _load(data, what, max_size, max_depth)
    if root.tag != qname("enidoc", "documento"):
        raise _wrong_root(what, root, "enidoc:documento")
    reader = _Reader(local_timezone or _default_zone())
    problems = _schema_problems(root, "documento", schema_dir, validate_schema)
    document = reader.document(root, "Document", strict_identifiers, False)
    _finish(problems + reader.problems)
    return document


def parse_expediente(
    data: bytes,
    *,
    documents=None,
    schema_dir=None,
    validate_schema: bool = True,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
    strict_identifiers: bool = True,
    local_timezone: tzinfo | None = None,
) -> EniExpediente:
    """The EniExpediente in an exchange file.

    ``data`` is either the paeria.egov envelope (``eniexp:expediente`` followed
    by its ``enidoc:documento`` elements) or a bare ``eniexp:expediente``, whose
    documents are then given as ``documents``, one ``enidoc:documento`` file
    (bytes) each, as the NTI sends them. ``max_size`` applies to each input and
    to their total. The other arguments are those of :func:`parse_document`.

    Besides the schemas, checks that every document listed in the index is
    present and no other, that each fingerprint matches its document's content,
    that the orders read 1..n in index order, that the index and every
    document are signed. Documents are returned in index order. Raises
    :class:`EniImportError` listing every problem found.
    """
    what = "Expediente file"
    root = _load(data, what, max_size, max_depth)
    reader = _Reader(local_timezone or _default_zone())
    problems = []
    document_elements = []
    if root.tag == qname("paeriaeni", ENVELOPE_ROOT):
        if documents is not None:
            raise TypeError(
                "documents are given separately only with a bare eniexp:expediente"
            )
        problems += _schema_problems(root, "intercambio", schema_dir, validate_schema)
        children = [child for child in root if isinstance(child.tag, str)]
        expediente_el = root.find(qname("eniexp", "expediente"))
        if expediente_el is None:
            problems.append(f"{what}: eniexp:expediente is missing")
        for child in children:
            if child.tag == qname("enidoc", "documento"):
                document_elements.append(
                    (child, f"Document #{len(document_elements) + 1}")
                )
            elif child is not expediente_el:
                problems.append(f"{what}: unexpected element {_prefixed(child.tag)}")
    elif root.tag == qname("eniexp", "expediente"):
        expediente_el = root
        problems += _schema_problems(root, "expediente", schema_dir, validate_schema)
        total = len(data)
        for number, item in enumerate(documents or [], 1):
            label = f"Separate document file #{number}"
            if isinstance(item, bytes | bytearray | memoryview):
                total += len(item)
            if total > max_size:
                raise EniImportError(
                    [f"The files total more than the limit of {max_size} bytes"]
                )
            try:
                element = _load(item, label, max_size, max_depth)
            except EniImportError as error:
                problems.extend(error.problems)
                continue
            if element.tag != qname("enidoc", "documento"):
                problems.extend(
                    _wrong_root(label, element, "enidoc:documento").problems
                )
                continue
            problems += [
                f"{label}: {p}"
                for p in _schema_problems(
                    element, "documento", schema_dir, validate_schema
                )
            ]
            document_elements.append((element, label))
    else:
        raise _wrong_root(
            what, root, "eniexp:expediente or the paeria.egov exchange envelope"
        )

    indice = reader.find(expediente_el, "eniexpind", "indice", "Expediente")
    index_date, entries, index_signatures = reader.index(indice, "Expediente")
    metadata = reader.metadata(
        reader.find(expediente_el, "eniexpmeta", "metadatosExp", "Expediente")
    )
    parsed = [
        reader.document(element, label, strict_identifiers, True)
        for element, label in document_elements
    ]
    order = {entry.document_id: n for n, entry in enumerate(entries)}
    parsed.sort(key=lambda d: order.get(d.identifier, len(order)))

    expediente = EniExpediente(
        index_date=index_date,
        index_entries=entries,
        index_signatures=index_signatures,
        documents=parsed,
        **metadata,
    )
    problems += reader.problems
    problems += check_expediente(
        expediente, strict_identifiers=strict_identifiers, check_documents=False
    )
    # Each document was checked while read; now the index against them.
    problems += check_index_documents(entries, parsed, check_each_document=False)
    _finish(problems)
    return expediente
