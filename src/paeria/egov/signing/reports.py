"""The certificate signatures of a stored document, validated now, as shown
to people: the verification page and ``@verificar`` (and, later, the
document's page and JSON). A PDF's embedded PAdES signatures and the CAdES
signatures recorded beside any file (TF04) each give one report
(``validation.SignatureReport.as_json``) whose ``status`` says whether it is
valid, altered, revoked, expired or untrusted, with a translated label."""

from paeria.egov import _
from paeria.egov.signing import validation
from paeria.egov.signing.engine import Signatures
from paeria.egov.signing.engine import TF04_CADES_DETACHED
from paeria.egov.workflow.signing import signatures_of
from zope.i18n import translate


STATUS_LABELS = {
    validation.VALID: _("signature_status_valid", default="Valid"),
    validation.ALTERED: _(
        "signature_status_altered", default="Not valid: the document was altered"
    ),
    validation.REVOKED: _(
        "signature_status_revoked", default="Not valid: the certificate is revoked"
    ),
    validation.EXPIRED: _(
        "signature_status_expired", default="Not valid: the certificate had expired"
    ),
    validation.UNTRUSTED: _(
        "signature_status_untrusted",
        default="Not valid: the certificate is not from a trusted authority",
    ),
    validation.INDETERMINATE: _(
        "signature_status_indeterminate", default="Could not be validated"
    ),
}


def is_pdf(named_file):
    return (getattr(named_file, "contentType", "") or "").startswith("application/pdf")


def validations_of(documento, request, signatures=None):
    """One JSON-ready report per certificate signature of ``documento``."""
    named_file = getattr(documento, "file", None)
    if named_file is None:
        return []
    signatures = signatures or Signatures()
    data = named_file.data
    reports = signatures.validate_pdf(data) if is_pdf(named_file) else []
    for record in signatures_of(documento):
        if record.signature_type == TF04_CADES_DETACHED and record.value:
            reports.append(signatures.validate_detached(data, record.value))
    result = []
    for report in reports:
        item = report.as_json()
        item["status_title"] = translate(STATUS_LABELS[report.status], context=request)
        result.append(item)
    return result
