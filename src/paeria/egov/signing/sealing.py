"""The council's seal on what the portal issues by itself (Ley 40/2015 art.
40): register receipts now; notification certificates, register book exports
and the journal's daily seal are to follow (docs/signatures.md).

:func:`seal_pdf` PAdES-signs a PDF the portal made with the seal, when a seal
is configured; a portal without one issues the PDF as before, sealed by its
CSV only. The PDF prints its CSV itself, so no stamp is added.
"""

from paeria.egov.signing.engine import Signatures
from paeria.egov.signing.seal import SealUnavailable
import logging


logger = logging.getLogger("paeria.egov.signing")


def seal_pdf(data, signatures=None):
    """(bytes, sealed): ``data`` signed with the seal, or as it was when no
    seal is configured."""
    signatures = signatures or Signatures()
    if signatures.config.seal_p12 is None:
        return data, False
    try:
        signer = signatures.seal()
    except SealUnavailable as error:
        # Configured but unusable: issue unsealed and say so in the log.
        logger.error("the council's seal cannot be used: %s", error)
        return data, False
    return signatures.sign_pdf(data, signer), True
