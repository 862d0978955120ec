"""``POST <portal>/registro/@registrar``: register an entry in one call.

The body is JSON, the Asiento's fields plus the files as plone.restapi sends
them::

    {"tipo": "entrada", "canal": "telematico",
     "interesado_identifier_type": "NIF", "interesado_identifier": "12345678Z",
     "interesado_name": "…", "resumen": "…", "unidad_destino": "<UID>",
     "procedimiento": "<UID>", "organo_origen": "…", "organo_destino": "…",
     "files": [{"data": "<base64>", "encoding": "base64", "filename": "a.pdf",
                "content-type": "application/pdf", "tipo_documental": "TD14"}]}

or ``multipart/form-data`` with the same fields and the files as ``files``.
It answers 201 with the number, the presentation and effective date-times and
the receipt's address and CSV; a refused registration answers 400
``{"error": {"type": "BadRequest", "message", "fields": {field: message}}}``
(the one error shape, docs/rest.md) and stores nothing.
"""

from paeria.egov import _
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.registro.receipt import entry_summary
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.restapi.service import Service
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


class RegistrarPost(Service):
    """Registers through registro.register_entry, the one code path."""

    streams_body = True

    too_large_message = _(
        "error_register_too_large",
        default="The request is larger than the register accepts.",
    )

    def upload_refused(self, errors):
        return RegistrationError(errors).message

    def reply(self):
        # Like plone.restapi's own write services: authenticated by header.
        alsoProvides(self.request, IDisableCSRFProtection)
        data, files = self.read_upload()
        tipo = data.get("tipo") if data.get("tipo") in ("entrada", "salida") else None
        try:
            asiento = register_entry(data, files, tipo=tipo or ENTRADA)
        except RegistrationError as error:
            return self.refuse(400, "BadRequest", error.message, error.errors)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", asiento.absolute_url())
        return entry_summary(asiento)
