"""Classic UI of the electronic office: ``@@iniciar`` on a procedure,
``@@instancia-generica`` on /tramites, the confirmation ``@@presentado`` and
the receipt ``@@justificante`` (both ``?numero=E/AAAA/NNNNNN``) on the site.

The forms post multipart to themselves and file through the same functions as
the REST services (filing.py); a success redirects to the confirmation page,
so reloading it files nothing, and the hidden ``idempotency_key`` makes a
second click of the button return the first receipt.
"""

from AccessControl import Unauthorized
from paeria.egov import _
from paeria.egov.filenames import content_disposition
from paeria.egov.registro.receipt import attached_documents
from paeria.egov.registro.receipt import receipt_of
from paeria.egov.sede.errors import FilingError
from paeria.egov.sede.errors import FilingNotAllowed
from paeria.egov.sede.filing import check_procedure_open
from paeria.egov.sede.filing import document_slots
from paeria.egov.sede.filing import file_generic
from paeria.egov.sede.filing import file_procedure
from paeria.egov.sede.filing import require_citizen
from paeria.egov.sede.nif import current_citizen
from paeria.egov.sede.receipts import entry_of_citizen
from paeria.egov.sede.receipts import receipt_url
from paeria.egov.sede.services import read_application
from paeria.egov.sede.services import STATEMENT_FIELDS
from paeria.egov.sede.services import TOKEN_FIELD
from paeria.egov.uploads import RequestTooLarge
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from zExceptions import NotFound
from zope.component import getUtility
from zope.i18n import translate
from zope.schema.interfaces import IVocabularyFactory
import uuid


class FilingForm(BrowserView):
    """Shared by both forms: errors by field, the token, the refusal."""

    allowed = (*STATEMENT_FIELDS, TOKEN_FIELD)
    error = None
    errors = None
    refusal = None

    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to file at the electronic office.")
        self.errors = {}
        self.citizen = current_citizen()
        self.check()
        if (
            self.refusal is None
            and self.request.method == "POST"
            and self.request.form.get("form.submitted")
        ):
            check_authenticator(self.request)
            try:
                data, documents, extras, token = read_application(
                    self.request, self.allowed
                )
                result = self.file(data, documents, extras, token)
            except RequestTooLarge:
                self.error = _(
                    "error_register_too_large",
                    default="The request is larger than the register accepts.",
                )
            except FilingNotAllowed as error:
                self.refusal = error.message
                self.request.response.setStatus(403)
            except FilingError as error:
                self.error = error.message
                self.errors = error.errors
                self.request.response.setStatus(400)
            else:
                self.request.response.redirect(result["confirmation"])
                return ""
        return self.index()

    def check(self):
        """Set ``refusal`` when this form cannot be filed at all."""
        try:
            require_citizen()
        except FilingNotAllowed as error:
            self.refusal = error.message
            self.request.response.setStatus(403)

    def file(self, data, documents, extras, token):
        raise NotImplementedError

    def t(self, message):
        return translate(message, context=self.request) if message else None

    def value(self, name):
        value = self.request.form.get(name)
        return value if isinstance(value, str) else ""

    def token(self):
        return self.value(TOKEN_FIELD) or uuid.uuid4().hex

    def field_error(self, name):
        return self.t((self.errors or {}).get(name))

    def file_errors(self):
        return [
            self.t(message)
            for key, message in sorted((self.errors or {}).items())
            if key.startswith("files")
        ]

    def other_errors(self):
        known = {"expone", "solicita", "unidad_destino", "files"}
        return [
            self.t(message)
            for key, message in sorted((self.errors or {}).items())
            if key not in known
            and not key.startswith("files")
            and not key.startswith("documentos.")
        ]

    def max_file_size_mb(self):
        return api.portal.get_registry_record(
            "paeria.egov.max_file_size_mb", default=50
        )


class IniciarView(FilingForm):
    """``@@iniciar`` on a Procedimiento."""

    def check(self):
        try:
            check_procedure_open(self.context)
        except FilingNotAllowed as error:
            self.refusal = error.message
            self.request.response.setStatus(403)
            return
        super().check()

    def file(self, data, documents, extras, token):
        return file_procedure(self.context, data, documents, extras, token)

    def slots(self):
        return [
            dict(
                slot.as_dict(),
                input=f"documento.{slot.id}",
                error=self.field_error(slot.key),
            )
            for slot in document_slots(self.context)
        ]

    def unit_title(self):
        unidad = uuidToObject(self.context.responsible_unit, unrestricted=True)
        return unidad.Title() if unidad is not None else ""


class InstanciaGenericaView(FilingForm):
    """``@@instancia-generica`` on /tramites."""

    allowed = (*FilingForm.allowed, "unidad_destino")

    def file(self, data, documents, extras, token):
        return file_generic(data, extras, token)

    def units(self):
        factory = getUtility(IVocabularyFactory, "paeria.egov.Unidades")
        return [
            {"value": term.value, "title": translate(term.title, context=self.request)}
            for term in factory(self.context)
        ]


class PresentadoView(BrowserView):
    """The confirmation of a filing: number, dates, documents, expediente and
    the link to the receipt; only for the entry's interested party."""

    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see your receipts.")
        self.asiento = entry_of_citizen(self.request.form.get("numero"))
        if self.asiento is None:
            raise NotFound("No such entry of yours.")
        return self.index()

    def receipt_url(self):
        return receipt_url(self.asiento.numero)

    def documents(self):
        return attached_documents(self.asiento)

    def expediente(self):
        if not self.asiento.expediente:
            return None
        expediente = uuidToObject(self.asiento.expediente, unrestricted=True)
        if expediente is None:
            return None
        return {
            "numero": expediente.numero,
            "url": expediente.absolute_url()
            if api.user.has_permission("View", obj=expediente)
            else None,
            "fecha_limite": expediente.fecha_limite,
        }

    def when(self, moment):
        return moment.strftime("%d/%m/%Y %H:%M:%S") if moment else ""


class JustificanteView(BrowserView):
    """The receipt's PDF, for the entry's interested party (and its staff)."""

    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to download your receipts.")
        asiento = entry_of_citizen(self.request.form.get("numero"))
        receipt = receipt_of(asiento) if asiento is not None else None
        if receipt is None:
            raise NotFound("No such receipt of yours.")
        blob = receipt.file
        response = self.request.response
        response.setHeader("Content-Type", "application/pdf")
        response.setHeader("Content-Disposition", content_disposition(blob.filename))
        response.setHeader("Content-Length", str(blob.getSize()))
        return blob.data
