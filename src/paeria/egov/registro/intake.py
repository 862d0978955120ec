"""What the destination unit does with a distributed entry: open an
expediente from it, or file it into one of its expedientes (Ley 39/2015 art.
16: the register passes each entry to the unit that must deal with it).

Classic UI: the entry's page (``view``) shows the entry, its documents and
receipt, and, to the unit's staff while the entry waits, the two forms.
REST: ``POST <asiento>/@abrir-expediente`` (``{"title"?}``) → 201 and
``POST <asiento>/@adjuntar-expediente`` (``{"expediente": "<AAAA/NNNNNN or
UID>"}``) → 200, both answering the expediente; a refusal is a 400 with the
reasons, and nothing changes.
"""

from AccessControl import Unauthorized
from paeria.egov import _
from paeria.egov.registro.distribution import attach_entry_to_expediente
from paeria.egov.registro.distribution import open_expediente_from_entry
from paeria.egov.registro.receipt import attached_documents
from paeria.egov.registro.receipt import receipt_of
from paeria.egov.restapi.service import Service
from paeria.egov.states import Asiento
from paeria.egov.workflow.errors import TransitionRefused
from plone import api
from plone.protect.authenticator import check as check_authenticator
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zope.i18n import translate
from zope.interface import alsoProvides


def find_expediente(asiento, reference):
    """The expediente named by ``reference`` (its number or UID) among those the
    current user may see, or None."""
    if not isinstance(reference, str) or not reference.strip():
        return None
    reference = reference.strip()
    catalog = api.portal.get_tool("portal_catalog")
    for query in ({"expediente_numero": reference}, {"UID": reference}):
        brains = catalog(portal_type="Expediente", **query)
        if brains:
            return brains[0].getObject()
    return None


def not_found(reference):
    return TransitionRefused(
        [
            _(
                "error_expediente_not_found",
                default="There is no expediente ${reference} that you may work on.",
                mapping={"reference": str(reference or "")[:40]},
            )
        ]
    )


def may_file_into(expediente):
    return api.user.has_permission(
        "paeria.egov: Add Documento", obj=expediente
    ) and api.user.has_permission("Add portal content", obj=expediente)


def attach(asiento, reference):
    expediente = find_expediente(asiento, reference)
    if expediente is None or not may_file_into(expediente):
        raise not_found(reference)
    attach_entry_to_expediente(asiento, expediente)
    return expediente


def may_take_in(asiento):
    """The unit's staff may open or attach while the entry waits."""
    return (
        api.content.get_state(asiento, default=None) == Asiento.DISTRIBUIDO
        and not asiento.expediente
        and api.user.has_permission("paeria.egov: Add Expediente", obj=asiento)
    )


class AsientoView(BrowserView):
    """The entry's page, and the unit's two forms."""

    def __call__(self):
        form = self.request.form
        if self.request.method == "POST" and form.get("form.action") in (
            "abrir",
            "adjuntar",
        ):
            check_authenticator(self.request)
            if not may_take_in(self.context):
                raise Unauthorized("You may not take this entry in.")
            try:
                if form["form.action"] == "abrir":
                    expediente = open_expediente_from_entry(
                        self.context, title=(form.get("title") or "").strip() or None
                    )
                    message = _(
                        "msg_expediente_opened_from_entry",
                        default="Expediente ${numero} opened from this entry.",
                        mapping={"numero": expediente.numero},
                    )
                else:
                    expediente = attach(self.context, form.get("expediente"))
                    message = _(
                        "msg_entry_attached",
                        default="The entry was filed into expediente ${numero}.",
                        mapping={"numero": expediente.numero},
                    )
            except TransitionRefused as refusal:
                for problem in refusal.messages:
                    IStatusMessage(self.request).add(problem, type="error")
            else:
                IStatusMessage(self.request).add(message, type="info")
                self.request.response.redirect(expediente.absolute_url())
                return ""
        return self.index()

    def can_take_in(self):
        return may_take_in(self.context)

    def state_title(self):
        workflow = api.portal.get_tool("portal_workflow")
        return translate(
            workflow.getTitleForStateOnType(
                api.content.get_state(self.context), self.context.portal_type
            ),
            domain="plone",
            context=self.request,
        )

    def documents(self):
        return [
            {
                "title": documento.Title(),
                "url": documento.absolute_url(),
                "filename": documento.file.filename,
                "size": documento.file.getSize(),
                "huella": documento.huella,
            }
            for documento in attached_documents(self.context)
        ]

    def receipt(self):
        return receipt_of(self.context)

    def expediente(self):
        if not self.context.expediente:
            return None
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog(UID=self.context.expediente)
        return brains[0] if brains else None

    def moment(self, value):
        return value.strftime("%d/%m/%Y %H:%M:%S") if value else ""


class IntakeService(Service):
    def refuse_transition(self, refusal):
        return self.refuse(400, "BadRequest", refusal.text(self.request))

    def body(self):
        try:
            data = json_body(self.request)
        except Exception:
            data = None
        return data if isinstance(data, dict) else {}

    def answer(self, expediente, status):
        self.request.response.setStatus(status)
        self.request.response.setHeader("Location", expediente.absolute_url())
        return {
            "@id": expediente.absolute_url(),
            "UID": api.content.get_uuid(expediente),
            "numero": expediente.numero,
            "asiento": self.context.numero,
        }

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        if not may_take_in(self.context):
            return self.refuse_transition(
                TransitionRefused(
                    [
                        _(
                            "error_entry_not_waiting",
                            default="This entry is not waiting for your unit: it "
                            "must be distributed to it and not yet filed.",
                        )
                    ]
                )
            )
        try:
            return self.take_in(self.body())
        except TransitionRefused as refusal:
            return self.refuse_transition(refusal)


class AbrirExpedientePost(IntakeService):
    def take_in(self, data):
        title = data.get("title")
        title = title.strip() if isinstance(title, str) and title.strip() else None
        expediente = open_expediente_from_entry(self.context, title=title)
        return self.answer(expediente, 201)


class AdjuntarExpedientePost(IntakeService):
    def take_in(self, data):
        expediente = attach(self.context, data.get("expediente"))
        return self.answer(expediente, 200)
