"""Signatures of documents and their secure verification code (CSV).

A document carries a list of :class:`SignatureRecord` in its ``signatures``
attribute, one per signature, of any ENI type (TipoFirma TF01..TF06): the
``firmar`` transition adds the TF01 one, by CSV (Ley 40/2015 art. 42.b), and a
later qualified seal (PAdES, TF06) is added with :func:`add_signature` next to
it. Every record says who signed, when, and the fingerprint of the bytes at
that moment; the record's attribute names for the ENI part are those of
:class:`paeria.egov.eni.model.EniSignature`, so the ENI export
(``eni.bridge.documento_signatures``) maps it as it is.

The document's CSV is also its own attribute ``csv``, indexed (``csv``) so that
a verification service finds the document by it, and unique in the site.
"""

from paeria.egov import clock
from paeria.egov.content.documento import HASH_FUNCTION
from paeria.egov.csvcodes import csv_regulation
from paeria.egov.csvcodes import unused_csv
from paeria.egov.fingerprints import sha256_of_file
from paeria.egov.states import Documento
from persistent import Persistent
from persistent.list import PersistentList
from plone import api


CSV_SIGNATURE = "TF01"
# The CSV drawn for a document before its bytes were signed (signing/
# prints it on the PAdES stamp): the TF01 signature takes it instead of a new
# one. Set on the document only for the duration of the signing.
PENDING_CSV = "_paeria_pending_csv"
# Set (volatile, this request only) while signing/ signs the document with a
# certificate: the ``firmar`` it takes then is its own, not a bare workflow one.
SIGNING_NOW = "_v_paeria_signing"
# Signer of what the portal issues by itself, without a person (a register
# receipt): an automated administrative action, Ley 40/2015 art. 41-42.
AUTOMATED_SIGNER_ID = "paeria.egov"
CERTIFICATE_SIGNATURES = ("TF02", "TF03", "TF04", "TF05", "TF06")
SIGNATURE_TYPES = (CSV_SIGNATURE, *CERTIFICATE_SIGNATURES)


class SigningError(ValueError):
    """A signature that cannot be recorded (a programming error: the transition's
    preconditions refuse what a user could cause)."""


class SignatureRecord(Persistent):
    """One signature of a document; never changed once recorded.

    ENI part (NTI Documento electrónico, "Firma"): ``signature_type`` (TF01..TF06),
    ``csv_value`` and ``csv_regulation`` for TF01; one of ``value`` (bytes),
    ``reference`` or ``xmldsig`` for the certificate-based types.
    Who, when, what: ``signer_id`` and ``signer_fullname`` (as they were when
    signing), ``signed_at`` (aware, Europe/Madrid), ``huella`` (the hexadecimal
    ``funcion_resumen`` digest of the file signed, equal to the document's
    ``huella`` at that moment).
    """

    csv_value = None
    csv_regulation = None
    value = None
    reference = None
    xmldsig = None

    def __init__(
        self,
        signature_type,
        signer_id,
        signer_fullname,
        signed_at,
        huella,
        funcion_resumen=HASH_FUNCTION,
        **eni,
    ):
        self.signature_type = signature_type
        self.signer_id = signer_id
        self.signer_fullname = signer_fullname
        self.signed_at = signed_at
        self.huella = huella
        self.funcion_resumen = funcion_resumen
        for name in ("csv_value", "csv_regulation", "value", "reference", "xmldsig"):
            if eni.get(name) is not None:
                setattr(self, name, eni[name])

    def __repr__(self):
        return (
            f"<SignatureRecord {self.signature_type} by {self.signer_id} "
            f"at {self.signed_at.isoformat()}>"
        )


def signatures_of(documento):
    return list(getattr(documento, "signatures", None) or ())


def current_signer():
    user = api.user.get_current()
    user_id = user.getId()
    fullname = user.getProperty("fullname", None) or user_id
    return user_id, fullname


def _csv_part(documento, records):
    """The ENI part of the document's TF01 signature: its CSV (the one drawn
    for it before its bytes were signed, or a new one)."""
    if getattr(documento, "csv", None) or any(
        record.signature_type == CSV_SIGNATURE for record in records
    ):
        raise SigningError("the document already has its CSV signature")
    csv = getattr(documento, PENDING_CSV, None)
    if csv:
        delattr(documento, PENDING_CSV)
    return {"csv_value": csv or unused_csv(), "csv_regulation": csv_regulation()}


def add_signature(documento, signature_type=CSV_SIGNATURE, **eni):
    """Record a signature of ``documento`` by the current user and return it.

    The document must be ``firmado`` (the ``firmar`` transition has just put it
    there, or it was signed before and gets another signature) and its bytes
    must still be those of its fingerprint. A TF01 signature gives the
    document its CSV; a document has one. Certificate-based types need exactly
    one of ``value``, ``reference`` or ``xmldsig``.
    """
    if signature_type not in SIGNATURE_TYPES:
        raise SigningError(f"unknown signature type {signature_type!r}")
    if api.content.get_state(documento, default=None) != Documento.FIRMADO:
        raise SigningError("only a signed (firmado) document takes signatures")
    if documento.file is None:
        raise SigningError("the document has no file")
    huella = _checked_fingerprint(documento)
    records = signatures_of(documento)
    if signature_type == CSV_SIGNATURE:
        eni = _csv_part(documento, records)
    elif not _one_value(eni):
        raise SigningError(
            f"a {signature_type} signature needs one of value, reference or xmldsig"
        )
    record = _append(documento, _by_current_user(signature_type, huella, **eni))
    if signature_type == CSV_SIGNATURE:
        documento.csv = record.csv_value
        documento.reindexObject(idxs=["csv"])
    return record


def add_automated_csv_signature(documento, csv, issuer_name):
    """Record the TF01 signature of a document the portal issues by itself (an
    automated administrative action, such as a register receipt) and return it.

    ``csv`` was drawn with :func:`csvcodes.unused_csv` before the document's bytes were
    made, because the document prints it; ``issuer_name`` is the body on whose
    behalf it is issued. The fingerprint is that of the stored bytes, as for a
    person's signature; the document's state is its workflow's business (a
    receipt follows its entry's), so it is not checked here.
    """
    if getattr(documento, "csv", None) not in (None, csv) or any(
        record.signature_type == CSV_SIGNATURE for record in signatures_of(documento)
    ):
        raise SigningError("the document already has its CSV signature")
    if documento.file is None or not documento.huella:
        raise SigningError("the document has no fingerprinted file")
    record = SignatureRecord(
        CSV_SIGNATURE,
        signer_id=AUTOMATED_SIGNER_ID,
        signer_fullname=issuer_name,
        signed_at=clock.office_now(),
        huella=documento.huella,
        csv_value=csv,
        csv_regulation=csv_regulation(),
    )
    _append(documento, record)
    documento.csv = csv
    documento.reindexObject(idxs=["csv"])
    return record


def add_automated_seal_signature(documento, issuer_name, signature_type="TF06"):
    """Record the seal's certificate signature (PAdES, embedded in the file)
    of a document the portal issues by itself, next to its TF01 one."""
    if documento.file is None or not documento.huella:
        raise SigningError("the document has no fingerprinted file")
    record = SignatureRecord(
        signature_type,
        signer_id=AUTOMATED_SIGNER_ID,
        signer_fullname=issuer_name,
        signed_at=clock.office_now(),
        huella=documento.huella,
        reference="#" + documento.getId(),
    )
    return _append(documento, record)


def add_signature_before_firmado(documento, signature_type, **eni):
    """Record a certificate signature of a document still ``pendiente_firma``
    (one of several required signers, before the last one signs and the
    document becomes ``firmado``) by the current user; the bytes must be
    those of its fingerprint, and ``eni`` one of value/reference/xmldsig."""
    if signature_type not in CERTIFICATE_SIGNATURES:
        raise SigningError(f"not a certificate signature type: {signature_type!r}")
    if api.content.get_state(documento, default=None) != Documento.PENDIENTE_FIRMA:
        raise SigningError("only a document awaiting signature takes this one")
    huella = _checked_fingerprint(documento)
    if not _one_value(eni):
        raise SigningError("a certificate signature needs one of its values")
    return _append(documento, _by_current_user(signature_type, huella, **eni))


def _checked_fingerprint(documento):
    """The SHA-256 of the document's bytes, which must be its fingerprint."""
    huella = sha256_of_file(documento.file)
    if huella != documento.huella:
        raise SigningError("the file does not match the document's fingerprint")
    return huella


def _one_value(eni) -> bool:
    """Whether a certificate signature's ENI part has exactly one of value,
    reference or xmldsig."""
    return (
        sum(eni.get(name) is not None for name in ("value", "reference", "xmldsig"))
        == 1
    )


def _by_current_user(signature_type, huella, **eni):
    """A signature record by the current user, now."""
    signer_id, signer_fullname = current_signer()
    return SignatureRecord(
        signature_type,
        signer_id=signer_id,
        signer_fullname=signer_fullname,
        signed_at=clock.office_now(),
        huella=huella,
        **eni,
    )


def _append(documento, record):
    """Keep ``record`` among the document's signatures; return it."""
    if getattr(documento, "signatures", None) is None:
        documento.signatures = PersistentList()
    documento.signatures.append(record)
    return record
