"""CAdES detached signatures of documents that are not PDF (NTI signature type
TF04): a CMS SignedData over the document's bytes, stored beside them and
exported as the ENI document's signature value. B-B, or B-T (the signature
time-stamped) when a timestamper is given. Plone-free.
"""

from asn1crypto import cms
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
import asyncio


class CadesError(ValueError):
    """Bytes that are not a CAdES (CMS SignedData) signature."""


def sign_detached(data, signer, timestamper=None):
    """The DER bytes of a detached CAdES signature of ``data``."""
    content_info = asyncio.run(
        signer.async_sign_general_data(
            data, "sha256", detached=True, use_cades=True, timestamper=timestamper
        )
    )
    return content_info.dump()


def signed_data_of(signature):
    """The SignedData of a DER (or PEM-less base64-decoded) CMS signature."""
    try:
        content_info = cms.ContentInfo.load(bytes(signature))
        if content_info["content_type"].native != "signed_data":
            raise CadesError("not a CMS SignedData")
        signed_data = content_info["content"]
        signed_data.native  # noqa: B018 - parse it all now, not lazily later
    except CadesError:
        raise
    except Exception:
        raise CadesError("not a CMS SignedData") from None
    return signed_data


def validate_detached(data, signature, validation_context):
    """pyHanko's status of the detached ``signature`` over ``data``."""
    return asyncio.run(
        async_validate_detached_cms(
            data,
            signed_data_of(signature),
            signer_validation_context=validation_context,
        )
    )
