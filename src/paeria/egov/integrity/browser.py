"""A refused download: 500 with a message saying why, JSON for the REST API
and a page for the Classic UI. The exception view (``index.html``) of
:class:`paeria.egov.integrity.findings.IntegrityFailure`, more specific than Plone's
and plone.rest's views for ``Exception``.

No internals in the answer: neither the path on disk nor the fingerprints;
those are in the log and the journal.
"""

from paeria.egov import _
from paeria.egov.restapi.errorviews import ReadableErrorView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile


STATUS = 500
ERROR_TYPE = "IntegrityFailure"
HEADING = _(
    "heading_integrity_failure", default="The document failed its integrity check"
)
HELP = _(
    "help_integrity_failure",
    default="Your request was correct. Please contact the council's offices if "
    "you need this document.",
)


def failure_message(documento):
    return _(
        "error_integrity_failure",
        default="The document “${title}” failed its integrity check: its file no "
        "longer matches the fingerprint recorded when it was stored, so it is not "
        "served. The incident has been recorded and the portal's administrators "
        "have been alerted.",
        mapping={"title": documento.Title()},
    )


class IntegrityFailureView(ReadableErrorView):
    status = STATUS
    error_type = ERROR_TYPE
    heading = HEADING
    help = HELP
    page = ViewPageTemplateFile("templates/integrity_failure.pt")

    def message(self):
        return failure_message(self.context.documento)
