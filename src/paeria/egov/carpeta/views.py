"""Classic UI and REST of the carpeta: ``@@mi-carpeta`` / ``GET @mi-carpeta``
on the site, and ``@@aportar`` / ``POST <expediente>/@aportar`` for a
subsanación.

``@aportar`` takes the documents like ``@registrar`` (JSON with base64 files,
or multipart) plus ``statement``; it answers 201 with the entry's number and
receipt, or 400 with the fields at fault, storing nothing."""

from AccessControl import Unauthorized
from paeria.egov import _
from paeria.egov.carpeta.subsanacion import aportar
from paeria.egov.carpeta.subsanacion import may_answer
from paeria.egov.carpeta.summary import carpeta
from paeria.egov.carpeta.summary import subsanacion_request
from paeria.egov.registro.register import RegistrationError
from paeria.egov.registro.services import entry_summary
from paeria.egov.uploads import BadUpload
from paeria.egov.uploads import read_json
from paeria.egov.uploads import read_multipart
from paeria.egov.uploads import RequestTooLarge
from plone import api
from plone.protect.authenticator import check as check_authenticator
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zope.i18n import translate
from zope.interface import alsoProvides


def require_member():
    if api.user.is_anonymous():
        raise Unauthorized("Log in to see your folder.")


class MiCarpetaView(BrowserView):
    def __call__(self):
        require_member()
        # Reading may expire an overdue notification (notifications/).
        self.data = carpeta(self.request)
        return self.index()

    def moment(self, value):
        """An ISO date-time as the office shows it: 28/12/2026 10:30."""
        if not value:
            return ""
        day, _, time = value.partition("T")
        return f"{self.day(day)} {time[:5]}".strip()

    def day(self, value):
        """An ISO date as the office shows it: 28/12/2026."""
        if not value:
            return ""
        year, month, day = value[:10].split("-")
        return f"{day}/{month}/{year}"


class MiCarpetaGet(Service):
    def reply(self):
        require_member()
        return carpeta(self.request)


class AportarView(BrowserView):
    error = None
    errors = None

    def __call__(self):
        if not may_answer(self.context):
            raise Unauthorized("This expediente is not waiting for you.")
        self.errors = {}
        if self.request.method == "POST" and self.request.form.get("form.submitted"):
            check_authenticator(self.request)
            data, files = read_multipart(self.request)
            files = [item for item in files if not isinstance(item, str)]
            files = [item for item in files if item.get("filename")]
            try:
                asiento = aportar(self.context, files, data.get("statement") or "")
            except RegistrationError as error:
                self.error = translate(error.message, context=self.request)
                self.errors = {
                    key: translate(value, context=self.request)
                    for key, value in error.errors.items()
                }
            else:
                IStatusMessage(self.request).add(
                    _(
                        "msg_aportado",
                        default="Your documents were registered as ${numero} and "
                        "sent to the unit.",
                        mapping={"numero": asiento.numero},
                    ),
                    type="info",
                )
                self.request.response.redirect(
                    f"{api.portal.get().absolute_url()}/@@mi-carpeta"
                )
                return ""
        return self.index()

    def requerimiento(self):
        return subsanacion_request(self.context)


class AportarPost(Service):
    def refuse(self, status, message, errors=None):
        self.request.response.setStatus(status)
        error = {
            "type": "BadRequest",
            "message": translate(message, context=self.request),
        }
        if errors:
            error["fields"] = {
                key: translate(value, context=self.request)
                for key, value in sorted(errors.items())
            }
        return {"error": error}

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        if not may_answer(self.context):
            self.request.response.setStatus(403)
            return {
                "error": {
                    "type": "Forbidden",
                    "message": translate(
                        _(
                            "error_aportar_not_waiting",
                            default="This expediente is not waiting for documents "
                            "from you.",
                        ),
                        context=self.request,
                    ),
                }
            }
        content_type = (self.request.getHeader("Content-Type") or "").lower()
        try:
            if content_type.startswith("multipart/form-data"):
                data, files = read_multipart(self.request)
            else:
                data, files = read_json(self.request)
        except RequestTooLarge:
            self.request.response.setStatus(413)
            return {
                "error": {
                    "type": "RequestEntityTooLarge",
                    "message": translate(
                        _(
                            "error_register_too_large",
                            default="The request is larger than the register accepts.",
                        ),
                        context=self.request,
                    ),
                }
            }
        except BadUpload as error:
            return self.refuse(
                400, RegistrationError(error.errors).message, error.errors
            )
        statement = data.get("statement")
        try:
            asiento = aportar(self.context, files, statement)
        except RegistrationError as error:
            return self.refuse(400, error.message, error.errors)
        self.request.response.setStatus(201)
        # The entry itself is the register's: the citizen gets its number,
        # dates and the receipt by its verification address.
        summary = entry_summary(asiento)
        return {
            key: summary[key]
            for key in ("numero", "fecha_presentacion", "fecha_efectiva", "csv")
        } | {"documents": summary["documents"], "expediente": self.context.numero}
