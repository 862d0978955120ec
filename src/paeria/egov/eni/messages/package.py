"""The English texts and msgids of the problems of :mod:`paeria.egov.eni.package`."""

from paeria.egov import _


LABEL_PACKAGE_ENTRY = _("eni_label_package_entry", default="Package entry ${name}")

ABSOLUTE_PATH = _(
    "eni_problem_absolute_path", default="${entry}: absolute paths are refused"
)

CLIMBING_PATH = _(
    "eni_problem_climbing_path",
    default="${entry}: paths that climb out (..) are refused",
)

CONTROL_CHARACTERS = _(
    "eni_problem_control_characters",
    default="${entry}: control characters in names are refused",
)

SYMBOLIC_LINK = _(
    "eni_problem_symbolic_link", default="${entry}: symbolic links are refused"
)

ENCRYPTED = _(
    "eni_problem_encrypted", default="${entry}: encrypted entries are refused"
)

TOO_MANY_ENTRIES = _(
    "eni_problem_too_many_entries",
    default="Package: ${count} entries; at most ${limit} are accepted",
)

UNCOMPRESSED_SIZE = _(
    "eni_problem_uncompressed_size",
    default="Package: the entries uncompress to ${size} bytes, over "
    "the limit of ${limit} bytes",
)

ENTRY_TWICE = _("eni_problem_entry_twice", default="${entry} appears twice")

UNCOMPRESSED_LIE = _(
    "eni_problem_uncompressed_lie",
    default="Package: the entries uncompress to more than the "
    "limit of ${limit} bytes (their declared sizes are wrong)",
)

ENTRY_UNREADABLE = _(
    "eni_problem_entry_unreadable", default="${entry} cannot be read: ${error}"
)

NOT_A_ZIP = _(
    "eni_problem_not_a_zip", default="Package: not a readable zip file: ${error}"
)

REFERENCE_MISSING = _(
    "eni_problem_reference_missing",
    default="${entry}: the content file ${reference} it "
    "references (enifile:referenciaFichero) is not in the package",
)

DOCUMENT_NO_IDENTIFIER = _(
    "eni_problem_document_no_identifier",
    default="${entry}: the document has no Identificador",
)

DUPLICATE_DOCUMENT = _(
    "eni_problem_duplicate_document",
    default="Package entries ${first} and ${second} are the same "
    "document ${identifier}: duplicate documents are refused",
)

DUPLICATE_EXPEDIENTE = _(
    "eni_problem_duplicate_expediente",
    default="Package entries ${first} and ${second} are the same "
    "expediente: duplicate expedientes are refused",
)

INDEXED_NOT_PACKAGED = _(
    "eni_problem_indexed_not_packaged",
    default="${entry}: document ${identifier} is in the index but not in the package",
)

PACKAGED_NOT_INDEXED = _(
    "eni_problem_packaged_not_indexed",
    default="${entry}: document ${identifier} is in no expediente's index",
)

NO_EXPEDIENTE = _(
    "eni_problem_no_expediente", default="Package: it holds no eniexp:expediente"
)

NESTED_ZIP = _(
    "eni_problem_nested_zip",
    default="${entry} is a zip inside the package: nested packages are refused",
)

TOO_MANY_FILES = _(
    "eni_problem_too_many_files",
    default="${count} files; at most ${limit} are accepted",
)

FILES_TOO_LARGE = _(
    "eni_problem_files_too_large",
    default="The files total more than the limit of ${limit} bytes",
)

IN_FILE = _("eni_problem_in_file", default="${what}: ${problem}")
