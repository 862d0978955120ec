"""REST services of the ENI exchange (plone.restapi).

``GET <documento>/@eni`` and ``GET <expediente>/@eni`` answer the XML file as
an attachment named after the ENI identifier (``?format=standard`` gives the
bare official ``eniexp:expediente``); ``GET <expediente>/@eni-index`` the
electronic index as JSON; ``POST <unidad>/@eni-import`` creates an expediente
from an exchange file and ``POST <expediente>/@eni-import`` adds a document.
The file is the raw body (Content-Type application/xml) or JSON
``{"file": {"data": <base64>, "encoding": "base64"}, "procedimiento": <uid>}``.
A refused file answers 400 with every problem found, and nothing is created.

Like every plone.restapi service these answer requests that send
``Accept: application/json`` (or go through ``++api++``), even when the answer
is XML: a site-wide service for ``Accept: application/xml`` would capture every
request with that header.
"""

from paeria.egov import _
from paeria.egov.eni.bridge import expediente_documents
from paeria.egov.eni.bridge import expediente_index
from paeria.egov.eni.bridge import export_documento
from paeria.egov.eni.bridge import export_expediente
from paeria.egov.eni.bridge import import_eni_document
from paeria.egov.eni.bridge import import_eni_expediente
from paeria.egov.eni.bridge import max_import_size
from paeria.egov.eni.model import EniExportError
from paeria.egov.eni.model import EniImportError
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zope.i18n import translate
from zope.interface import alsoProvides
import base64
import binascii
import json


XML_CONTENT_TYPE = "application/xml; charset=utf-8"
JSON_TYPES = ("application/json",)
# Room for the JSON around the base64 (4/3 of the file) of a JSON upload.
JSON_OVERHEAD = 64 * 1024


class RequestTooLarge(Exception):
    """The body is larger than an ENI file may be."""


class BadParameter(Exception):
    """The request cannot be served as it is; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def error_body(type_, message, problems=None):
    error = {"type": type_, "message": message}
    if problems is not None:
        error["problems"] = list(problems)
    return {"error": error}


def attachment_headers(response, identifier):
    response.setHeader("Content-Type", XML_CONTENT_TYPE)
    response.setHeader(
        "Content-Disposition", f'attachment; filename="{identifier}.xml"'
    )


def read_upload(request, limit) -> tuple[bytes, dict]:
    """(file bytes, JSON options) of an upload, refusing more than ``limit``.

    The body is read from BODYFILE, not BODY: Zope refuses to load a body
    bigger than its form memory limit (1 MB by default) into BODY.
    """
    content_type = (request.getHeader("Content-Type") or "").split(";")[0]
    is_json = content_type.strip().lower() in JSON_TYPES
    body_limit = limit * 4 // 3 + JSON_OVERHEAD if is_json else limit
    declared = request.getHeader("Content-Length")
    if declared and declared.isdigit() and int(declared) > body_limit:
        raise RequestTooLarge()
    body_file = request.get("BODYFILE")
    if body_file is None:
        return b"", {}
    body_file.seek(0)
    body = body_file.read(body_limit + 1)
    if len(body) > body_limit:
        raise RequestTooLarge()
    if not is_json:
        return body, {}
    try:
        options = json.loads(body)
    except ValueError:
        raise BadParameter(_("error_eni_upload_json", default="The body is not JSON."))
    file = options.get("file") if isinstance(options, dict) else None
    if not isinstance(file, dict) or not isinstance(file.get("data"), str):
        raise BadParameter(
            _(
                "error_eni_upload_no_file",
                default='The JSON body must carry the ENI file as "file": '
                '{"data": "...", "encoding": "base64"}.',
            )
        )
    encoding = file.get("encoding", "base64")
    if encoding == "base64":
        try:
            data = base64.b64decode(file["data"], validate=True)
        except (binascii.Error, ValueError):
            raise BadParameter(
                _(
                    "error_eni_upload_base64",
                    default="The file data is not valid base64.",
                )
            )
    elif encoding in ("utf-8", "utf8"):
        data = file["data"].encode("utf-8")
    else:
        raise BadParameter(
            _(
                "error_eni_upload_encoding",
                default='Unknown file encoding: use "base64".',
            )
        )
    if len(data) > limit:
        raise RequestTooLarge()
    return data, options


class _EniService(Service):
    def translate(self, message):
        return translate(message, context=self.request)

    def error(self, status, type_, message, problems=None):
        self.request.response.setStatus(status)
        return error_body(type_, self.translate(message), problems)


class _XmlExportService(_EniService):
    """Answers the file itself; refusals answer JSON like any service."""

    def render(self):
        self.check_permission()
        response = self.request.response
        try:
            data = self.export()
        except EniExportError as error:
            body = self.error(
                400,
                "BadRequest",
                _(
                    "error_eni_export_refused",
                    default="This cannot be exported in the ENI format.",
                ),
                error.problems,
            )
            response.setHeader("Content-Type", "application/json")
            return json.dumps(body, indent=2, sort_keys=True)
        except BadParameter as error:
            body = self.error(400, "BadRequest", error.message)
            response.setHeader("Content-Type", "application/json")
            return json.dumps(body, indent=2, sort_keys=True)
        attachment_headers(response, self.context.eni_identifier)
        return data

    def export(self) -> bytes:
        raise NotImplementedError


class DocumentoEniGet(_XmlExportService):
    """``GET <documento>/@eni``: the ``enidoc:documento`` file."""

    def export(self):
        return export_documento(self.context)


class ExpedienteEniGet(_XmlExportService):
    """``GET <expediente>/@eni``: the exchange file (index, metadata and every
    document); ``?format=standard``: the bare ``eniexp:expediente``."""

    def export(self):
        kind = self.request.form.get("format") or "intercambio"
        if kind not in ("intercambio", "standard"):
            raise BadParameter(
                _(
                    "error_eni_format",
                    default='Unknown format ${format}: use "standard" or leave it out.',
                    mapping={"format": str(kind)[:40]},
                )
            )
        return export_expediente(self.context, include_documents=kind == "intercambio")


class ExpedienteEniIndexGet(_EniService):
    """``GET <expediente>/@eni-index``: the electronic index, in order."""

    def reply(self):
        return expediente_index(self.context)


class _ImportService(_EniService):
    def reply(self):
        # Like plone.restapi's own write services: authenticated by header.
        alsoProvides(self.request, IDisableCSRFProtection)
        limit = max_import_size()
        try:
            data, options = read_upload(self.request, limit)
        except RequestTooLarge:
            return self.error(
                413,
                "RequestEntityTooLarge",
                _(
                    "error_eni_too_large",
                    default="The ENI file is larger than the ${limit} MB accepted.",
                    mapping={"limit": limit // (1024 * 1024)},
                ),
            )
        except BadParameter as error:
            return self.error(400, "BadRequest", error.message)
        try:
            created = self.create(data, options)
        except EniImportError as error:
            return self.error(
                400,
                "BadRequest",
                _(
                    "error_eni_import_refused",
                    default="The ENI file was refused; nothing was imported.",
                ),
                error.problems,
            )
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", created.absolute_url())
        return self.summary(created)


class UnidadEniImportPost(_ImportService):
    """``POST <unidad>/@eni-import``: a new expediente from an exchange file."""

    def create(self, data, options):
        procedimiento = options.get("procedimiento") or self.request.form.get(
            "procedimiento"
        )
        if procedimiento is not None and not isinstance(procedimiento, str):
            raise EniImportError(["procedimiento must be the UID of a procedure"])
        return import_eni_expediente(
            self.context, data, procedimiento_uid=procedimiento or None
        )

    def summary(self, expediente):
        return {
            "@id": expediente.absolute_url(),
            "@type": expediente.portal_type,
            "UID": api.content.get_uuid(expediente),
            "title": expediente.Title(),
            "numero": expediente.numero,
            "eni_identifier": expediente.eni_identifier,
            "eni_identifier_origen": expediente.eni_identifier_origen,
            "procedimiento": expediente.procedimiento,
            "documents": len(expediente_documents(expediente)),
        }


class ExpedienteEniImportPost(_ImportService):
    """``POST <expediente>/@eni-import``: adds the document of an ENI file."""

    def create(self, data, options):
        return import_eni_document(self.context, data)

    def summary(self, documento):
        return {
            "@id": documento.absolute_url(),
            "@type": documento.portal_type,
            "UID": api.content.get_uuid(documento),
            "title": documento.Title(),
            "eni_identifier": documento.eni_identifier,
            "orden": documento.orden,
            "huella": documento.huella,
            "tipo_documental": documento.tipo_documental,
        }
