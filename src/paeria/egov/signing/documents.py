"""Signing the portal's documents with the employee's certificate: the one
code path of ``POST @firmar`` and of the Classic UI's "pending my signature"
form (docs/signatures.md).

:func:`sign_documents` opens the signer's key once with the PIN (a wrong PIN,
a locked key or no key refuses the whole batch, before any document is
touched), then signs each document on its own, all or nothing: inside a
savepoint it draws the document's CSV, stamps and signs a PDF (PAdES, TF06;
the signed bytes replace the file and give the document its fingerprint) or
signs any other file detached (CAdES, TF04; the signature is kept beside the
content), keeps the unsigned file as the document's earlier version
(``original_sin_firmar``), and — when it is the last signature the document
needs (``signers.required_signers``) — takes the ``firmar`` transition, whose
subscriber records the TF01 signature with that same CSV; the certificate
signature is recorded next to it. An earlier signer's signature is recorded
while the document stays ``pendiente_firma``, its CSV kept for the last. A
document that cannot be signed is rolled back to its savepoint and reported
with the reason; the others go on.
"""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.content.documento import IDocumento
from paeria.egov.csvcodes import unused_csv
from paeria.egov.events import DocumentSigned
from paeria.egov.events import SigningKeyLocked
from paeria.egov.fingerprints import sha256_of_file
from paeria.egov.signing import keys
from paeria.egov.signing.engine import signature_type_for
from paeria.egov.signing.engine import Signatures
from paeria.egov.signing.engine import TF06_PADES
from paeria.egov.signing.pades import PdfSigningError
from paeria.egov.signing.signers import certificate_records
from paeria.egov.signing.signers import has_signed
from paeria.egov.signing.signers import required_signers
from paeria.egov.signing.validation import signer_identity
from paeria.egov.states import Documento
from paeria.egov.workflow.rules import transition_violations
from paeria.egov.workflow.signing import add_signature
from paeria.egov.workflow.signing import add_signature_before_firmado
from paeria.egov.workflow.signing import PENDING_CSV
from paeria.egov.workflow.signing import SIGNING_NOW
from plone import api
from plone.namedfile.file import NamedBlobFile
from plone.uuid.interfaces import IUUID
from zope.event import notify
from zope.globalrequest import getRequest
from zope.i18n import translate
import datetime
import logging
import transaction


logger = logging.getLogger("paeria.egov.signing")

SIGNED = "signed"
REFUSED = "refused"


class SigningRefused(Exception):
    """The whole batch is refused (no document was touched)."""

    def __init__(self, status, message, field="pin", locked_until=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.locked_until = locked_until


def open_signer(signatures, user_id, pin, where):
    """The user's signer; :class:`SigningRefused` naming the field at fault.
    The PIN goes to the key store only: never logged, never in a message.
    A lock is journalled on ``where`` (the first document of the batch)."""
    if not isinstance(pin, str) or not pin:
        raise SigningRefused(
            400, _("error_firmar_pin_missing", default="Type your signing PIN.")
        )
    try:
        return signatures.employee(user_id, pin)
    except keys.NoKey:
        raise SigningRefused(
            400,
            _(
                "error_firmar_no_certificate",
                default="You have no signing certificate in this portal.",
            ),
            field="user",
        ) from None
    except keys.KeyLocked as locked:
        if locked.just_locked:
            notify(SigningKeyLocked(where, user_id, _iso(locked.locked_until)))
        raise SigningRefused(
            423,
            _(
                "error_firmar_key_locked",
                default="Your signing key is locked after three wrong PINs, until "
                "${until}.",
                mapping={"until": _until(locked.locked_until)},
            ),
            locked_until=locked.locked_until,
        ) from None
    except keys.WrongPin as wrong:
        raise SigningRefused(
            400,
            _(
                "error_firmar_wrong_pin",
                default="Wrong PIN: ${remaining} attempt(s) left before your "
                "signing key is locked for 15 minutes.",
                mapping={"remaining": wrong.remaining},
            ),
        ) from None


def _madrid(epoch):
    moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return moment.astimezone(clock.MADRID)


def _until(epoch):
    return _madrid(epoch).strftime("%H:%M")


def _iso(epoch):
    return _madrid(epoch).isoformat()


def find_document(reference):
    """The document a client names by UID, path or URL, or None."""
    if not isinstance(reference, str) or not reference.strip():
        return None
    reference = reference.strip()
    portal = api.portal.get()
    portal_url = portal.absolute_url()
    if reference.startswith(portal_url):
        reference = reference[len(portal_url) :] or "/"
    if "/" in reference:
        obj = api.content.get(path=reference)
    else:
        obj = api.content.get(UID=reference)
    return obj if IDocumento.providedBy(obj) else None


def may_sign(documento):
    """Whether the current user may take ``firmar`` on ``documento`` now."""
    workflow = api.portal.get_tool("portal_workflow")
    return any(
        transition["id"] == Documento.FIRMAR
        for transition in workflow.getTransitionsFor(documento)
    )


def stamp_lines(signer_name, nif, moment, csv, request):
    verification = f"{api.portal.get().absolute_url()}/@@verificar?csv={csv}"
    lines = (
        _(
            "signing_stamp_signed_by",
            default="Document signed electronically by ${name} (NIF ${nif}) on "
            "${date} at ${time} (Madrid time).",
            mapping={
                "name": signer_name,
                "nif": nif or "-",
                "date": moment.strftime("%d/%m/%Y"),
                "time": moment.strftime("%H:%M:%S"),
            },
        ),
        _(
            "signing_stamp_verify",
            default="CSV: ${csv}. Verify it at ${url}",
            mapping={"csv": csv, "url": verification},
        ),
    )
    return [translate(line, context=request) for line in lines]


def _sign_bytes(signatures, signer, documento, csv, request):
    """(new file bytes or None, signature type, detached signature or None)."""
    data = documento.file.data
    kind = signature_type_for(documento.file.contentType)
    if kind == TF06_PADES:
        name, nif, _organisation = signer_identity(signer.signing_cert)
        lines = stamp_lines(name, nif, clock.office_now(), csv, request)
        return signatures.sign_pdf(data, signer, lines, signer_line=name), kind, None
    return None, kind, signatures.sign_detached(data, signer)


def check_may_sign(documento):
    """DocumentRefused unless the current user may sign ``documento`` now."""
    if api.content.get_state(documento, default=None) != Documento.PENDIENTE_FIRMA:
        raise DocumentRefused(
            _("error_firmar_not_pending", default="It is not awaiting signature.")
        )
    if not may_sign(documento):
        raise DocumentRefused(
            _("error_firmar_not_allowed", default="You may not sign it.")
        )
    if has_signed(documento, api.user.get_current().getId()):
        raise DocumentRefused(
            _("error_firmar_signed_already", default="You have signed it already.")
        )


def _replace_file(documento, signed_bytes):
    """The signed bytes become the file, and the fingerprint theirs, before
    the document is immutable; the unsigned file is kept (the first time)."""
    original = documento.file
    if getattr(documento, "original_sin_firmar", None) is None:
        documento.original_sin_firmar = original
    documento.file = NamedBlobFile(
        data=signed_bytes, filename=original.filename, contentType=original.contentType
    )
    documento.huella = sha256_of_file(documento.file)


def sign_one(signatures, signer, documento, request):
    """Sign ``documento`` (see the module's docstring); raises on refusal,
    leaving the savepoint's rollback to the caller."""
    check_may_sign(documento)
    # The CSV is drawn at the first signature (its stamp prints it) and kept
    # until the last one gives it to the TF01 signature.
    csv = getattr(documento, PENDING_CSV, None) or unused_csv()
    setattr(documento, PENDING_CSV, csv)
    setattr(documento, SIGNING_NOW, True)
    violations = transition_violations(documento, Documento.FIRMAR)
    if violations:
        raise DocumentRefused(*violations)
    signed_bytes, kind, detached = _sign_bytes(
        signatures, signer, documento, csv, request
    )
    if signed_bytes is not None:
        _replace_file(documento, signed_bytes)
    eni = {"reference": f"#{IUUID(documento)}"} if detached is None else {}
    eni = eni or {"value": detached}
    last = len(certificate_records(documento)) + 1 >= required_signers(documento)
    if last:
        api.content.transition(obj=documento, transition=Documento.FIRMAR)
        record = add_signature(documento, kind, **eni)
    else:
        record = add_signature_before_firmado(documento, kind, **eni)
    documento.reindexObject()
    _name, nif, _organisation = signer_identity(signer.signing_cert)
    notify(
        DocumentSigned(
            documento, signature_type=kind, signer_nif=nif, huella=documento.huella
        )
    )
    return {
        "status": SIGNED,
        "signature_type": kind,
        "firmado": last,
        "signatures_left": required_signers(documento)
        - len(certificate_records(documento)),
        "csv": csv,
        "huella": documento.huella,
        "signed_at": record.signed_at.isoformat(),
    }


class DocumentRefused(Exception):
    def __init__(self, *messages):
        super().__init__("refused")
        self.messages = messages


def sign_documents(references, pin, signatures=None):
    """Sign every document of ``references`` (UIDs, paths or URLs) with the
    current user's certificate; one report per reference, in order."""
    request = getRequest()
    signatures = signatures or Signatures()
    user_id = api.user.get_current().getId()
    documents = [find_document(reference) for reference in references]
    where = next((doc for doc in documents if doc is not None), None)
    if where is None:
        where = api.portal.get()["unidades"]
    signer = open_signer(signatures, user_id, pin, where)
    reports = []
    for reference, documento in zip(references, documents, strict=True):
        report = {"document": reference}
        if documento is None:
            message = _("error_firmar_no_document", default="No such document.")
            reports.append(report | _refused(request, message))
            continue
        report["@id"] = documento.absolute_url()
        report["UID"] = IUUID(documento)
        savepoint = transaction.savepoint()
        try:
            report |= sign_one(signatures, signer, documento, request)
        except DocumentRefused as refused:
            savepoint.rollback()
            report |= _refused(request, *refused.messages)
        except PdfSigningError:
            savepoint.rollback()
            message = _(
                "error_firmar_unreadable_pdf",
                default="Its PDF cannot be read or signed.",
            )
            report |= _refused(request, message)
        except Exception:
            # Nothing of it is kept; the reason is in the log (never the PIN:
            # it is not in scope here).
            savepoint.rollback()
            logger.exception("signing %s failed", report["@id"])
            message = _(
                "error_firmar_failed",
                default="It could not be signed; nothing was changed.",
            )
            report |= _refused(request, message)
        finally:
            # Volatile: only this request's own firmar may go through.
            documento.__dict__.pop(SIGNING_NOW, None)
        reports.append(report)
    return reports


def _refused(request, *messages):
    return {
        "status": REFUSED,
        "reason": " ".join(translate(message, context=request) for message in messages),
    }
