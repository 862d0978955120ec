"""``POST @firmar``: batch signing with the employee's certificate.

Body: ``{"documents": [UID, path or URL, ...], "pin": "..."}``. Answers 200
with one report per document, in order (``status``: ``signed`` with the
signature type, CSV and fingerprint, or ``refused`` with the ``reason``);
400 naming the field when the body is wrong or the PIN is (nothing signed),
423 while the key is locked after three wrong PINs. The PIN is never echoed.
"""

from paeria.egov import _
from paeria.egov.content.documento import IDocumento
from paeria.egov.restapi.service import BAD_REQUEST
from paeria.egov.restapi.service import Service
from paeria.egov.signing.documents import REFUSED
from paeria.egov.signing.documents import sign_documents
from paeria.egov.signing.documents import SIGNED
from paeria.egov.signing.documents import SigningRefused
from paeria.egov.signing.reports import validations_of
from paeria.egov.workflow.signing import CERTIFICATE_SIGNATURES
from paeria.egov.workflow.signing import signatures_of
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.dxcontent import SerializeToJson
from zope.component import adapter
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.interface import Interface


# One request signs at most this many documents (a batch of 50 takes a few
# seconds; more would hold a worker thread too long).
MAX_DOCUMENTS = 200

DOCUMENTS_INVALID = _(
    "error_firmar_documents",
    default="“documents” must be a list of 1 to ${max} document UIDs or paths.",
    mapping={"max": MAX_DOCUMENTS},
)


class FirmarPost(Service):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        if api.user.is_anonymous():
            return self.refuse(
                401,
                "Unauthorized",
                _("error_firmar_anonymous", default="Log in to sign documents."),
            )
        data = self.read_json_object()
        documents = data.get("documents")
        if (
            not isinstance(documents, list)
            or not 0 < len(documents) <= MAX_DOCUMENTS
            or not all(isinstance(item, str) and item.strip() for item in documents)
        ):
            return self.refuse(
                400, BAD_REQUEST, DOCUMENTS_INVALID, {"documents": DOCUMENTS_INVALID}
            )
        try:
            reports = sign_documents(documents, data.get("pin"))
        except SigningRefused as refused:
            error_type = "Locked" if refused.status == 423 else BAD_REQUEST
            return self.refuse(
                refused.status,
                error_type,
                refused.message,
                {refused.field: refused.message},
            )
        return {
            "documents": reports,
            "signed": sum(report["status"] == SIGNED for report in reports),
            "refused": sum(report["status"] == REFUSED for report in reports),
        }


def signatures_json(documento):
    return [
        {
            "signature_type": record.signature_type,
            "signer": record.signer_fullname,
            "signed_at": record.signed_at.isoformat(),
            "csv": record.csv_value,
        }
        for record in signatures_of(documento)
    ]


@implementer(ISerializeToJson)
@adapter(IDocumento, Interface)
class SerializeDocumentoToJson(SerializeToJson):
    """The standard content JSON plus the document's signatures and, when it
    has certificate signatures, each one validated now (docs/signatures.md,
    "Validation"); a document signed by CSV only is not read for it."""

    def __call__(self, version=None, include_items=True):
        result = super().__call__(version=version, include_items=include_items)
        records = signatures_of(self.context)
        result["signatures"] = signatures_json(self.context)
        certified = any(
            record.signature_type in CERTIFICATE_SIGNATURES for record in records
        )
        result["signature_validation"] = (
            validations_of(self.context, self.request) if certified else []
        )
        return result
