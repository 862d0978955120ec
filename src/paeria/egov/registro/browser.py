"""Classic UI: the counter form ``@@registrar`` on /registro.

It registers through register_entry, like the REST service; a refused
registration shows each problem by its field and stores nothing; a registered
one takes the clerk to the entry, whose receipt they print for the citizen.
"""

from paeria.egov import _
from paeria.egov.content.asiento import IAsiento
from paeria.egov.registro.register import GIVEN_FIELDS
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.uploads import read_multipart
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zope.component import getUtility
from zope.i18n import translate
from zope.schema.interfaces import IVocabularyFactory


class RegistrarView(BrowserView):
    errors = None
    error = None

    def __call__(self):
        self.errors = {}
        if self.request.method == "POST" and self.request.form.get("form.submitted"):
            check_authenticator(self.request)
            data, files = read_multipart(self.request)
            data = {
                key: value
                for key, value in data.items()
                if key in GIVEN_FIELDS and value not in ("", None)
            }
            files = [item for item in files if not isinstance(item, str)]
            files = [item for item in files if item.get("filename")]
            try:
                asiento = register_entry(
                    data, files, tipo=data.get("tipo") or "entrada"
                )
            except RegistrationError as error:
                self.error = error.message
                self.errors = error.errors
            else:
                IStatusMessage(self.request).add(
                    _(
                        "msg_asiento_registered",
                        default="Registered as ${numero}.",
                        mapping={"numero": asiento.numero},
                    ),
                    type="info",
                )
                self.request.response.redirect(asiento.absolute_url())
                return ""
        return self.index()

    def label(self, name):
        return translate(IAsiento[name].title, context=self.request)

    def value(self, name):
        return self.request.form.get(name) or ""

    def field_error(self, name):
        message = (self.errors or {}).get(name)
        return translate(message, context=self.request) if message else None

    def file_errors(self):
        return [
            translate(message, context=self.request)
            for key, message in sorted((self.errors or {}).items())
            if key.startswith("files")
        ]

    def terms(self, vocabulary_name):
        factory = getUtility(IVocabularyFactory, vocabulary_name)
        return [
            {"value": term.value, "title": translate(term.title, context=self.request)}
            for term in factory(self.context)
        ]
