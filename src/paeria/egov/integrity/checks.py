"""Checking one document: its file against each fingerprint recorded for it,
and refusing to serve it when they differ."""

from Acquisition import aq_base
from paeria.egov import logger as package_logger
from paeria.egov.fingerprints import digest
from paeria.egov.integrity.findings import describe
from paeria.egov.integrity.findings import Finding
from paeria.egov.integrity.findings import IntegrityFailure
from paeria.egov.integrity.findings import MISMATCH
from paeria.egov.integrity.findings import MISSING
from paeria.egov.integrity.pending import remember_failure
from paeria.egov.journal import recording
from paeria.egov.workflow.signing import signatures_of
from plone.uuid.interfaces import IUUID
from ZODB.POSException import POSKeyError


logger = package_logger.getChild("integrity")

# The journal action of a refused download (see the lead's change request:
# journal.recording.ACTIONS and journal.browser.ACTION_LABELS should name it).
INTEGRITY_FAILURE = "integrity_failure"
# The Documento field fingerprinted (its primary field).
FILE_FIELD = "file"


def expected_fingerprints(documento):
    """[(source, hexadecimal SHA-256)] the document's file must match: its
    ``huella``, each signature's and the one it was incorporated with."""
    base = aq_base(documento)
    expected = [("huella", getattr(base, "huella", None))]
    for index, record in enumerate(signatures_of(base)):
        recorded = getattr(record, "huella", None)
        if recorded:
            expected.append((f"signatures[{index}]", recorded))
    incorporated = getattr(base, "huella_incorporada", None)
    if incorporated:
        expected.append(("huella_incorporada", incorporated))
    return expected


def _unreadable_reason(error):
    if isinstance(error, POSKeyError):
        return "blob not in the storage"
    if isinstance(error, FileNotFoundError):
        return "blob file not found"
    return f"{error.__class__.__name__}: {getattr(error, 'strerror', None) or error}"


def inspect(documento):
    """([:class:`Finding`], bytes read): what is wrong with the document's
    file (nothing: an empty list)."""
    path = "/".join(documento.getPhysicalPath())
    uid = IUUID(documento, None)
    expected = expected_fingerprints(documento)
    stored = getattr(aq_base(documento), FILE_FIELD, None)
    if stored is None:
        if any(value for _source, value in expected):
            # Fingerprinted once, the file is gone.
            return [
                Finding(
                    MISSING,
                    path,
                    uid,
                    expected=expected[0][1],
                    reason="the document has no file",
                )
            ], 0
        return [], 0
    try:
        found, size = digest(stored)
    except (OSError, LookupError) as error:
        # POSKeyError is a KeyError: the storage has no blob for the record.
        return [
            Finding(
                MISSING,
                path,
                uid,
                expected=expected[0][1],
                reason=_unreadable_reason(error),
            )
        ], 0
    findings = [
        Finding(MISMATCH, path, uid, source=source, expected=value, found=found)
        for source, value in expected
        if value != found
    ]
    return findings, size


def check_document(documento):
    """Refuse to serve ``documento`` when its file is missing or does not match
    its fingerprints: log an ERROR, have the failure journalled and raise
    :class:`~paeria.egov.integrity.findings.IntegrityFailure` (answered 500 by
    :mod:`paeria.egov.integrity.browser`). Call it before setting a
    download's headers::

        checks.check_document(documento)

    Inside a published request the ``integrity_failure`` entry is written
    whether the exception propagates (then after the request's abort) or is
    caught and answered by the caller (then with the request's commit).
    Elsewhere (scripts) call :func:`record_failure` to journal it.
    """
    findings, _size = inspect(documento)
    if not findings:
        return
    failure = IntegrityFailure(documento, findings)
    for finding in findings:
        logger.error("Integrity check failed, download refused: %s", describe(finding))
    remember_failure(failure)
    raise failure


def record_failure(failure):
    """Journal ``failure`` on its document in the current transaction."""
    return recording.record(
        failure.documento,
        INTEGRITY_FAILURE,
        field=FILE_FIELD,
        findings=[finding.as_dict() for finding in failure.findings],
    )
