"""The checks of ENI data against the NTIs, shared by export and import.

The exporter refuses invalid data with them; the importer reports every
problem they find. Each check returns a list of readable problems (English),
empty when all is well. Independent of Plone.
"""

from datetime import datetime
from paeria.egov.eni.codes import COPY_STATES
from paeria.egov.eni.codes import DOCUMENT_TYPES
from paeria.egov.eni.codes import ELABORATION_STATES
from paeria.egov.eni.codes import EXPEDIENTE_STATES
from paeria.egov.eni.codes import SIGNATURE_TYPES
from paeria.egov.eni.digests import decode_fingerprint
from paeria.egov.eni.digests import fingerprint_matches
from paeria.egov.eni.digests import OVER_CONTENT
from paeria.egov.eni.digests import OVER_DOCUMENT_XML
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.eni_ids import validate_eni_expediente_id
from paeria.egov.validators.errors import InvalidIdentifier


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
        problems.extend(_csv_signature_problems(signature, label, certificate))
    else:
        problems.extend(
            _certificate_signature_problems(
                signature, label, kind, has_csv, certificate
            )
        )
    return problems


def _csv_signature_problems(signature, label, certificate):
    """Problems of a TF01 (CSV) signature."""
    problems = []
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
    return problems


def _certificate_signature_problems(signature, label, kind, has_csv, certificate):
    """Problems of a certificate signature (TF02..TF06)."""
    problems = []
    if has_csv:
        problems.append(
            f"{label}: a {kind} signature carries a certificate signature, not a CSV"
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


def _check_elaboration_state(document, label):
    """Problems of a document's elaboration state (a copy names its origin)."""
    state = document.elaboration_state
    if state is None:
        return []
    if state not in ELABORATION_STATES:
        return [
            f"{label}: unknown elaboration state {state!r} "
            "(EE01, EE02, EE03, EE04, EE99)"
        ]
    if state in COPY_STATES and not _is_text(document.origin_document_id):
        return [
            f"{label}: the origin document identifier is required for a copy ({state})"
        ]
    return []


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
    problems.extend(_check_elaboration_state(document, label))
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
    problems.extend(_check_expediente_metadata(expediente, label))
    entries = expediente.index_entries or []
    problems.extend(_check_index(expediente.index_signatures, entries, label))
    if check_documents:
        problems.extend(
            check_index_documents(
                entries,
                expediente.documents or [],
                strict_identifiers=strict_identifiers,
            )
        )
    return problems


def _check_expediente_metadata(expediente: EniExpediente, label: str) -> list[str]:
    """Problems of the metadata of an expediente beyond its identity."""
    problems = []
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
    return problems


def _check_index(signatures, entries: list[EniIndexEntry], label: str) -> list[str]:
    """Problems of the index: signed, not empty, each document once, orders 1..n."""
    problems = []
    if not signatures:
        problems.append(
            f"{label}: the index has no signature; it must carry at least one "
            "(e.g. a TF01 CSV)"
        )
    for number, signature in enumerate(signatures or [], 1):
        problems.extend(check_signature(signature, f"Index signature {number}"))
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
        problems.extend(_check_index_entry(entry, doc_id))
    orders = [entry.order for entry in entries]
    if entries and None not in orders and orders != list(range(1, len(entries) + 1)):
        shown = ", ".join(str(order) for order in orders[:20])
        problems.append(
            f"{label}: the document orders in the index must read 1..{len(entries)} "
            f"in index order, found {shown}{', …' if len(orders) > 20 else ''}"
        )
    return problems


def _check_index_entry(entry: EniIndexEntry, doc_id: str) -> list[str]:
    """Problems of one index entry: its date, folders and fingerprint."""
    problems = []
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
        problems.extend(_check_entry_document(entry, by_id))
    return problems


def _fingerprinted(document):
    """(basis, bytes) an index may have fingerprinted, the content first; the
    document's XML is serialised only when asked for."""
    yield OVER_CONTENT, document.content
    if document.sent_forms is not None:
        for sent in document.sent_forms():
            yield OVER_DOCUMENT_XML, sent


def _check_entry_document(entry, by_id):
    """Problems of one index entry against the documents by identifier: the
    document must be present and the fingerprint be the digest, by the
    function the index declares, of its content or of the whole
    ``enidoc:documento`` as sent (administrations differ); which one matched
    is recorded on the entry (``fingerprint_basis``)."""
    doc_id = entry.document_id
    if not _is_text(doc_id):
        return []
    document = by_id.get(doc_id)
    if document is None:
        return [f"Document {doc_id} is listed in the index but missing from the file"]
    if not isinstance(document.content, bytes) or entry.fingerprint is None:
        return []
    try:
        basis = next(
            (
                basis
                for basis, data in _fingerprinted(document)
                if fingerprint_matches(data, entry.fingerprint, entry.hash_function)
            ),
            None,
        )
    except ValueError:
        return []  # reported by check_expediente
    entry.fingerprint_basis = basis
    if basis is None:
        return [
            f"Document {doc_id}: fingerprint does not match its content nor the "
            f"enidoc:documento as sent ({entry.hash_function})"
        ]
    return []
