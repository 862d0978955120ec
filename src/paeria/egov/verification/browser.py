"""``@@verificar``: the public verification page, and ``@@verificar/download``.

Without ``csv`` the page shows the form; with it, the document's metadata and a
download link, or, for every miss, the same message with status 404. An
address with too many misses gets 429 with ``Retry-After``.
"""

from paeria.egov.events import FileDownloaded
from paeria.egov.http import set_download_headers
from paeria.egov.http import stream
from paeria.egov.integrity.checks import check_document
from paeria.egov.verification.lookup import verify
from paeria.egov.verification.metadata import metadata
from paeria.egov.verification.services import NOT_FOUND
from paeria.egov.verification.services import TOO_MANY
from paeria.egov.verification.urls import page_url
from Products.Five.browser import BrowserView
from zExceptions import NotFound
from zope.event import notify
from zope.i18nmessageid import Message
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


@implementer(IPublishTraverse)
class VerificarView(BrowserView):
    download = False
    result = None
    error = None

    def publishTraverse(self, request, name):
        if name == "download" and not self.download:
            self.download = True
            return self
        raise NotFound(name)

    def submitted(self):
        return "csv" in self.request.form

    def value(self):
        raw = self.request.form.get("csv")
        return raw[:80] if isinstance(raw, str) else ""

    def __call__(self):
        response = self.request.response
        response.setHeader("Cache-Control", "private, no-store")
        if not self.submitted() and not self.download:
            return self.index()
        outcome = verify(self.request, self.request.form.get("csv"))
        if outcome.retry_after:
            response.setStatus(429)
            response.setHeader("Retry-After", str(outcome.retry_after))
            self.error = Message(TOO_MANY, mapping={"seconds": outcome.retry_after})
            return self.index()
        verified = outcome.verified
        if verified is None:
            response.setStatus(404)
            self.error = NOT_FOUND
            return self.index()
        if self.download:
            check_document(verified.documento)
            set_download_headers(response, verified.documento)
            notify(FileDownloaded(verified.documento, "file", via="csv"))
            return stream(verified.documento)
        self.result = metadata(
            verified, self.request, page_url(verified.csv, download=True)
        )
        return self.index()
