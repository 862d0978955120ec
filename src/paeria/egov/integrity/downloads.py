"""The publisher's side of the integrity check: a Documento's file re-checked
before plone.namedfile streams it, and the refusals journalled whatever
becomes of the request (subscribers registered in configure.zcml)."""

from paeria.egov.content.documento import IDocumento
from paeria.egov.integrity.checks import check_document
from paeria.egov.integrity.checks import FILE_FIELD
from paeria.egov.integrity.checks import logger
from paeria.egov.integrity.checks import record_failure
from paeria.egov.integrity.pending import take_failures
from paeria.egov.interfaces import IPaeriaEgovLayer
from plone.namedfile.browser import Download
from ZODB.POSException import ConflictError
import transaction


# Attempts at journalling a failure after the request was aborted.
JOURNAL_ATTEMPTS = 3


def is_documento_download(published):
    """Whether ``published`` is plone.namedfile's ``@@download`` or
    ``@@display-file`` of a Documento's fingerprinted file."""
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
    for failure in take_failures(event.request):
        record_failure(failure)


def journal_failures_after_abort(event):
    """IPubFailure: the request's transaction was aborted (the failure
    propagated to the publisher): journal its failures in a transaction of
    their own, so that the refusal leaves its trace."""
    failures = take_failures(event.request)
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
