"""The English texts and msgids of the problems of :mod:`paeria.egov.eni.export`."""

from paeria.egov import _


XMLDSIG_NOT_WELL_FORMED = _(
    "eni_problem_xmldsig_not_well_formed",
    default="The XML-DSig signature is not well-formed: ${error}",
)

XMLDSIG_DOCTYPE = _(
    "eni_problem_xmldsig_doctype",
    default="The XML-DSig signature must not carry a DOCTYPE",
)

XMLDSIG_ROOT = _(
    "eni_problem_xmldsig_root",
    default="The XML-DSig signature must be a ds:Signature, not ${element}",
)

FIELD_MISSING = _("eni_problem_field_missing", default="${label}: ${field} is missing")

LABEL_INDEX_ENTRY_OF = _(
    "eni_label_index_entry_of", default="Index entry ${identifier}"
)

ORDER_INT = _("eni_problem_order_int", default="${label}: order must be an int")

ID_CLASH = _(
    "eni_problem_id_clash",
    default="Id ${value} appears more than once: XML IDs must be "
    "unique in one file; export with include_documents=False and "
    "send the documents as separate files",
)
