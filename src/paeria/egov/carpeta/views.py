"""Classic UI of the carpeta: ``@@mi-carpeta`` on the site, and ``@@aportar``
for a subsanación (their REST services are in services.py)."""

from AccessControl import Unauthorized
from paeria.egov import _
from paeria.egov.carpeta.subsanacion import aportar
from paeria.egov.carpeta.subsanacion import may_answer
from paeria.egov.carpeta.summary import carpeta
from paeria.egov.carpeta.summary import subsanacion_request
from paeria.egov.registro.register import RegistrationError
from paeria.egov.uploads import read_multipart
from plone import api
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zope.i18n import translate


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
