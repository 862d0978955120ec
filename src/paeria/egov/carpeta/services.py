"""REST of the carpeta: ``GET <portal>/@mi-carpeta`` and ``POST
<expediente>/@aportar`` for a subsanación.

``@aportar`` takes the documents like ``@registrar`` (JSON with base64 files,
or multipart) plus ``statement``; it answers 201 with the entry's number and
receipt, or 400 ``{"error": {"type": "BadRequest", "message", "fields": {field:
message}}}`` (the one error shape, docs/rest.md) with the fields at fault,
storing nothing."""

from paeria.egov import _
from paeria.egov.carpeta.subsanacion import aportar
from paeria.egov.carpeta.subsanacion import may_answer
from paeria.egov.carpeta.summary import carpeta
from paeria.egov.carpeta.views import require_member
from paeria.egov.registro.receipt import entry_summary
from paeria.egov.registro.register import RegistrationError
from paeria.egov.restapi.service import Service
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


class MiCarpetaGet(Service):
    def reply(self):
        require_member()
        return carpeta(self.request)


class AportarPost(Service):
    streams_body = True

    def upload_refused(self, errors):
        return RegistrationError(errors).message

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        if not may_answer(self.context):
            return self.refuse(
                403,
                "Forbidden",
                _(
                    "error_aportar_not_waiting",
                    default="This expediente is not waiting for documents from you.",
                ),
            )
        data, files = self.read_upload()
        statement = data.get("statement")
        try:
            asiento = aportar(self.context, files, statement)
        except RegistrationError as error:
            return self.refuse(400, "BadRequest", error.message, error.errors)
        self.request.response.setStatus(201)
        # The entry itself is the register's: the citizen gets its number,
        # dates and the receipt by its verification address.
        summary = entry_summary(asiento)
        return {
            key: summary[key]
            for key in ("numero", "fecha_presentacion", "fecha_efectiva", "csv")
        } | {"documents": summary["documents"], "expediente": self.context.numero}
