"""The integrity scan: every Documento's file the catalog lists, read, hashed
and compared with its fingerprints, in batches."""

from dataclasses import dataclass
from dataclasses import field
from paeria.egov.integrity.checks import inspect
from paeria.egov.integrity.findings import Finding
from paeria.egov.integrity.findings import MISSING
import time


BATCH_SIZE = 100


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
