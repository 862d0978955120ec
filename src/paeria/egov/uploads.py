"""Files and fields uploaded to the portal's own endpoints: one reading for
every door that takes them (the register's ``@registrar`` and its counter form,
the citizen office's filing, the citizen's folder).

A JSON body carries the fields plus ``files``, a list of plone.restapi-style
file objects (``{"data": "<base64>", "encoding": "base64", "filename",
"content-type", …}``), decoded by :func:`decode_json_file`; a multipart body
carries them as ``files``. What cannot be read raises :class:`BadUpload`
(messages by field) or :class:`RequestTooLarge`; nothing here stores anything.
"""

from paeria.egov import _
from plone import api
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


def decode_json_file(position, item):
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
            decoded.append(decode_json_file(position, item))
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
