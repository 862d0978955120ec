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
and stores nothing.
"""

from paeria.egov import _
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.registro.register import attached_documents
from paeria.egov.registro.register import receipt_of
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zope.i18n import translate
from zope.interface import alsoProvides
import base64
import binascii
import json


MAX_FILES = 20
JSON_OVERHEAD = 256 * 1024


class BadUpload(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class RequestTooLarge(Exception):
    pass


def body_limit():
    """Largest body accepted: MAX_FILES files of the largest size, base64."""
    limit_mb = api.portal.get_registry_record(
        "paeria.egov.max_file_size_mb", default=50
    )
    return limit_mb * 1024 * 1024 * MAX_FILES * 4 // 3 + JSON_OVERHEAD


def _decode_json_file(position, item):
    key = f"files[{position}]"
    if not isinstance(item, dict) or not isinstance(item.get("data"), str):
        raise BadUpload(
            {
                key: _(
                    "error_register_file_shape",
                    default="Each file needs its data, filename and content type.",
                )
            }
        )
    if item.get("encoding", "base64") != "base64":
        raise BadUpload(
            {
                key: _(
                    "error_eni_upload_encoding",
                    default='Unknown file encoding: use "base64".',
                )
            }
        )
    try:
        data = base64.b64decode(item["data"], validate=True)
    except (binascii.Error, ValueError):
        raise BadUpload(
            {
                key: _(
                    "error_eni_upload_base64",
                    default="The file data is not valid base64.",
                )
            }
        ) from None
    return {
        "data": data,
        "filename": item.get("filename"),
        "content_type": item.get("content-type") or item.get("content_type"),
        "tipo_documental": item.get("tipo_documental"),
        "title": item.get("title"),
    }


def read_json(request):
    declared = request.getHeader("Content-Length")
    limit = body_limit()
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()
    body_file = request.get("BODYFILE")
    body = b""
    if body_file is not None:
        body_file.seek(0)
        body = body_file.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge()
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise BadUpload(
            {"body": _("error_eni_upload_json", default="The body is not JSON.")}
        ) from None
    if not isinstance(data, dict):
        raise BadUpload(
            {
                "body": _(
                    "error_register_data",
                    default="The entry's data must be an object of fields.",
                )
            }
        )
    files = data.pop("files", None) or []
    if not isinstance(files, list):
        raise BadUpload(
            {
                "files": _(
                    "error_register_files_list", default="The files must be a list."
                )
            }
        )
    if len(files) > MAX_FILES:
        raise BadUpload(
            {
                "files": _(
                    "error_register_too_many_files",
                    default="At most ${max} files may be attached.",
                    mapping={"max": MAX_FILES},
                )
            }
        )
    errors, decoded = {}, []
    for position, item in enumerate(files):
        try:
            decoded.append(_decode_json_file(position, item))
        except BadUpload as error:
            errors.update(error.errors)
    if errors:
        raise BadUpload(errors)
    data.pop("@type", None)
    return data, decoded


def read_multipart(request):
    form = dict(request.form)
    uploads = form.pop("files", None) or []
    if not isinstance(uploads, list):
        uploads = [uploads]
    if len(uploads) > MAX_FILES:
        raise BadUpload(
            {
                "files": _(
                    "error_register_too_many_files",
                    default="At most ${max} files may be attached.",
                    mapping={"max": MAX_FILES},
                )
            }
        )
    files = []
    for upload in uploads:
        if not hasattr(upload, "read"):
            files.append(upload)  # refused by validation, by position
            continue
        upload.seek(0)
        files.append(
            {
                "data": upload.read(),
                "filename": upload.filename,
                "content_type": upload.headers.get("Content-Type"),
            }
        )
    form = {key: value for key, value in form.items() if not key.startswith("_")}
    return form, files


def entry_summary(asiento):
    receipt = receipt_of(asiento)
    return {
        "@id": asiento.absolute_url(),
        "@type": asiento.portal_type,
        "UID": api.content.get_uuid(asiento),
        "numero": asiento.numero,
        "tipo": asiento.tipo,
        "fecha_presentacion": asiento.fecha_presentacion.isoformat(),
        "fecha_efectiva": asiento.fecha_efectiva.isoformat(),
        "csv": asiento.csv,
        "justificante": {
            "@id": receipt.absolute_url(),
            "download": f"{receipt.absolute_url()}/@@download/file",
            "csv": receipt.csv,
            "huella": receipt.huella,
        },
        "documents": [
            {
                "@id": documento.absolute_url(),
                "title": documento.Title(),
                "filename": documento.file.filename,
                "size": documento.file.getSize(),
                "huella": documento.huella,
            }
            for documento in attached_documents(asiento)
        ],
    }


class RegistrarPost(Service):
    """Registers through registro.register_entry, the one code path."""

    def translate(self, message):
        return translate(message, context=self.request)

    def refuse(self, status, type_, message, errors=None):
        self.request.response.setStatus(status)
        error = {"type": type_, "message": self.translate(message)}
        if errors is not None:
            error["fields"] = {
                key: self.translate(value) for key, value in sorted(errors.items())
            }
        return {"error": error}

    def reply(self):
        # Like plone.restapi's own write services: authenticated by header.
        alsoProvides(self.request, IDisableCSRFProtection)
        content_type = (self.request.getHeader("Content-Type") or "").lower()
        try:
            if content_type.startswith("multipart/form-data"):
                data, files = read_multipart(self.request)
            else:
                data, files = read_json(self.request)
        except RequestTooLarge:
            return self.refuse(
                413,
                "RequestEntityTooLarge",
                _(
                    "error_register_too_large",
                    default="The request is larger than the register accepts.",
                ),
            )
        except BadUpload as error:
            return self.refuse(
                400,
                "BadRequest",
                RegistrationError(error.errors).message,
                error.errors,
            )
        tipo = data.get("tipo") if data.get("tipo") in ("entrada", "salida") else None
        try:
            asiento = register_entry(data, files, tipo=tipo or ENTRADA)
        except RegistrationError as error:
            return self.refuse(400, "BadRequest", error.message, error.errors)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", asiento.absolute_url())
        return entry_summary(asiento)
