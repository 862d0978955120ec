"""Integrity of documents: the stored bytes still are those fingerprinted.

Every Documento records the SHA-256 of its file when the file is stored
(``huella``, ``expedientes/subscribers.py``); a signature records the fingerprint
of the bytes it signed (``SignatureRecord.huella``) and an incorporated
document the one of the bytes it was received with (``huella_incorporada``).
Nothing in the portal changes a blob without recomputing ``huella``, so a
difference means the bytes were altered or lost *behind the portal's back*:
a disk fault, a bad restore, somebody editing the blob directory.

Two things look for that:

- every download of a document's file is re-checked before a byte is served
  (:func:`check_download` for plone.namedfile's ``@@download`` and
  ``@@display-file``; :func:`check_document` for the other download points).
  A failure refuses the download with 500 (:mod:`.browser`), logs an ERROR
  and journals ``integrity_failure`` on the document, whatever becomes of
  the request's own transaction (:func:`journal_failures_before_commit`,
  :func:`journal_failures_after_abort`);
- :func:`scan` reads every document's blob and reports every mismatch and
  missing blob, for ``paeria-instance integrity-scan``, the consistency check
  of a restore (:func:`consistency`) and ``GET @integrity-scan``.

Why 500 and not 409: the request is right and the fault is the server's (its
stored data is damaged); nothing the client can change makes it succeed, and
monitoring counts 5xx as the server's problems. The body says precisely what
happened.
"""

from Acquisition import aq_base
from dataclasses import dataclass
from dataclasses import field
from paeria.egov import logger as package_logger
from paeria.egov.content.documento import IDocumento
from paeria.egov.fingerprints import digest
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.journal import recording
from paeria.egov.journal import verification
from paeria.egov.workflow.signing import signatures_of
from zope.globalrequest import getRequest
from zope.interface import implementer
from zope.interface import Interface
import time
import transaction


logger = package_logger.getChild("integrity")

# The journal action of a refused download (see the lead's change request:
# journal.recording.ACTIONS and journal.browser.ACTION_LABELS should name it).
INTEGRITY_FAILURE = "integrity_failure"
# The Documento field fingerprinted (its primary field).
FILE_FIELD = "file"
BATCH_SIZE = 100
# Problems a document can have.
MISMATCH = "mismatch"
MISSING = "missing"
# Request annotation: failures found while publishing, journalled at its end.
FAILURES_KEY = "paeria.egov.integrity.failures"
# Attempts at journalling a failure after the request was aborted.
JOURNAL_ATTEMPTS = 3


class IIntegrityFailure(Interface):
    """Marker of :class:`IntegrityFailure`, for its exception view."""


@dataclass
class Finding:
    """One problem of one document.

    ``problem`` is :data:`MISMATCH` (``found`` differs from the fingerprint
    ``expected`` recorded in ``source``: ``huella``, ``signatures[i]`` or
    ``huella_incorporada``) or :data:`MISSING` (the file or its blob cannot be
    read; ``reason`` says why and ``found`` is None).
    """

    problem: str
    path: str
    uid: str
    source: str = "huella"
    expected: str = None
    found: str = None
    reason: str = None

    def as_dict(self):
        data = {
            "path": self.path,
            "uid": self.uid,
            "source": self.source,
            "expected": self.expected,
            "found": self.found,
        }
        if self.reason:
            data["reason"] = self.reason
        return data


@implementer(IIntegrityFailure)
class IntegrityFailure(Exception):
    """A document's file is not what its fingerprints say: it must not be
    served. ``findings`` are the :class:`Finding` of the document."""

    def __init__(self, documento, findings):
        self.documento = documento
        self.findings = list(findings)
        described = "; ".join(describe(finding) for finding in self.findings)
        super().__init__(f"integrity check failed: {described}")


def describe(finding):
    if finding.problem == MISSING:
        return f"{finding.path} ({finding.uid}): file missing ({finding.reason})"
    return (
        f"{finding.path} ({finding.uid}): {finding.source} is {finding.expected}, "
        f"the stored file hashes to {finding.found}"
    )


# -- Checking one document ---------------------------------------------------------


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
    from ZODB.POSException import POSKeyError

    if isinstance(error, POSKeyError):
        return "blob not in the storage"
    if isinstance(error, FileNotFoundError):
        return "blob file not found"
    return f"{error.__class__.__name__}: {getattr(error, 'strerror', None) or error}"


def inspect(documento):
    """([:class:`Finding`], bytes read): what is wrong with the document's
    file (nothing: an empty list)."""
    from plone.uuid.interfaces import IUUID

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
    :class:`IntegrityFailure` (answered 500 by :mod:`.browser`). Call it
    before setting a download's headers::

        integrity.check_document(documento)

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
    _remember(failure)
    raise failure


def record_failure(failure):
    """Journal ``failure`` on its document in the current transaction."""
    return recording.record(
        failure.documento,
        INTEGRITY_FAILURE,
        field=FILE_FIELD,
        findings=[finding.as_dict() for finding in failure.findings],
    )


# -- Downloads, and journalling whatever the request's outcome ---------------------


def _annotations(request):
    from zope.annotation.interfaces import IAnnotations

    if request is None:
        return None
    try:
        return IAnnotations(request)
    except TypeError:
        return None


def _remember(failure):
    annotations = _annotations(getRequest())
    if annotations is not None:
        annotations.setdefault(FAILURES_KEY, []).append(failure)


def _take_failures(request):
    annotations = _annotations(request)
    if annotations is None:
        return []
    return annotations.pop(FAILURES_KEY, None) or []


def is_documento_download(published):
    """Whether ``published`` is plone.namedfile's ``@@download`` or
    ``@@display-file`` of a Documento's fingerprinted file."""
    from plone.namedfile.browser import Download

    published = getattr(published, "__self__", published)
    if not isinstance(published, Download):
        return False
    if not IDocumento.providedBy(published.context):
        return False
    # No field named: plone.namedfile serves the primary field, the file.
    return (published.fieldname or FILE_FIELD) == FILE_FIELD


def check_download(event):
    """IPubAfterTraversal: re-check a Documento's file before plone.namedfile
    streams it (``@@download``, ``@@display-file`` and their subclasses); the
    user was authorised by traversal already. A HEAD request serves no bytes
    and is not checked."""
    request = event.request
    if not IPaeriaEgovLayer.providedBy(request):
        return
    if request.get("REQUEST_METHOD", "GET") == "HEAD":
        return
    published = request.get("PUBLISHED")
    if not is_documento_download(published):
        return
    published = getattr(published, "__self__", published)
    check_document(published.context)


def journal_failures_before_commit(event):
    """IPubBeforeCommit: failures a view caught and answered itself are
    journalled with the request's commit."""
    for failure in _take_failures(event.request):
        record_failure(failure)


def journal_failures_after_abort(event):
    """IPubFailure: the request's transaction was aborted (the failure
    propagated to the publisher): journal its failures in a transaction of
    their own, so that the refusal leaves its trace."""
    from ZODB.POSException import ConflictError

    failures = _take_failures(event.request)
    if not failures or event.retry:
        # A retried request runs again and meets the failure again.
        return
    for attempt in range(1, JOURNAL_ATTEMPTS + 1):
        try:
            transaction.begin()
            for failure in failures:
                record_failure(failure)
            transaction.commit()
            return
        except ConflictError:
            transaction.abort()
            if attempt == JOURNAL_ATTEMPTS:
                logger.exception("Could not journal the integrity failure")
        except Exception:
            transaction.abort()
            logger.exception("Could not journal the integrity failure")
            return


# -- Scanning every document -------------------------------------------------------


@dataclass
class ScanResult:
    """What :func:`scan` found. ``total`` is how many documents the catalog
    lists; ``checked`` how many were read (all of them once finished)."""

    total: int = 0
    checked: int = 0
    bytes_read: int = 0
    mismatches: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self):
        return not self.mismatches and not self.missing

    def add(self, findings):
        for finding in findings:
            target = self.missing if finding.problem == MISSING else self.mismatches
            target.append(finding)

    def as_dict(self):
        return {
            "ok": self.ok,
            "total": self.total,
            "checked": self.checked,
            "bytes_read": self.bytes_read,
            "mismatches": [finding.as_dict() for finding in self.mismatches],
            "missing": [finding.as_dict() for finding in self.missing],
            "seconds": round(self.seconds, 3),
        }


def _documento_paths(site):
    catalog = site.portal_catalog
    brains = catalog.unrestrictedSearchResults(portal_type="Documento", sort_on="path")
    return [(brain.getPath(), brain.UID) for brain in brains]


def scan(site, progress=None, batch_size=BATCH_SIZE):
    """Read every Documento's file the catalog lists (unrestricted), hash it
    and compare with its fingerprints; return a :class:`ScanResult`.

    ``progress(result)``, when given, is called after each batch of
    ``batch_size`` documents and once at the end (``result.seconds`` is the
    time so far). Read-only: nothing is written, nothing journalled. Between
    batches the connection's cache is trimmed, so that a scan of 200,000
    documents does not hold them all in memory.
    """
    started = time.monotonic()
    result = ScanResult()
    items = _documento_paths(site)
    result.total = len(items)
    connection = site._p_jar
    for start in range(0, len(items), batch_size):
        for path, uid in items[start : start + batch_size]:
            try:
                documento = site.unrestrictedTraverse(path)
            except (KeyError, AttributeError, LookupError):
                # A catalog entry without its object.
                result.add([Finding(MISSING, path, uid, reason="object not found")])
                result.checked += 1
                continue
            findings, size = inspect(documento)
            result.add(findings)
            result.bytes_read += size
            result.checked += 1
        if connection is not None:
            connection.cacheGC()
        result.seconds = time.monotonic() - started
        if progress is not None:
            progress(result)
    result.seconds = time.monotonic() - started
    if progress is not None and not items:
        progress(result)
    return result


# -- The consistency check of a restore --------------------------------------------

COUNTED_TYPES = (
    "Expediente",
    "Documento",
    "Asiento",
    "Notificacion",
    "SolicitudInforme",
    "Procedimiento",
    "Unidad",
)


# The "state" of an object without a workflow (a Unidad).
NO_STATE = "none"


def counts(site):
    """{portal_type: {"total": n, "states": {review_state: n}}} from the
    catalog (unrestricted) for the domain's types."""
    catalog = site.portal_catalog
    result = {}
    for portal_type in COUNTED_TYPES:
        states = {}
        total = 0
        for brain in catalog.unrestrictedSearchResults(portal_type=portal_type):
            state = brain.review_state or NO_STATE
            states[state] = states.get(state, 0) + 1
            total += 1
        result[portal_type] = {"total": total, "states": dict(sorted(states.items()))}
    return result


def consistency(site, progress=None, batch_size=BATCH_SIZE):
    """The consistency check of a restored portal: counts, the integrity scan
    and the journal's chains (verified without sealing: nothing is written).

    Returns ``{"counts": {...}, "integrity": {...}, "journal": {...},
    "ok": bool}``; ``integrity`` is :meth:`ScanResult.as_dict` and
    ``journal`` :meth:`paeria.egov.journal.verification.Verification.as_dict` (both with
    ``ok``). The shape is relied upon by the backup/restore system tests.
    """
    integrity = scan(site, progress=progress, batch_size=batch_size)
    chains = verification.verify(site, seal_first=False)
    return {
        "counts": counts(site),
        "integrity": integrity.as_dict(),
        "journal": chains.as_dict(),
        "ok": integrity.ok and chains.ok,
    }
