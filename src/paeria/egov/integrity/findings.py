"""What can be wrong with a document's file, and the exception that refuses to
serve it."""

from dataclasses import dataclass
from zope.interface import implementer
from zope.interface import Interface


# Problems a document can have.
MISMATCH = "mismatch"
MISSING = "missing"


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
