"""``@@pendientes-firma``: the documents awaiting the current user's
signature, with select-all and one PIN for all of them; posting signs them
through :func:`signing.documents.sign_documents` (the code path of
``POST @firmar``) and shows what happened to each."""

from paeria.egov import _
from paeria.egov.signing.documents import may_sign
from paeria.egov.signing.documents import sign_documents
from paeria.egov.signing.documents import SIGNED
from paeria.egov.signing.documents import SigningRefused
from paeria.egov.signing.engine import Signatures
from paeria.egov.states import Documento
from plone import api
from plone.protect import CheckAuthenticator
from plone.uuid.interfaces import IUUID
from Products.Five.browser import BrowserView
from zope.i18n import translate


# The PIN's form field: Zope obscures the fields whose name holds "passw"
# wherever it prints a request (the error log), so the PIN never shows there.
PIN_FIELD = "pin_password"

# The list shows at most this many documents (the oldest first).
MAX_LISTED = 200


class PendientesFirmaView(BrowserView):
    reports = None
    error = None

    def has_certificate(self):
        user_id = api.user.get_current().getId()
        return Signatures().has_certificate(user_id)

    def pending(self):
        """The documents awaiting signature that the user may sign."""
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog(
            portal_type="Documento",
            review_state=Documento.PENDIENTE_FIRMA,
            sort_on="modified",
        )
        rows = []
        for brain in brains:
            documento = brain.getObject()
            if not may_sign(documento):
                continue
            rows.append(
                {
                    "uid": IUUID(documento),
                    "title": documento.Title(),
                    "url": documento.absolute_url(),
                    "expediente": getattr(documento.aq_parent, "numero", None)
                    or documento.aq_parent.Title(),
                    "filename": getattr(documento.file, "filename", None),
                }
            )
            if len(rows) >= MAX_LISTED:
                break
        return rows

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            self.sign()
        return self.index()

    def sign(self):
        uids = self.request.form.get("documents") or []
        if isinstance(uids, str):
            uids = [uids]
        if not uids:
            self.error = translate(
                _(
                    "error_firmar_none_selected",
                    default="Select the documents to sign.",
                ),
                context=self.request,
            )
            return
        try:
            self.reports = sign_documents(uids, self.request.form.get(PIN_FIELD))
        except SigningRefused as refused:
            self.request.response.setStatus(refused.status)
            self.error = translate(refused.message, context=self.request)
            return
        signed = sum(report["status"] == SIGNED for report in self.reports)
        api.portal.show_message(
            _(
                "message_firmados",
                default="${signed} of ${total} documents signed.",
                mapping={"signed": signed, "total": len(self.reports)},
            ),
            request=self.request,
        )
