"""The signing service: one interface, two kinds of signer.

- The employee's signature (Ley 40/2015 art. 43): :meth:`Signatures.employee`
  opens the user's key from the key store with the PIN they typed.
- The council's seal (art. 40): :meth:`Signatures.seal`, for what the portal
  issues by itself.

Either signer then signs a PDF (:meth:`Signatures.sign_pdf`: PAdES, TF06, with
the visible stamp before the first signature) or any other file
(:meth:`Signatures.sign_detached`: CAdES detached, TF04), and every signature
is validated the same way (:meth:`Signatures.validate_pdf`,
:meth:`Signatures.validate_detached`) against the configured trust anchors
and CRLs. Which level is made follows the configuration: B-B; B-T with a TSA
(``PAERIA_TSA_URL``); B-LT, the revocation data embedded, when a TSA is
configured and revocation data is at hand (CRLs in the signing directory, or
fetched with ``PAERIA_SIGNING_FETCH=1``). Plone-free.
"""

from paeria.egov.signing import cades
from paeria.egov.signing import pades
from paeria.egov.signing import validation
from paeria.egov.signing.config import from_environment
from paeria.egov.signing.keys import KeyStore
from paeria.egov.signing.seal import seal_signer
from pyhanko.sign.timestamps import HTTPTimeStamper


TF06_PADES = "TF06"
TF04_CADES_DETACHED = "TF04"
PDF_MIMETYPES = ("application/pdf",)


class Signatures:
    """Signing and validation under one configuration."""

    def __init__(self, config=None, timestamper=None):
        self.config = config or from_environment()
        self.key_store = KeyStore(self.config.keys)
        self._timestamper = timestamper

    # -- signers -------------------------------------------------------------

    def employee(self, user_id, pin):
        """The employee's signer; raises :mod:`keys`' errors (no key, wrong
        PIN, locked)."""
        return self.key_store.unlock(user_id, pin)

    def has_certificate(self, user_id):
        return self.key_store.has_key(user_id)

    def certificate(self, user_id):
        return self.key_store.certificate(user_id)

    def seal(self):
        """The council's seal; raises :class:`seal.SealUnavailable`."""
        return seal_signer(self.config)

    def timestamper(self):
        if self._timestamper is not None:
            return self._timestamper
        if self.config.tsa_url:
            return HTTPTimeStamper(self.config.tsa_url)
        return None

    # -- signing ---------------------------------------------------------------

    def _long_term_context(self, timestamper):
        """The context whose revocation data B-LT embeds, or None (B-B/B-T)."""
        if timestamper is None:
            return None
        if not (self.config.fetch_revocation or self.config.crl_files()):
            return None
        return self.validation_context()

    def sign_pdf(self, data, signer, stamp_lines=(), signer_line=None, reason=None):
        """``data`` signed (PAdES) by ``signer``; stamped with ``stamp_lines``
        first if it has no signature yet (a later signer's ``signer_line`` goes
        on a visible signature widget)."""
        if stamp_lines and not pades.signature_fields(data):
            data = pades.stamp_pdf(data, stamp_lines)
        timestamper = self.timestamper()
        return pades.sign_pdf(
            data,
            signer,
            timestamper=timestamper,
            validation_context=self._long_term_context(timestamper),
            reason=reason,
            signer_line=signer_line,
        )

    def sign_detached(self, data, signer):
        """The DER bytes of a detached CAdES signature of ``data``."""
        return cades.sign_detached(data, signer, timestamper=self.timestamper())

    # -- validation ------------------------------------------------------------

    def validation_context(self, moment=None):
        return validation.trust_context(
            self.config.trust_anchors,
            self.config.crl_files(),
            fetch=self.config.fetch_revocation,
            moment=moment,
        )

    def validate_pdf(self, data):
        return validation.validate_pdf(data, self.validation_context)

    def validate_detached(self, data, signature):
        return validation.validate_cades(data, signature, self.validation_context())


def signature_type_for(content_type):
    """The NTI signature type a file of ``content_type`` gets."""
    return TF06_PADES if content_type in PDF_MIMETYPES else TF04_CADES_DETACHED
