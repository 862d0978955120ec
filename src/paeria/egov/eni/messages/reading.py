"""The English texts and msgids of the problems found reading an ENI file:
:mod:`..safexml`, :mod:`..xsd_values`, :mod:`..reader`, :mod:`..parse` and
:mod:`..schemas`."""

from paeria.egov import _


DOCTYPE = _(
    "eni_problem_doctype",
    default="DOCTYPE declarations are not allowed in ENI files: DTDs and "
    "entity declarations are refused, and no entity is expanded or fetched",
)

DOCTYPE_EXTERNAL = _(
    "eni_problem_doctype_external",
    default="${message} (it declares an external entity: ${entities})",
)

DOCTYPE_ENTITY = _(
    "eni_problem_doctype_entity",
    default="${message} (it declares 1 entity, as in "
    "entity-expansion attacks such as billion laughs)",
)

DOCTYPE_ENTITIES = _(
    "eni_problem_doctype_entities",
    default="${message} (it declares ${count} entities, as in "
    "entity-expansion attacks such as billion laughs)",
)

NO_ELEMENT = _("eni_problem_no_element", default="${what}: no XML element found")

INPUT_EMPTY = _("eni_problem_input_empty", default="${what}: the input is empty")

INPUT_TOO_LARGE = _(
    "eni_problem_input_too_large",
    default="${what}: the input is ${size} bytes, more than the "
    "limit of ${limit} bytes",
)

NOT_WELL_FORMED = _(
    "eni_problem_not_well_formed", default="${what}: not well-formed XML: ${detail}"
)

UNREADABLE_XML = _(
    "eni_problem_unreadable_xml", default="${what}: the XML cannot be read: ${error}"
)

TOO_DEEP = _(
    "eni_problem_too_deep",
    default="${what}: XML nesting is deeper than ${depth} levels; such files "
    "are refused",
)

IN_FILE = _("eni_problem_in_file", default="${what}: ${problem}")

NOT_DATETIME_VALUE = _(
    "eni_problem_not_datetime_value", default="${value} is not an xsd:dateTime"
)

YEAR_RANGE = _("eni_problem_year_range", default="${value}: year out of range")

OFFSET_RANGE = _(
    "eni_problem_offset_range", default="${value}: timezone offset out of range"
)

NO_OFFSET = _("eni_problem_no_offset", default="${value} has no timezone offset")

DATE_RANGE = _("eni_problem_date_range", default="${value}: date out of range")

NOT_BOOLEAN = _("eni_problem_not_boolean", default="${value} is not an xsd:boolean")

BASE64_CHARACTERS = _(
    "eni_problem_base64_characters", default="not base64 (unexpected characters)"
)

BASE64 = _("eni_problem_base64", default="not base64 (${error})")

ELEMENT_MISSING = _(
    "eni_problem_element_missing", default="${where}: ${element} is missing"
)

ELEMENT_EMPTY = _("eni_problem_element_empty", default="${where}: ${element} is empty")

ELEMENT_VALUE = _("eni_problem_element_value", default="${where}: ${element}: ${error}")

VERSION = _(
    "eni_problem_version",
    default="${where}: VersionNTI is ${value}, expected ${expected}",
)

SIGNATURE_CONTENT = _(
    "eni_problem_signature_content",
    default="${label}: enids:ContenidoFirma holds no CSV nor certificate",
)

SIGNATURE_BASE64 = _(
    "eni_problem_signature_base64", default="${label}: enids:FirmaBase64 is ${error}"
)

CERTIFICATE_EMPTY = _(
    "eni_problem_certificate_empty",
    default="${label}: enids:FirmaConCertificado holds no signature",
)

CONTENT_BASE64 = _(
    "eni_problem_content_base64", default="${where}: enifile:ValorBinario is ${error}"
)

REFERENCE_NOT_SENT = _(
    "eni_problem_reference_not_sent",
    default="${where}: the content is a file reference "
    "(enifile:referenciaFichero ${name}) that was not sent with "
    "it: send the expediente as a zip package holding that file",
)

NO_CONTENT = _(
    "eni_problem_no_content", default="${where}: enifile:contenido holds no content"
)

LABEL_INDEX = _("eni_label_index", default="Index")

LABEL_INDEX_FOLDER = _("eni_label_index_folder", default="Index folder")

LABEL_INDEX_ENTRY = _("eni_label_index_entry", default="Index entry ${position}")

LABEL_INDEX_DOCUMENT = _(
    "eni_label_index_document", default="Document ${identifier} in the index"
)

ORDER = _("eni_problem_order", default="${where}: the order ${order} is not a number")

WRONG_ROOT = _(
    "eni_problem_wrong_root",
    default="${what}: wrong root element ${element}; expected ${expected}",
)

LABEL_DOCUMENT_FILE = _("eni_label_document_file", default="Document file")

LABEL_EXPEDIENTE_FILE = _("eni_label_expediente_file", default="Expediente file")

LABEL_EXPEDIENTE_ROOTS = _(
    "eni_label_expediente_roots",
    default="eniexp:expediente or the paeria.egov exchange envelope",
)

LABEL_DOCUMENT_NUMBER = _("eni_label_document_number", default="Document #${number}")

UNEXPECTED_ELEMENT = _(
    "eni_problem_unexpected_element", default="${what}: unexpected element ${element}"
)

LABEL_SEPARATE_DOCUMENT = _(
    "eni_label_separate_document", default="Separate document file #${number}"
)

LABEL_PACKAGE_ENTRY = _("eni_label_package_entry", default="Package entry ${name}")

FILES_TOO_LARGE = _(
    "eni_problem_files_too_large",
    default="The files total more than the limit of ${limit} bytes",
)

LABEL_ENVELOPE = _("eni_label_envelope", default="ENI exchange envelope")

SCHEMA_ERROR = _(
    "eni_problem_schema_error",
    default="Schema validation (${schema}), line ${line}: ${error}",
)

SCHEMA_MORE = _(
    "eni_problem_schema_more",
    default="Schema validation (${schema}): ${count} more errors not listed",
)

SCHEMA_FAILED = _(
    "eni_problem_schema_failed", default="Schema validation (${schema}) failed"
)
