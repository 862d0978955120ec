"""Integrity failures found while a request is published, kept on the request
until its end, when they are journalled (:mod:`.downloads`)."""

from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest


# Request annotation: failures found while publishing, journalled at its end.
FAILURES_KEY = "paeria.egov.integrity.failures"


def _annotations(request):
    if request is None:
        return None
    try:
        return IAnnotations(request)
    except TypeError:
        return None


def remember_failure(failure):
    """Keep ``failure`` on the current request, if there is one."""
    annotations = _annotations(getRequest())
    if annotations is not None:
        annotations.setdefault(FAILURES_KEY, []).append(failure)


def take_failures(request):
    """The failures kept on ``request``, forgotten there."""
    annotations = _annotations(request)
    if annotations is None:
        return []
    return annotations.pop(FAILURES_KEY, None) or []
