"""Classic UI of report requests: the request's page and the @@emitir form
in which the requested unit names its report document."""

from paeria.egov import _
from paeria.egov.collaboration.requests import answer_candidates
from paeria.egov.collaboration.requests import answer_document
from paeria.egov.collaboration.requests import emitir
from paeria.egov.collaboration.requests import request_unit_title
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.states import SolicitudInforme
from paeria.egov.viewhelpers import deadline_status
from paeria.egov.viewhelpers import localized_date
from paeria.egov.viewhelpers import state_title
from paeria.egov.viewhelpers import term_title
from paeria.egov.workflow.errors import TransitionRefused
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import Forbidden
import transaction


EMITIR_PERMISSION = "paeria.egov: Emitir informe"
ADD_DOCUMENTO_PERMISSION = "paeria.egov: Add Documento"


class SolicitudInformeView(BrowserView):
    def __call__(self):
        self.update()
        return self.index()

    def update(self):
        context = self.context
        self.state = api.content.get_state(context, default=None)
        self.pending = self.state == SolicitudInforme.PENDIENTE
        self.deadline = (
            deadline_status(context.fecha_limite, self.request)
            if self.pending
            else {"text": "", "urgent": False, "overdue": False}
        )
        expediente = enclosing_expediente(context)
        self.expediente = (
            {
                "title": expediente.Title(),
                "numero": expediente.numero or "",
                "url": expediente.absolute_url(),
            }
            if expediente is not None
            else None
        )

    @property
    def unit_title(self):
        return request_unit_title(self.context)

    @property
    def state_title(self):
        return state_title(self.context, self.request)

    @property
    def requested_by(self):
        user_id = self.context.solicitante
        if not user_id:
            return ""
        user = api.user.get(userid=user_id)
        fullname = user.getProperty("fullname", None) if user is not None else None
        return fullname or user_id

    def dates(self):
        context = self.context
        return {
            "requested": localized_date(context.fecha_solicitud, long_format=True),
            "deadline": localized_date(context.fecha_limite),
            "issued": localized_date(context.fecha_emision, long_format=True),
            "cancelled": localized_date(context.fecha_cancelacion, long_format=True),
        }

    def answer(self):
        """The answer document, named and linked when the user may open it."""
        if not self.context.documento_respuesta:
            return None
        documento = uuidToObject(self.context.documento_respuesta)
        if documento is None:
            hidden = answer_document(self.context)
            return {"title": hidden.Title() if hidden else "", "url": None}
        return {"title": documento.Title(), "url": documento.absolute_url()}

    def can_emitir(self):
        return self.pending and api.user.has_permission(
            EMITIR_PERMISSION, obj=self.context
        )

    def emitir_url(self):
        return f"{self.context.absolute_url()}/@@emitir"


class EmitirForm(BrowserView):
    """Choose the report among the documents of the expediente the user may
    see (their drafts, the incorporated ones), optionally add one first, and
    issue. Protected by "paeria.egov: Emitir informe" (configure.zcml)."""

    def __call__(self):
        self.errors = {}
        if self.request.method == "POST" and self.request.form.get("form.submitted"):
            result = self.submit()
            if result is not None:
                return result
        return self.index()

    def candidates(self):
        selected = self.request.form.get("documento")
        for brain in answer_candidates(self.context):
            yield {
                "uid": brain.UID,
                "title": brain.Title,
                "url": brain.getURL(),
                "orden": brain.orden,
                "tipo_documental": term_title(
                    "paeria.egov.TipoDocumental", brain.tipo_documental, self.request
                ),
                "state": brain.review_state,
                "checked": selected == brain.UID,
            }

    def add_documento_url(self):
        expediente = enclosing_expediente(self.context)
        if expediente is None or not api.user.has_permission(
            ADD_DOCUMENTO_PERMISSION, obj=expediente
        ):
            return None
        return f"{expediente.absolute_url()}/++add++Documento"

    def submit(self):
        CheckAuthenticator(self.request)
        if self.request.form.get("form.buttons.cancel"):
            return self.request.response.redirect(self.context.absolute_url())
        if (
            api.content.get_state(self.context, default=None)
            != SolicitudInforme.PENDIENTE
        ):
            raise Forbidden("The request is not pending.")
        uid = self.request.form.get("documento") or ""
        documento = uuidToObject(uid) if isinstance(uid, str) and uid else None
        if documento is None or not IDocumento.providedBy(documento):
            self.errors["documento"] = _(
                "error_emitir_choose_document",
                default="Choose the report document.",
            )
            return None
        comment = self.request.form.get("comment") or ""
        if not isinstance(comment, str):
            comment = ""
        try:
            emitir(self.context, documento, comment.strip()[:5000])
        except TransitionRefused as refusal:
            transaction.doom()
            self.errors["documento"] = refusal.text(self.request)
            return None
        IStatusMessage(self.request).add(
            _("msg_report_issued", default="The report was issued."), type="info"
        )
        expediente = enclosing_expediente(self.context)
        # The requested unit's access may have ended: back to the portal's
        # front page then, not to a page it can no longer open.
        target = self.context
        if not api.user.has_permission("View", obj=target):
            target = expediente if expediente is not None else None
            if target is not None and not api.user.has_permission("View", obj=target):
                target = None
        if target is None:
            target = api.portal.get()
        url = target.absolute_url()
        return self.request.response.redirect(url)
