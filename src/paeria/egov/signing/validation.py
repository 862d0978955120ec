"""Validation of PAdES and CAdES signatures, in the words shown to people.

Each signature gets a :class:`SignatureReport`: intact or not, the signer
(name and NIF read from the certificate), the signing time and its source
(``timestamp`` when a time-stamp token vouches for it, ``claimed`` when only
the signer's own clock does), whether the chain reaches a trusted root (the
trust anchors are configured: the development root by default), and the
revocation status where known. Its ``status`` is one of :data:`STATUSES`;
only ``valid`` is valid — altered, revoked, expired and untrusted signatures
are each reported as such, and anything else pyHanko could not settle as
``indeterminate``. Plone-free.
"""

from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from dataclasses import asdict
from dataclasses import dataclass
from io import BytesIO
from paeria.egov.signing.cades import CadesError
from paeria.egov.signing.cades import validate_detached
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
import re


VALID = "valid"
ALTERED = "altered"
REVOKED = "revoked"
EXPIRED = "expired"
UNTRUSTED = "untrusted"
INDETERMINATE = "indeterminate"
STATUSES = (VALID, ALTERED, REVOKED, EXPIRED, UNTRUSTED, INDETERMINATE)

EXPIRED_INDICATIONS = {
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
}
UNTRUSTED_INDICATIONS = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
    AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
}
NIF_IN_TEXT = re.compile(r"\b([0-9XYZKLM][0-9]{7}[A-Z]|[A-W][0-9]{7}[0-9A-J])\b")


@dataclass
class SignatureReport:
    kind: str  # "PAdES" or "CAdES"
    status: str
    intact: bool
    trusted: bool
    revoked: bool
    signer_name: str
    signer_nif: str | None
    organisation: str | None
    signing_time: object  # aware datetime or None
    time_source: str  # "timestamp" or "claimed"
    field_name: str | None = None
    detail: str = ""

    @property
    def valid(self):
        return self.status == VALID

    def as_json(self):
        data = asdict(self)
        data["valid"] = self.valid
        if self.signing_time is not None:
            data["signing_time"] = self.signing_time.isoformat()
        return data


def _load_certificate(data):
    if asn1_pem.detect(data):
        _, _, data = asn1_pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def _load_crl(data):
    if asn1_pem.detect(data):
        _, _, data = asn1_pem.unarmor(data)
    return asn1_crl.CertificateList.load(data)


def trust_context(anchors, crls=(), fetch=False, moment=None):
    """A pyHanko validation context trusting the certificates in ``anchors``
    (files, bytes or asn1crypto certificates), checking the CRLs ``crls``
    (files or bytes), fetching more revocation data only if ``fetch``."""

    def read(item):
        return item.read_bytes() if hasattr(item, "read_bytes") else item

    roots = [
        item
        if isinstance(item, asn1_x509.Certificate)
        else _load_certificate(read(item))
        for item in anchors
    ]
    return ValidationContext(
        trust_roots=roots,
        crls=[_load_crl(read(item)) for item in crls],
        allow_fetching=fetch,
        revocation_mode="soft-fail",
        moment=moment,
    )


def signer_identity(certificate):
    """(name, NIF, organisation) from a signer's asn1crypto certificate: the
    NIF from ``serialNumber`` (``IDCES-``, ``VATES-``, bare) or the CN."""
    subject = certificate.subject.native
    common_name = subject.get("common_name") or ""
    serial = subject.get("serial_number") or subject.get("organization_identifier")
    nif = None
    for text in (serial or "", common_name):
        found = NIF_IN_TEXT.search(text.upper())
        if found:
            nif = found.group(1)
            break
    name = re.sub(r"\s*-\s*NIF\s+\S+$", "", common_name).strip() or common_name
    return name, nif, subject.get("organization_name")


def _trust_status(status):
    if status.revoked:
        return REVOKED
    if status.trusted:
        return VALID
    indication = status.trust_problem_indic
    if indication in EXPIRED_INDICATIONS:
        return EXPIRED
    if indication in UNTRUSTED_INDICATIONS:
        return UNTRUSTED
    return INDETERMINATE


def _signing_time(status):
    timestamp = getattr(status, "timestamp_validity", None)
    if (
        timestamp is not None
        and timestamp.intact
        and timestamp.valid
        and timestamp.trusted
    ):
        return timestamp.timestamp, "timestamp"
    return getattr(status, "signer_reported_dt", None), "claimed"


def _report(kind, status, altered, field_name=None):
    name, nif, organisation = signer_identity(status.signing_cert)
    signing_time, source = _signing_time(status)
    intact = bool(status.intact and status.valid)
    result = ALTERED if (altered or not intact) else _trust_status(status)
    indication = status.trust_problem_indic
    return SignatureReport(
        kind=kind,
        status=result,
        intact=intact and not altered,
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        signer_name=name,
        signer_nif=nif,
        organisation=organisation,
        signing_time=signing_time,
        time_source=source,
        field_name=field_name,
        detail=indication.name if indication is not None else "",
    )


def _pdf_altered(status):
    """Bytes the signature does not cover were changed beyond filling forms
    and adding signatures (pyHanko's difference analysis)."""
    if status.coverage is None:
        return True
    if status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return True
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    return not status.docmdp_ok or status.modification_level in (
        None,
        ModificationLevel.OTHER,
    )


def validate_pdf(data, context_factory):
    """One :class:`SignatureReport` per signature of the PDF ``data``, in
    order; ``context_factory()`` gives a fresh validation context each time."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        return []
    reports = []
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, context_factory())
        except Exception as error:  # a malformed signature is not a valid one
            reports.append(_broken("PAdES", signature.field_name, error))
            continue
        reports.append(
            _report("PAdES", status, _pdf_altered(status), signature.field_name)
        )
    return reports


def validate_cades(data, signature, context):
    """The :class:`SignatureReport` of a detached CAdES ``signature`` of ``data``."""
    try:
        status = validate_detached(data, signature, context)
    except CadesError as error:
        return _broken("CAdES", None, error)
    except Exception as error:  # a malformed signature is not a valid one
        return _broken("CAdES", None, error)
    return _report("CAdES", status, altered=False)


def _broken(kind, field_name, error):
    return SignatureReport(
        kind=kind,
        status=ALTERED,
        intact=False,
        trusted=False,
        revoked=False,
        signer_name="",
        signer_nif=None,
        organisation=None,
        signing_time=None,
        time_source="claimed",
        field_name=field_name,
        detail=type(error).__name__,
    )
