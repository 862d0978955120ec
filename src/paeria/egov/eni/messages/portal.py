"""The English texts and msgids of the problems of :mod:`paeria.egov.eni.portal`."""

from paeria.egov import _


ORIGIN_IDENTIFIER = _(
    "eni_problem_origin_identifier",
    default="${label}: identifier of the original: ${error}",
)

FILE_REFUSED = _("eni_problem_file_refused", default="${label} (${format}): ${error}")

PROCEDURE_UID = _(
    "eni_problem_procedure_uid", default="No procedure has the UID ${uid}"
)

PROCEDURE_SIA_NONE = _(
    "eni_problem_procedure_sia_none",
    default="No procedure has the SIA code ${code} of the expediente's "
    "classification: choose the procedure to import it into",
)

PROCEDURE_SIA_SEVERAL = _(
    "eni_problem_procedure_sia_several",
    default="${count} procedures have the SIA code ${code}: choose "
    "the procedure to import it into",
)

INTERESADO_KIND = _(
    "eni_problem_interesado_kind",
    default="Interested party ${identifier}: not a NIF, NIE, CIF or passport number",
)

INTERESADO_INVALID = _(
    "eni_problem_interesado_invalid",
    default="Interested party ${identifier}: ${error}",
)

STORED_DIFFERS = _(
    "eni_problem_stored_differs",
    default="${label}: the fingerprint of the stored file differs "
    "from that of the file received",
)

STORED_NOT_INDEXED = _(
    "eni_problem_stored_not_indexed",
    default="${label}: the stored file does not match the index",
)

ALREADY_IN_EXPEDIENTE = _(
    "eni_problem_already_in_expediente",
    default="${label} is already in this expediente",
)
