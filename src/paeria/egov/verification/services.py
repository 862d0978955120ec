"""``GET <portal>/@verificar?csv=…`` and ``GET <portal>/@verificar/download?csv=…``.

The first answers 200 with the document's metadata (see
:func:`paeria.egov.verification.metadata`) and its ``download`` address, the
second the file itself. Any miss answers 404 with the same body
``{"error": {"type": "NotFound", "message": …}}``; an address with too many
misses answers 429 with ``Retry-After``.
"""

from paeria.egov import _
from paeria.egov.events import FileDownloaded
from paeria.egov.http import set_download_headers
from paeria.egov.http import stream
from paeria.egov.integrity.checks import check_document
from paeria.egov.restapi.service import Service
from paeria.egov.verification.lookup import verify
from paeria.egov.verification.metadata import metadata
from paeria.egov.verification.urls import api_url
from zExceptions import NotFound
from zope.event import notify
from zope.i18nmessageid import Message
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
import json


NOT_FOUND = _(
    "error_verification_not_found",
    default="No document can be verified with this code. Check that it was "
    "typed exactly as printed.",
)
TOO_MANY = _(
    "error_verification_throttled",
    default="Too many codes that verified nothing were tried from your address. "
    "Try again in ${seconds} seconds.",
)


@implementer(IPublishTraverse)
class VerificarGet(Service):
    download = False

    def publishTraverse(self, request, name):
        if name == "download" and not self.download:
            self.download = True
            return self
        raise NotFound(name)

    def _json(self, status, body):
        response = self.request.response
        response.setStatus(status)
        response.setHeader("Content-Type", "application/json")
        # A verification answer depends on the code only: never cached shared.
        response.setHeader("Cache-Control", "private, no-store")
        return json.dumps(body, indent=2, sort_keys=True)

    def _error(self, status, type_, message):
        return self._json(status, self.refuse(status, type_, message))

    def render(self):
        self.check_permission()
        outcome = verify(self.request, self.request.form.get("csv"))
        if outcome.retry_after:
            self.request.response.setHeader("Retry-After", str(outcome.retry_after))
            message = Message(TOO_MANY, mapping={"seconds": outcome.retry_after})
            return self._error(429, "TooManyRequests", message)
        verified = outcome.verified
        if verified is None:
            return self._error(404, "NotFound", NOT_FOUND)
        if self.download:
            check_document(verified.documento)
            set_download_headers(self.request.response, verified.documento)
            notify(FileDownloaded(verified.documento, "file", via="csv"))
            return stream(verified.documento)
        return self._json(
            200,
            metadata(verified, self.request, api_url(verified.csv, download=True)),
        )
