"""``POST <solicitud>/@emitir``: the requested unit issues its report. And
the request's JSON, which carries its title (“<unit>: <question>”, computed
by :func:`paeria.egov.collaboration.requests.request_title`; the type has no
title field for plone.restapi to serialize).

Body: ``{"documento": "<UID of a document of the expediente>", "comment": "…"}``
(the document is the report: usually the draft the collaborator has just
added to the expediente, which is incorporated as presented). Answers 200
with the request as plone.restapi serializes it (``review_state``
``emitido``, ``documento_respuesta``, ``fecha_emision``); bad input a 400
``{"error": {"type": "BadRequest", "message", "fields": {field: message}}}``
(the one error shape, docs/rest.md);
a refused transition a 400 with its violations. Nothing is stored by a
refused request. Who may: "paeria.egov: Emitir informe" (the requested
unit's Colaborador while the request is pending).
"""

from paeria.egov import _
from paeria.egov.collaboration.requests import emitir
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.solicitudinforme import ISolicitudInforme
from paeria.egov.restapi.service import Service
from paeria.egov.workflow.errors import TransitionRefused
from plone.app.uuid.utils import uuidToObject
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.dxcontent import SerializeToJson
from zope.component import adapter
from zope.component import getMultiAdapter
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.interface import Interface
import transaction


MAX_COMMENT = 5000


@implementer(ISerializeToJson)
@adapter(ISolicitudInforme, Interface)
class SerializeSolicitudInformeToJson(SerializeToJson):
    def __call__(self, version=None, include_items=True):
        result = super().__call__(version=version, include_items=include_items)
        result["title"] = self.context.Title()
        return result


class EmitirPost(Service):
    def refuse_emitir(self, message, errors=None):
        transaction.doom()
        return self.refuse(400, "BadRequest", message, errors)

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        data = self.read_json_object(
            _("error_emitir_body", default="The body must be a JSON object.")
        )
        errors = {}
        comment = data.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            errors["comment"] = _(
                "error_emitir_comment",
                default="The comment must be text of at most ${max} characters.",
                mapping={"max": MAX_COMMENT},
            )
        documento = None
        uid = data.get("documento")
        if not uid or not isinstance(uid, str):
            errors["documento"] = _(
                "error_emitir_documento_required",
                default="Give the UID of the report document in “documento”.",
            )
        else:
            # As the current user: a document they cannot see is not theirs
            # to give as the report.
            documento = uuidToObject(uid.strip()[:64])
            if documento is None or not IDocumento.providedBy(documento):
                errors["documento"] = _(
                    "error_emitir_documento_unknown",
                    default="No document you can see has the UID “${uid}”.",
                    mapping={"uid": uid[:64]},
                )
        if errors:
            first = next(iter(sorted(errors)))
            return self.refuse_emitir(errors[first], errors)
        try:
            emitir(self.context, documento, comment.strip())
        except TransitionRefused as refusal:
            transaction.doom()
            return self.refuse_emitir(
                refusal.text(self.request), {"documento": refusal.text(self.request)}
            )
        serializer = getMultiAdapter((self.context, self.request), ISerializeToJson)
        return serializer()
