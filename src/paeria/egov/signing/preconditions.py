"""``firmar`` through the workflow (``@workflow/firmar``, the Classic UI's
state menu) by someone who holds a signing certificate.

Such a user signs with their certificate and PIN, through ``@firmar`` or the
"pending my signature" page: a workflow transition carries no PIN, so it is
refused with a message pointing there (400, like every refused transition).
A user without a certificate keeps signing by CSV (TF01) through the
workflow, as before (docs/signatures.md, "Signing through the workflow").
"""

from paeria.egov import _
from paeria.egov.content.documento import IDocumento
from paeria.egov.signing.engine import Signatures
from paeria.egov.signing.signers import certificate_records
from paeria.egov.workflow.rules import ITransitionPrecondition
from paeria.egov.workflow.rules import Preconditions
from paeria.egov.workflow.signing import SIGNING_NOW
from plone import api
from zope.component import adapter
from zope.interface import implementer


@implementer(ITransitionPrecondition)
@adapter(IDocumento)
class CertificateHoldersSignWithPin(Preconditions):
    def check_firmar(self, comment):
        if getattr(self.context, SIGNING_NOW, False):
            return  # signing/documents.py is signing it with the certificate
        if certificate_records(self.context):
            yield _(
                "error_firmar_partly_signed",
                default="The document bears certificate signatures already: the "
                "remaining signers sign with their PIN on the “Pending my "
                "signature” page or through @firmar.",
            )
            return
        if api.user.is_anonymous():
            return
        user_id = api.user.get_current().getId()
        if Signatures().has_certificate(user_id):
            yield _(
                "error_firmar_use_certificate",
                default="You have a signing certificate: sign with your PIN on "
                "the “Pending my signature” page or through @firmar, not with "
                "this transition.",
            )
