"""Plain data model of the ENI exchange formats, independent of Plone.

The dataclasses mirror the minimum mandatory metadata and the exchange structure of

* the NTI de Documento electrónico (Resolución de 19 de julio de 2011,
  BOE-A-2011-13169): annex I (metadatos mínimos obligatorios) and annex II (XML
  schema for the exchange of documents, ``documentoEni.xsd``), and
* the NTI de Expediente electrónico (Resolución de 19 de julio de 2011,
  BOE-A-2011-13170): annex I (metadatos mínimos obligatorios) and annex II (XML
  schemas for the exchange of expedientes: index, metadata, signatures).

Besides the dataclasses this module holds the code lists of both NTIs and the
checks (``check_document``, ``check_expediente``) shared by the exporter, which
refuses invalid data, and the importer, which reports every problem it finds.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.eni_ids import validate_eni_expediente_id
from paeria.egov.validators.errors import InvalidIdentifier
import base64
import binascii
import hashlib
import re


#: VersionNTI of a document (NTI Documento electrónico, annex I).
NTI_DOCUMENT_VERSION = (
    "http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e"
)
#: VersionNTI of an expediente (NTI Expediente electrónico, annex I).
NTI_EXPEDIENTE_VERSION = (
    "http://administracionelectronica.gob.es/ENI/XSD/v1.0/expediente-e"
)

#: TipoFirma (NTI Documento electrónico, annex I; ``firmasEni.xsd``).
SIGNATURE_TYPES = {
    "TF01": "CSV",
    "TF02": "XAdES internally detached signature",
    "TF03": "XAdES enveloped signature",
    "TF04": "CAdES detached/explicit signature",
    "TF05": "CAdES attached/implicit signature",
    "TF06": "PAdES",
}

#: EstadoElaboracion (NTI Documento electrónico, annex I).
ELABORATION_STATES = {
    "EE01": "Original",
    "EE02": "Copia electrónica auténtica con cambio de formato",
    "EE03": "Copia electrónica auténtica de documento papel",
    "EE04": "Copia electrónica parcial auténtica",
    "EE99": "Otros",
}
#: States that are copies, for which IdentificadorDocumentoOrigen is mandatory.
COPY_STATES = frozenset({"EE02", "EE03", "EE04"})

#: TipoDocumental (NTI Documento electrónico, annex I).
DOCUMENT_TYPES = {
    "TD01": "Resolución",
    "TD02": "Acuerdo",
    "TD03": "Contrato",
    "TD04": "Convenio",
    "TD05": "Declaración",
    "TD06": "Comunicación",
    "TD07": "Notificación",
    "TD08": "Publicación",
    "TD09": "Acuse de recibo",
    "TD10": "Acta",
    "TD11": "Certificado",
    "TD12": "Diligencia",
    "TD13": "Informe",
    "TD14": "Solicitud",
    "TD15": "Denuncia",
    "TD16": "Alegación",
    "TD17": "Recursos",
    "TD18": "Comunicación ciudadano",
    "TD19": "Factura",
    "TD20": "Otros incautados",
    "TD99": "Otros",
}

#: Estado of an expediente (NTI Expediente electrónico, annex I).
EXPEDIENTE_STATES = {
    "E01": "Abierto",
    "E02": "Cerrado",
    "E03": "Índice para remisión cerrado",
}

#: Hash function written to FuncionResumen by the exporter.
DEFAULT_HASH_FUNCTION = "SHA-256"

#: FuncionResumen spellings accepted on import, by normalised name -> hashlib name.
#: The NTI leaves the spelling free (``xsd:string``): exchanges in the wild use
#: "SHA-256", "SHA256" or the XML-DSig algorithm URI.
_HASH_ALIASES = {
    "SHA256": "sha256",
    "SHA384": "sha384",
    "SHA512": "sha512",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA256": "sha256",
    "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#SHA384": "sha384",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA512": "sha512",
}

#: NombreFormato (NTI de Catálogo de estándares) -> (MIME type, file extension).
FORMATS = {
    "PDF": ("application/pdf", ".pdf"),
    "PDF/A": ("application/pdf", ".pdf"),
    "XML": ("application/xml", ".xml"),
    "HTML": ("text/html", ".html"),
    "TXT": ("text/plain", ".txt"),
    "RTF": ("application/rtf", ".rtf"),
    "ODT": ("application/vnd.oasis.opendocument.text", ".odt"),
    "ODS": ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    "ODP": ("application/vnd.oasis.opendocument.presentation", ".odp"),
    "ODG": ("application/vnd.oasis.opendocument.graphics", ".odg"),
    "DOCX": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "XLSX": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "CSV": ("text/csv", ".csv"),
    "JPEG": ("image/jpeg", ".jpg"),
    "JPG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "TIFF": ("image/tiff", ".tiff"),
    "SVG": ("image/svg+xml", ".svg"),
    "MP3": ("audio/mpeg", ".mp3"),
    "MP4": ("video/mp4", ".mp4"),
    "ZIP": ("application/zip", ".zip"),
}

_HEX_RE = re.compile(r"[0-9A-Fa-f]+\Z")
_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")


class EniError(ValueError):
    """Base of the ENI errors: carries the list of readable problems found."""

    headline = "ENI data refused"

    def __init__(self, problems):
        self.problems = [str(p) for p in problems] or ["unknown problem"]
        count = len(self.problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(
            f"{self.headline} ({count} problem{'s' if count != 1 else ''}):\n{lines}"
        )


class EniExportError(EniError):
    """The data cannot be exported as a valid ENI document or expediente."""

    headline = "ENI export refused"


class EniImportError(EniError):
    """An ENI file was refused; ``problems`` lists every problem found."""

    headline = "ENI import refused"


@dataclass
class EniSignature:
    """One ``enids:firma`` (NTI Documento electrónico, annex I "Firma").

    ``signature_type`` is TipoFirma, TF01..TF06. A TF01 (CSV) signature carries
    ``csv_value`` (ValorCSV) and ``csv_regulation`` (RegulacionGeneracionCSV).
    The certificate-based types TF02..TF06 carry exactly one of ``value`` (the
    decoded bytes of FirmaBase64), ``reference`` (ReferenciaFirma, a reference to
    the file holding the signature) or ``xmldsig`` (an inline ``ds:Signature``
    element, as serialised XML bytes).
    """

    signature_type: str
    csv_value: str | None = None
    csv_regulation: str | None = None
    value: bytes | None = None
    reference: str | None = None
    xmldsig: bytes | None = None

    @classmethod
    def csv(cls, value: str, regulation: str) -> "EniSignature":
        """A TF01 signature by secure verification code (CSV)."""
        return cls("TF01", csv_value=value, csv_regulation=regulation)


@dataclass
class EniDocument:
    """An electronic document: content, minimum metadata and signatures.

    Fields follow annex I of the NTI de Documento electrónico: ``identifier``
    (Identificador), ``organos`` (Organo, DIR3 codes, at least one),
    ``capture_date`` (FechaCaptura, timezone-aware), ``origin_administration``
    (OrigenCiudadanoAdministracion: False = citizen, True = administration),
    ``elaboration_state`` (ValorEstadoElaboracion) with ``origin_document_id``
    (IdentificadorDocumentoOrigen, mandatory for the copies EE02..EE04),
    ``document_type`` (TipoDocumental), ``format_name`` (NombreFormato) and
    ``content`` (the file itself, exchanged as ValorBinario).

    ``filename`` and ``mime_type`` are local conveniences that the ENI exchange
    does not carry: they do not take part in equality, and the importer derives
    them from the identifier and NombreFormato.
    """

    identifier: str
    organos: list[str]
    capture_date: datetime
    origin_administration: bool
    document_type: str
    format_name: str
    content: bytes
    elaboration_state: str = "EE01"
    origin_document_id: str | None = None
    signatures: list[EniSignature] = field(default_factory=list)
    filename: str | None = field(default=None, compare=False)
    mime_type: str | None = field(default=None, compare=False)


@dataclass
class EniIndexEntry:
    """One DocumentoIndizado of the electronic index (NTI Expediente, annex II).

    ``fingerprint`` is ValorHuella as written in the file: the exporter writes
    the base64 digest of the document content; the importer also accepts a hex
    digest. ``hash_function`` is FuncionResumen ("SHA-256" on export;
    "SHA256", "SHA-384", "SHA-512" and the XML-DSig URIs are accepted).
    ``order`` is OrdenDocumentoExpediente (1..n, in index order);
    ``incorporation_date`` is FechaIncorporacionExpediente (optional in the
    schema). ``folder`` is the path of IdentificadorCarpeta values of the
    CarpetaIndizada folders that hold the entry, outermost first.
    """

    document_id: str
    fingerprint: str
    order: int
    hash_function: str = DEFAULT_HASH_FUNCTION
    incorporation_date: datetime | None = None
    folder: tuple[str, ...] = ()

    @classmethod
    def for_document(
        cls,
        document: EniDocument,
        order: int,
        incorporation_date: datetime | None = None,
        hash_function: str = DEFAULT_HASH_FUNCTION,
        folder: tuple[str, ...] = (),
    ) -> "EniIndexEntry":
        """The index entry of ``document``, with its fingerprint computed."""
        return cls(
            document_id=document.identifier,
            fingerprint=fingerprint(document.content, hash_function),
            order=order,
            hash_function=hash_function,
            incorporation_date=incorporation_date,
            folder=tuple(folder),
        )


@dataclass
class EniExpediente:
    """An electronic expediente: metadata, signed index and documents.

    Fields follow annex I of the NTI de Expediente electrónico: ``identifier``
    (Identificador), ``organos`` (Organo), ``opening_date``
    (FechaAperturaExpediente), ``classification`` (Clasificacion: the SIA code of
    the procedure, or ``<Órgano>_PRO_<ID>``), ``state`` (Estado E01..E03) and
    ``interesados`` (Interesado: NIF/NIE/CIF or DIR3 codes). The index
    (Ley 39/2015, art. 70.2; NTI annex II) is ``index_date``
    (FechaIndiceElectronico), ``index_entries`` in order and
    ``index_signatures`` (at least one, e.g. a TF01 CSV). ``documents`` hold the
    documents listed in the index.
    """

    identifier: str
    organos: list[str]
    opening_date: datetime
    classification: str
    index_date: datetime
    state: str = "E01"
    interesados: list[str] = field(default_factory=list)
    index_entries: list[EniIndexEntry] = field(default_factory=list)
    index_signatures: list[EniSignature] = field(default_factory=list)
    documents: list[EniDocument] = field(default_factory=list)


def hashlib_name(hash_function: str) -> str | None:
    """The hashlib name for a FuncionResumen value, or None if unsupported."""
    if not isinstance(hash_function, str):
        return None
    key = hash_function.strip().upper()
    if not key.startswith("HTTP"):
        key = key.replace("-", "").replace("_", "").replace(" ", "")
    return _HASH_ALIASES.get(key)


def fingerprint(content: bytes, hash_function: str = DEFAULT_HASH_FUNCTION) -> str:
    """ValorHuella of ``content``: its base64-encoded digest."""
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(f"Unsupported hash function {hash_function!r}")
    return base64.b64encode(hashlib.new(name, content).digest()).decode("ascii")


def decode_fingerprint(value: str, hash_function: str) -> bytes:
    """The raw digest written in ValorHuella, as base64 or as hex.

    Raises ValueError when the hash function is unsupported or the value is
    neither the base64 nor the hex form of a digest of the right length.
    """
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(
            f"unsupported hash function {hash_function!r} "
            "(supported: SHA-256, SHA-384, SHA-512)"
        )
    size = hashlib.new(name).digest_size
    text = "".join(value.split()) if isinstance(value, str) else ""
    if len(text) == 2 * size and _HEX_RE.match(text):
        return bytes.fromhex(text)
    if _B64_RE.match(text):
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == size:
            return raw
    raise ValueError(
        f"fingerprint {value[:80]!r} is neither the base64 nor the hex form of a "
        f"{hash_function} digest"
    )


def fingerprint_matches(content: bytes, value: str, hash_function: str) -> bool:
    """Whether ValorHuella ``value`` is the digest of ``content``.

    Raises ValueError like :func:`decode_fingerprint`.
    """
    raw = decode_fingerprint(value, hash_function)
    name = hashlib_name(hash_function)
    return hashlib.new(name, content).digest() == raw


def format_info(format_name: str) -> tuple[str | None, str]:
    """(MIME type or None, file extension) for a NombreFormato value."""
    key = (format_name or "").strip().upper()
    mime, extension = FORMATS.get(key, (None, ""))
    return mime, extension


def _invalid(validator, value, label: str) -> list[str]:
    """The English message of a paeria.egov.validators failure, if any."""
    try:
        validator(value)
    except InvalidIdentifier as error:
        return [f"{label}: {error}"]
    return []


def _is_text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _check_aware(value, label: str, problems: list[str], required=True):
    if value is None:
        if required:
            problems.append(f"{label} is missing")
        return
    if not isinstance(value, datetime):
        problems.append(f"{label} must be a datetime, not {type(value).__name__}")
    elif value.tzinfo is None or value.utcoffset() is None:
        problems.append(
            f"{label} must be timezone-aware (xsd:dateTime is written with its offset)"
        )


def check_signature(signature: EniSignature, label: str) -> list[str]:
    """Problems of one signature (NTI Documento electrónico, annex I "Firma")."""
    problems = []
    if not isinstance(signature, EniSignature):
        return [f"{label}: not an EniSignature"]
    kind = signature.signature_type
    if kind not in SIGNATURE_TYPES:
        problems.append(f"{label}: unknown signature type {kind!r} (TF01..TF06)")
        return problems
    has_csv = signature.csv_value is not None or signature.csv_regulation is not None
    certificate = [
        name
        for name in ("value", "reference", "xmldsig")
        if getattr(signature, name) is not None
    ]
    if kind == "TF01":
        if not _is_text(signature.csv_value):
            problems.append(f"{label}: a TF01 (CSV) signature needs its CSV value")
        if not _is_text(signature.csv_regulation):
            problems.append(
                f"{label}: a TF01 (CSV) signature needs the regulation of its CSV "
                "generation"
            )
        if certificate:
            problems.append(
                f"{label}: a TF01 (CSV) signature cannot carry certificate "
                "signature content"
            )
    else:
        if has_csv:
            problems.append(
                f"{label}: a {kind} signature carries a certificate signature, "
                "not a CSV"
            )
        if len(certificate) != 1:
            problems.append(
                f"{label}: a {kind} signature needs exactly one of its base64 value, "
                "a reference or an XML-DSig signature"
            )
        elif signature.value is not None and (
            not isinstance(signature.value, bytes) or not signature.value
        ):
            problems.append(f"{label}: the signature value must be non-empty bytes")
        elif signature.reference is not None and not _is_text(signature.reference):
            problems.append(f"{label}: the signature reference is empty")
        elif signature.xmldsig is not None and not isinstance(signature.xmldsig, bytes):
            problems.append(f"{label}: the XML-DSig signature must be bytes")
    return problems


def _check_identity(noun, item, validate_identifier, strict_identifiers):
    """(label for messages, problems) of an item's identifier and bodies
    (Organo), the metadata documents and expedientes share."""
    problems = []
    ident = item.identifier
    label = f"{noun} {ident}" if _is_text(ident) else noun
    if ident is not None:
        if not _is_text(ident):
            problems.append(f"{label}: the identifier is empty")
        elif strict_identifiers:
            problems.extend(_invalid(validate_identifier, ident, label))
    if item.organos is not None:
        if not item.organos:
            problems.append(f"{label}: at least one body (Organo) is required")
        for organo in item.organos:
            if not _is_text(organo):
                problems.append(f"{label}: a body (Organo) is empty")
            elif strict_identifiers:
                problems.extend(_invalid(validate_dir3, organo, label))
    return label, problems


def check_document(
    document: EniDocument,
    *,
    in_expediente: bool = False,
    strict_identifiers: bool = True,
) -> list[str]:
    """Problems of a document against the NTI de Documento electrónico.

    Fields that are None are taken as already reported (the importer reports
    missing elements itself) and are skipped, except where they are mandatory
    for the exporter, which checks data it built. With ``in_expediente`` the
    document must be signed (NTI Documento electrónico: the signature is
    mandatory for any document that may join an expediente; a CSV counts).
    """
    label, problems = _check_identity(
        "Document", document, validate_eni_document_id, strict_identifiers
    )
    if document.capture_date is not None:
        _check_aware(document.capture_date, f"{label}: the capture date", problems)
    if document.origin_administration is not None and not isinstance(
        document.origin_administration, bool
    ):
        problems.append(f"{label}: the origin (citizen/administration) must be a bool")
    state = document.elaboration_state
    if state is not None:
        if state not in ELABORATION_STATES:
            problems.append(
                f"{label}: unknown elaboration state {state!r} "
                "(EE01, EE02, EE03, EE04, EE99)"
            )
        elif state in COPY_STATES and not _is_text(document.origin_document_id):
            problems.append(
                f"{label}: the origin document identifier is required for a copy "
                f"({state})"
            )
    if document.document_type is not None and (
        document.document_type not in DOCUMENT_TYPES
    ):
        problems.append(
            f"{label}: unknown document type {document.document_type!r} "
            "(TD01..TD20, TD99)"
        )
    if document.format_name is not None and not _is_text(document.format_name):
        problems.append(f"{label}: the format name (NombreFormato) is empty")
    if document.content is not None and not isinstance(document.content, bytes):
        problems.append(f"{label}: the content must be bytes")
    signatures = document.signatures or []
    for number, signature in enumerate(signatures, 1):
        problems.extend(check_signature(signature, f"{label}, signature {number}"))
    if in_expediente and not signatures:
        problems.append(
            f"{label}: has no signature; a document in an expediente must be signed "
            "(a CSV counts)"
        )
    return problems


def check_expediente(
    expediente: EniExpediente,
    *,
    strict_identifiers: bool = True,
    check_documents: bool = True,
) -> list[str]:
    """Problems of an expediente against the NTI de Expediente electrónico.

    Checks its metadata, that the index is signed and not empty, that each
    document appears once in the index, that the orders read 1..n in index
    order, that every indexed document is present and that each fingerprint
    matches its document's content (Ley 39/2015, art. 70.2-70.3). Fields that
    are None are taken as already reported and skipped.
    """
    label, problems = _check_identity(
        "Expediente", expediente, validate_eni_expediente_id, strict_identifiers
    )
    if expediente.opening_date is not None:
        _check_aware(expediente.opening_date, f"{label}: the opening date", problems)
    if expediente.classification is not None and not _is_text(
        expediente.classification
    ):
        problems.append(f"{label}: the classification (SIA code) is empty")
    if expediente.state is not None and expediente.state not in EXPEDIENTE_STATES:
        problems.append(f"{label}: unknown state {expediente.state!r} (E01, E02, E03)")
    for interesado in expediente.interesados or []:
        if not _is_text(interesado):
            problems.append(f"{label}: an interested party (Interesado) is empty")
    if expediente.index_date is not None:
        _check_aware(expediente.index_date, f"{label}: the index date", problems)

    # The index: signed, not empty, each document once, orders 1..n.
    if not expediente.index_signatures:
        problems.append(
            f"{label}: the index has no signature; it must carry at least one "
            "(e.g. a TF01 CSV)"
        )
    for number, signature in enumerate(expediente.index_signatures or [], 1):
        problems.extend(check_signature(signature, f"Index signature {number}"))
    entries = expediente.index_entries or []
    if not entries:
        problems.append(f"{label}: the index lists no document")
    seen = set()
    for entry in entries:
        doc_id = entry.document_id
        if not _is_text(doc_id):
            problems.append(f"{label}: an index entry has an empty document identifier")
            continue
        if doc_id in seen:
            problems.append(f"Document {doc_id} is listed more than once in the index")
        seen.add(doc_id)
        if entry.incorporation_date is not None:
            _check_aware(
                entry.incorporation_date,
                f"Document {doc_id}: the incorporation date",
                problems,
            )
        for folder in entry.folder or ():
            if not _is_text(folder):
                problems.append(f"Document {doc_id}: a folder identifier is empty")
        if entry.fingerprint is not None and entry.hash_function is not None:
            try:
                decode_fingerprint(entry.fingerprint, entry.hash_function)
            except ValueError as error:
                problems.append(f"Document {doc_id}: {error}")
    orders = [entry.order for entry in entries]
    if entries and None not in orders and orders != list(range(1, len(entries) + 1)):
        shown = ", ".join(str(order) for order in orders[:20])
        problems.append(
            f"{label}: the document orders in the index must read 1..{len(entries)} "
            f"in index order, found {shown}{', …' if len(orders) > 20 else ''}"
        )

    if check_documents:
        problems.extend(
            check_index_documents(
                entries,
                expediente.documents or [],
                strict_identifiers=strict_identifiers,
            )
        )
    return problems


def check_index_documents(
    entries: list[EniIndexEntry],
    documents: list[EniDocument],
    *,
    check_each_document: bool = True,
    strict_identifiers: bool = True,
) -> list[str]:
    """Problems between an index and the documents of its expediente.

    Every indexed document must be present, every document indexed and each
    fingerprint must match its document's content (Ley 39/2015, art. 70.2;
    NTI de Expediente electrónico, annex II). With ``check_each_document``
    each document is also checked with :func:`check_document` as part of an
    expediente (so it must be signed). Documents whose content is None are
    skipped for the fingerprint (their problem was reported elsewhere).
    """
    problems = []
    indexed = {entry.document_id for entry in entries if _is_text(entry.document_id)}
    by_id = {}
    for document in documents:
        doc_id = document.identifier
        if doc_id in by_id:
            problems.append(f"Document {doc_id} appears more than once in the file")
        by_id.setdefault(doc_id, document)
        if check_each_document:
            problems.extend(
                check_document(
                    document, in_expediente=True, strict_identifiers=strict_identifiers
                )
            )
        if _is_text(doc_id) and doc_id not in indexed:
            problems.append(f"Document {doc_id} is in the file but not in the index")
    for entry in entries:
        doc_id = entry.document_id
        if not _is_text(doc_id):
            continue
        document = by_id.get(doc_id)
        if document is None:
            problems.append(
                f"Document {doc_id} is listed in the index but missing from the file"
            )
            continue
        if not isinstance(document.content, bytes) or entry.fingerprint is None:
            continue
        try:
            matches = fingerprint_matches(
                document.content, entry.fingerprint, entry.hash_function or ""
            )
        except ValueError:
            continue  # reported by check_expediente
        if not matches:
            problems.append(
                f"Document {doc_id}: fingerprint does not match its content "
                f"({entry.hash_function})"
            )
    return problems
