"""The JSON of an expediente (plone.restapi): the standard content JSON plus
its suspensions, which are not a schema field: what a client needs to
understand why the legal deadline moved (LPAC arts. 22 and 68), as the
citizen's folder already shows."""

from paeria.egov.content.expediente import IExpediente
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from zope.component import adapter
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
        return result
