"""The JSON of an expediente (plone.restapi): the standard content JSON plus
its suspensions, which are not a schema field: what a client needs to
understand why the legal deadline moved (LPAC arts. 22 and 68), as the
citizen's folder already shows; and who handles it (``tramitador_asignado``:
``{"id", "fullname"}`` or null, LPAC art. 20).

``POST <expediente>/@asignar {"tramitador": "<user id>"}`` reassigns it
(a Responsable of its unit only: 403 otherwise; 400 naming the field
``tramitador`` for someone who is not staff of the unit)."""

from paeria.egov import _
from paeria.egov.content.expediente import IExpediente
from paeria.egov.expedientes.assignment import assign
from paeria.egov.expedientes.assignment import assignment_problem
from paeria.egov.expedientes.assignment import may_reassign
from paeria.egov.expedientes.assignment import NOT_RESPONSABLE
from paeria.egov.expedientes.assignment import tramitador_json
from paeria.egov.restapi.service import Service
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from zope.component import adapter
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.interface import Interface


def suspensions_json(expediente):
    """Each period the deadline was suspended: ``start`` and ``end`` (ISO
    dates; ``end`` null while it lasts)."""
    return [
        {"start": json_compatible(start), "end": json_compatible(end)}
        for start, end in expediente.suspensions or ()
    ]


@implementer(ISerializeToJson)
@adapter(IExpediente, Interface)
class SerializeExpedienteToJson(SerializeFolderToJson):
    def __call__(self, version=None, include_items=True):
        result = super().__call__(version=version, include_items=include_items)
        result["suspensions"] = suspensions_json(self.context)
        result["suspended"] = any(
            end is None for _start, end in self.context.suspensions or ()
        )
        result["tramitador_asignado"] = tramitador_json(self.context)
        return result


NOT_A_USER_ID = _(
    "error_asignar_user_id",
    default="tramitador must be a user id, as text.",
)


class AsignarPost(Service):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        if not may_reassign(self.context):
            return self.refuse(403, "Forbidden", NOT_RESPONSABLE)
        data = self.read_json_object()
        user_id = data.get("tramitador")
        if not isinstance(user_id, str):
            return self.refuse(
                400, "BadRequest", NOT_A_USER_ID, {"tramitador": NOT_A_USER_ID}
            )
        problem = assignment_problem(self.context, user_id)
        if problem is not None:
            return self.refuse(400, "BadRequest", problem, {"tramitador": problem})
        assign(self.context, user_id)
        return {"tramitador_asignado": tramitador_json(self.context)}
