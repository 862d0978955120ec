"""The checks of ENI data against the NTIs, shared by export and import.

The exporter refuses invalid data with them; the importer reports every
problem they find. Each check returns a list of readable problems (English
:class:`~paeria.egov.eni.problems.Problem`, translatable), empty when all is
well. Independent of Plone.
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
from paeria.egov.eni.messages import checks as messages
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.problems import of_error
from paeria.egov.eni.problems import problem
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.eni_ids import validate_eni_expediente_id
from paeria.egov.validators.errors import InvalidIdentifier


def _invalid(validator, value, label: str) -> list[str]:
    """The problem of a paeria.egov.validators failure, if any (its message
    kept translatable)."""
    try:
        validator(value)
    except InvalidIdentifier as error:
        return [problem(messages.INVALID_VALUE, label=label, error=error.message)]
    return []


# (bare, with its identifier): the label problems about an item begin with.
LABELS = {
    "Document": (messages.LABEL_DOCUMENT, messages.LABEL_DOCUMENT_IDENTIFIER),
    "Expediente": (messages.LABEL_EXPEDIENTE, messages.LABEL_EXPEDIENTE_IDENTIFIER),
}


def document_label(identifier):
    """The label "Document <identifier>" that problems about a document begin with."""
    return problem(LABELS["Document"][1], identifier=identifier)


def item_label(noun, identifier=None):
    """The label problems about a "Document" or an "Expediente" begin with:
    the noun alone, or followed by its identifier."""
    bare, named = LABELS[noun]
    return problem(named, identifier=identifier) if identifier else problem(bare)


def signature_label(label, number):
    """The label of an item's signature: "<label>, signature <number>"."""
    return problem(messages.LABEL_SIGNATURE, label=label, number=number)


def _is_text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _check_aware(value, label: str, problems: list[str], required=True):
    if value is None:
        if required:
            problems.append(problem(messages.MISSING, label=label))
        return
    if not isinstance(value, datetime):
        problems.append(
            problem(messages.NOT_DATETIME, label=label, type=type(value).__name__)
        )
    elif value.tzinfo is None or value.utcoffset() is None:
        problems.append(problem(messages.NAIVE_DATETIME, label=label))


def check_signature(signature: EniSignature, label: str) -> list[str]:
    """Problems of one signature (NTI Documento electrónico, annex I "Firma")."""
    problems = []
    if not isinstance(signature, EniSignature):
        return [problem(messages.NOT_A_SIGNATURE, label=label)]
    kind = signature.signature_type
    if kind not in SIGNATURE_TYPES:
        problems.append(problem(messages.SIGNATURE_TYPE, label=label, kind=repr(kind)))
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
        problems.append(problem(messages.CSV_VALUE, label=label))
    if not _is_text(signature.csv_regulation):
        problems.append(problem(messages.CSV_REGULATION, label=label))
    if certificate:
        problems.append(problem(messages.CSV_WITH_CERTIFICATE, label=label))
    return problems


def _certificate_signature_problems(signature, label, kind, has_csv, certificate):
    """Problems of a certificate signature (TF02..TF06)."""
    problems = []
    if has_csv:
        problems.append(problem(messages.CERTIFICATE_WITH_CSV, label=label, kind=kind))
    if len(certificate) != 1:
        problems.append(problem(messages.CERTIFICATE_CONTENT, label=label, kind=kind))
    elif signature.value is not None and (
        not isinstance(signature.value, bytes) or not signature.value
    ):
        problems.append(problem(messages.SIGNATURE_VALUE, label=label))
    elif signature.reference is not None and not _is_text(signature.reference):
        problems.append(problem(messages.SIGNATURE_REFERENCE, label=label))
    elif signature.xmldsig is not None and not isinstance(signature.xmldsig, bytes):
        problems.append(problem(messages.XMLDSIG_BYTES, label=label))
    return problems


def _check_identity(noun, item, validate_identifier, strict_identifiers):
    """(label for messages, problems) of an item's identifier and bodies
    (Organo), the metadata documents and expedientes share."""
    problems = []
    ident = item.identifier
    label = item_label(noun, ident if _is_text(ident) else None)
    if ident is not None:
        if not _is_text(ident):
            problems.append(problem(messages.IDENTIFIER_EMPTY, label=label))
        elif strict_identifiers:
            problems.extend(_invalid(validate_identifier, ident, label))
    if item.organos is not None:
        if not item.organos:
            problems.append(problem(messages.ORGANO_REQUIRED, label=label))
        for organo in item.organos:
            if not _is_text(organo):
                problems.append(problem(messages.ORGANO_EMPTY, label=label))
            elif strict_identifiers:
                problems.extend(_invalid(validate_dir3, organo, label))
    return label, problems


def _check_elaboration_state(document, label):
    """Problems of a document's elaboration state (a copy names its origin)."""
    state = document.elaboration_state
    if state is None:
        return []
    if state not in ELABORATION_STATES:
        return [problem(messages.ELABORATION_STATE, label=label, state=repr(state))]
    if state in COPY_STATES and not _is_text(document.origin_document_id):
        return [problem(messages.COPY_ORIGIN, label=label, state=state)]
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
        _check_aware(
            document.capture_date,
            problem(messages.LABEL_CAPTURE_DATE, label=label),
            problems,
        )
    if document.origin_administration is not None and not isinstance(
        document.origin_administration, bool
    ):
        problems.append(problem(messages.ORIGIN_BOOL, label=label))
    problems.extend(_check_elaboration_state(document, label))
    if document.document_type is not None and (
        document.document_type not in DOCUMENT_TYPES
    ):
        problems.append(
            problem(
                messages.DOCUMENT_TYPE, label=label, type=repr(document.document_type)
            )
        )
    if document.format_name is not None and not _is_text(document.format_name):
        problems.append(problem(messages.FORMAT_EMPTY, label=label))
    if document.content is not None and not isinstance(document.content, bytes):
        problems.append(problem(messages.CONTENT_BYTES, label=label))
    signatures = document.signatures or []
    for number, signature in enumerate(signatures, 1):
        problems.extend(check_signature(signature, signature_label(label, number)))
    if in_expediente and not signatures:
        problems.append(problem(messages.DOCUMENT_UNSIGNED, label=label))
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
        _check_aware(
            expediente.opening_date,
            problem(messages.LABEL_OPENING_DATE, label=label),
            problems,
        )
    if expediente.classification is not None and not _is_text(
        expediente.classification
    ):
        problems.append(problem(messages.CLASSIFICATION_EMPTY, label=label))
    if expediente.state is not None and expediente.state not in EXPEDIENTE_STATES:
        problems.append(
            problem(
                messages.EXPEDIENTE_STATE, label=label, state=repr(expediente.state)
            )
        )
    for interesado in expediente.interesados or []:
        if not _is_text(interesado):
            problems.append(problem(messages.INTERESADO_EMPTY, label=label))
    if expediente.index_date is not None:
        _check_aware(
            expediente.index_date,
            problem(messages.LABEL_INDEX_DATE, label=label),
            problems,
        )
    return problems


def _check_index(signatures, entries: list[EniIndexEntry], label: str) -> list[str]:
    """Problems of the index: signed, not empty, each document once, orders 1..n."""
    problems = []
    if not signatures:
        problems.append(problem(messages.INDEX_UNSIGNED, label=label))
    for number, signature in enumerate(signatures or [], 1):
        index_label = problem(messages.LABEL_INDEX_SIGNATURE, number=number)
        problems.extend(check_signature(signature, index_label))
    if not entries:
        problems.append(problem(messages.INDEX_EMPTY, label=label))
    seen = set()
    for entry in entries:
        doc_id = entry.document_id
        if not _is_text(doc_id):
            problems.append(problem(messages.INDEX_ENTRY_EMPTY, label=label))
            continue
        if doc_id in seen:
            problems.append(problem(messages.INDEX_REPEATED, identifier=doc_id))
        seen.add(doc_id)
        problems.extend(_check_index_entry(entry, doc_id))
    orders = [entry.order for entry in entries]
    if entries and None not in orders and orders != list(range(1, len(entries) + 1)):
        shown = ", ".join(str(order) for order in orders[:20])
        problems.append(
            problem(
                messages.INDEX_ORDERS,
                label=label,
                count=len(entries),
                orders=shown + (", …" if len(orders) > 20 else ""),
            )
        )
    return problems


def _check_index_entry(entry: EniIndexEntry, doc_id: str) -> list[str]:
    """Problems of one index entry: its date, folders and fingerprint."""
    problems = []
    if entry.incorporation_date is not None:
        _check_aware(
            entry.incorporation_date,
            problem(messages.LABEL_INCORPORATION_DATE, label=document_label(doc_id)),
            problems,
        )
    for folder in entry.folder or ():
        if not _is_text(folder):
            problems.append(problem(messages.FOLDER_EMPTY, identifier=doc_id))
    if entry.fingerprint is not None and entry.hash_function is not None:
        try:
            decode_fingerprint(entry.fingerprint, entry.hash_function)
        except ValueError as error:
            problems.append(
                problem(
                    messages.DOCUMENT_FINGERPRINT,
                    identifier=doc_id,
                    error=of_error(error),
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
            problems.append(problem(messages.DOCUMENT_REPEATED, identifier=doc_id))
        by_id.setdefault(doc_id, document)
        if check_each_document:
            problems.extend(
                check_document(
                    document, in_expediente=True, strict_identifiers=strict_identifiers
                )
            )
        if _is_text(doc_id) and doc_id not in indexed:
            problems.append(problem(messages.DOCUMENT_NOT_INDEXED, identifier=doc_id))
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
        return [problem(messages.DOCUMENT_MISSING, identifier=doc_id)]
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
            problem(
                messages.FINGERPRINT_MISMATCH,
                identifier=doc_id,
                function=entry.hash_function,
            )
        ]
    return []
