"""The English texts and msgids of the problems of :mod:`..checks`, :mod:`..digests`
and :mod:`..model`."""

from paeria.egov import _


INVALID_VALUE = _("eni_problem_invalid_value", default="${label}: ${error}")

LABEL_DOCUMENT = _("eni_label_document", default="Document")

LABEL_DOCUMENT_IDENTIFIER = _(
    "eni_label_document_identifier", default="Document ${identifier}"
)

LABEL_EXPEDIENTE = _("eni_label_expediente", default="Expediente")

LABEL_EXPEDIENTE_IDENTIFIER = _(
    "eni_label_expediente_identifier", default="Expediente ${identifier}"
)

MISSING = _("eni_problem_missing", default="${label} is missing")

NOT_DATETIME = _(
    "eni_problem_not_datetime",
    default="${label} must be a datetime, not ${type}",
)

NAIVE_DATETIME = _(
    "eni_problem_naive_datetime",
    default="${label} must be timezone-aware (xsd:dateTime is written with its offset)",
)

NOT_A_SIGNATURE = _(
    "eni_problem_not_a_signature",
    default="${label}: not an EniSignature",
)

SIGNATURE_TYPE = _(
    "eni_problem_signature_type",
    default="${label}: unknown signature type ${kind} (TF01..TF06)",
)

CSV_VALUE = _(
    "eni_problem_csv_value",
    default="${label}: a TF01 (CSV) signature needs its CSV value",
)

CSV_REGULATION = _(
    "eni_problem_csv_regulation",
    default="${label}: a TF01 (CSV) signature needs the regulation of "
    "its CSV generation",
)

CSV_WITH_CERTIFICATE = _(
    "eni_problem_csv_with_certificate",
    default="${label}: a TF01 (CSV) signature cannot carry certificate "
    "signature content",
)

CERTIFICATE_WITH_CSV = _(
    "eni_problem_certificate_with_csv",
    default="${label}: a ${kind} signature carries a certificate signature, not a CSV",
)

CERTIFICATE_CONTENT = _(
    "eni_problem_certificate_content",
    default="${label}: a ${kind} signature needs exactly one of its "
    "base64 value, a reference or an XML-DSig signature",
)

SIGNATURE_VALUE = _(
    "eni_problem_signature_value",
    default="${label}: the signature value must be non-empty bytes",
)

SIGNATURE_REFERENCE = _(
    "eni_problem_signature_reference",
    default="${label}: the signature reference is empty",
)

XMLDSIG_BYTES = _(
    "eni_problem_xmldsig_bytes",
    default="${label}: the XML-DSig signature must be bytes",
)

IDENTIFIER_EMPTY = _(
    "eni_problem_identifier_empty",
    default="${label}: the identifier is empty",
)

ORGANO_REQUIRED = _(
    "eni_problem_organo_required",
    default="${label}: at least one body (Organo) is required",
)

ORGANO_EMPTY = _(
    "eni_problem_organo_empty",
    default="${label}: a body (Organo) is empty",
)

ELABORATION_STATE = _(
    "eni_problem_elaboration_state",
    default="${label}: unknown elaboration state ${state} "
    "(EE01, EE02, EE03, EE04, EE99)",
)

COPY_ORIGIN = _(
    "eni_problem_copy_origin",
    default="${label}: the origin document identifier is required for "
    "a copy (${state})",
)

LABEL_CAPTURE_DATE = _("eni_label_capture_date", default="${label}: the capture date")

ORIGIN_BOOL = _(
    "eni_problem_origin_bool",
    default="${label}: the origin (citizen/administration) must be a bool",
)

DOCUMENT_TYPE = _(
    "eni_problem_document_type",
    default="${label}: unknown document type ${type} (TD01..TD20, TD99)",
)

FORMAT_EMPTY = _(
    "eni_problem_format_empty",
    default="${label}: the format name (NombreFormato) is empty",
)

CONTENT_BYTES = _(
    "eni_problem_content_bytes",
    default="${label}: the content must be bytes",
)

LABEL_SIGNATURE = _("eni_label_signature", default="${label}, signature ${number}")

DOCUMENT_UNSIGNED = _(
    "eni_problem_document_unsigned",
    default="${label}: has no signature; a document in an expediente "
    "must be signed (a CSV counts)",
)

LABEL_OPENING_DATE = _("eni_label_opening_date", default="${label}: the opening date")

CLASSIFICATION_EMPTY = _(
    "eni_problem_classification_empty",
    default="${label}: the classification (SIA code) is empty",
)

EXPEDIENTE_STATE = _(
    "eni_problem_expediente_state",
    default="${label}: unknown state ${state} (E01, E02, E03)",
)

INTERESADO_EMPTY = _(
    "eni_problem_interesado_empty",
    default="${label}: an interested party (Interesado) is empty",
)

LABEL_INDEX_DATE = _("eni_label_index_date", default="${label}: the index date")

INDEX_UNSIGNED = _(
    "eni_problem_index_unsigned",
    default="${label}: the index has no signature; it must carry at "
    "least one (e.g. a TF01 CSV)",
)

LABEL_INDEX_SIGNATURE = _(
    "eni_label_index_signature", default="Index signature ${number}"
)

INDEX_EMPTY = _(
    "eni_problem_index_empty",
    default="${label}: the index lists no document",
)

INDEX_ENTRY_EMPTY = _(
    "eni_problem_index_entry_empty",
    default="${label}: an index entry has an empty document identifier",
)

INDEX_REPEATED = _(
    "eni_problem_index_repeated",
    default="Document ${identifier} is listed more than once in the index",
)

INDEX_ORDERS = _(
    "eni_problem_index_orders",
    default="${label}: the document orders in the index must read "
    "1..${count} in index order, found ${orders}",
)

LABEL_INCORPORATION_DATE = _(
    "eni_label_incorporation_date",
    default="${label}: the incorporation date",
)

FOLDER_EMPTY = _(
    "eni_problem_folder_empty",
    default="Document ${identifier}: a folder identifier is empty",
)

DOCUMENT_FINGERPRINT = _(
    "eni_problem_document_fingerprint",
    default="Document ${identifier}: ${error}",
)

DOCUMENT_REPEATED = _(
    "eni_problem_document_repeated",
    default="Document ${identifier} appears more than once in the file",
)

DOCUMENT_NOT_INDEXED = _(
    "eni_problem_document_not_indexed",
    default="Document ${identifier} is in the file but not in the index",
)

DOCUMENT_MISSING = _(
    "eni_problem_document_missing",
    default="Document ${identifier} is listed in the index but missing from the file",
)

FINGERPRINT_MISMATCH = _(
    "eni_problem_fingerprint_mismatch",
    default="Document ${identifier}: fingerprint does not match its "
    "content nor the enidoc:documento as sent (${function})",
)

HASH_FUNCTION_UNSUPPORTED = _(
    "eni_problem_hash_function_unsupported",
    default="Unsupported hash function ${function}",
)

HASH_FUNCTION_UNKNOWN = _(
    "eni_problem_hash_function_unknown",
    default="unsupported hash function ${function} (supported: ${supported})",
)

FINGERPRINT_FORM = _(
    "eni_problem_fingerprint_form",
    default="fingerprint ${value} is neither the base64 nor the hex form "
    "of a ${function} digest",
)

UNKNOWN = _("eni_problem_unknown", default="unknown problem")
