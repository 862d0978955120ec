"""HTTP helpers every feature that answers a request shares.

- :func:`client_address`: who a request came from, as the journal, the
  notifications' evidence and the CSV verification's throttle record it.
  ``REMOTE_ADDR``; only when the portal says it is behind a trusted proxy
  (environment variable ``PAERIA_EGOV_TRUSTED_PROXY=1`` or the registry record
  ``paeria.egov.verification_trusted_proxy``) the first address of
  ``X-Forwarded-For`` is taken instead, because otherwise any client could
  pick a fresh address with every request.
- :func:`set_download_headers` and :func:`stream`: a Documento's file sent as
  a download that the browser will not run in the portal's origin.
- :func:`safe_download_name`: every response's ``Content-Disposition``
  (ours, plone.namedfile's ``@@download``/``@@display-file``) rebuilt from the
  safe file name, with ``filename`` and ``filename*``
  (:mod:`paeria.egov.filenames`).

(``paeria.egov.http``; absolute imports keep it apart from the standard
library's :mod:`http`.)
"""

from paeria.egov.filenames import content_disposition
from paeria.egov.filenames import safe_disposition
from plone import api
from plone.namedfile.utils import set_headers
from plone.namedfile.utils import stream_data
import os


TRUSTED_PROXY_ENV = "PAERIA_EGOV_TRUSTED_PROXY"
TRUSTED_PROXY_RECORD = "paeria.egov.verification_trusted_proxy"
TRUE_VALUES = ("1", "true", "yes", "on")


def behind_trusted_proxy():
    if os.environ.get(TRUSTED_PROXY_ENV, "").strip().lower() in TRUE_VALUES:
        return True
    return bool(api.portal.get_registry_record(TRUSTED_PROXY_RECORD, default=False))


def client_address(request):
    if behind_trusted_proxy():
        forwarded = request.getHeader("X-Forwarded-For") or ""
        first = forwarded.split(",")[0].strip()
        if first:
            return first
    return request.environ.get("REMOTE_ADDR") or "unknown"


def set_download_headers(response, documento):
    named_file = documento.file
    set_headers(named_file, response, filename=named_file.filename or "documento")
    response.setHeader("Content-Disposition", content_disposition(named_file.filename))
    # Whatever the file is, the browser must not run it in the portal's origin.
    response.setHeader("X-Content-Type-Options", "nosniff")
    response.setHeader("Content-Security-Policy", "sandbox")
    response.setHeader("Cache-Control", "private, no-store")


def stream(documento):
    return stream_data(documento.file)


def safe_download_name(event):
    """``IPubBeforeCommit``: the response's ``Content-Disposition``, whoever
    set it, names the safe file name, in ASCII and in UTF-8."""
    response = event.request.response
    value = response.getHeader("Content-Disposition")
    if value:
        response.setHeader("Content-Disposition", safe_disposition(value))
