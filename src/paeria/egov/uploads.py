"""Files and fields uploaded to the portal's own endpoints: one reading for
every door that takes them (the register's ``@registrar`` and its counter form,
the citizen office's filing, the citizen's folder, the ENI import).

A JSON body carries the fields plus ``files``, a list of plone.restapi-style
file objects (``{"data": "<base64>", "encoding": "base64", "filename",
"content-type", …}``), decoded by :func:`decode_json_file`; a multipart body
carries them as ``files`` (:func:`read_json`, :func:`read_multipart`). A body
that is one file (:func:`read_file`: the raw bytes, or JSON ``{"file": {…},
…options}``) is read against that file's own limit. Bodies are read from
BODYFILE with :func:`read_body`, never more than the limit the caller gives.
What cannot be read raises :class:`BadUpload` (messages by field) or
:class:`RequestTooLarge`; nothing here stores anything. The REST services take
these through :class:`paeria.egov.restapi.service.Service`, which declares
each endpoint's limit and answers the one error shape.
"""

from paeria.egov import _
from plone import api
import base64
import binascii
import json


MAX_FILES = 20
JSON_OVERHEAD = 256 * 1024
# Room for the JSON around the base64 (4/3 of the file) of a one-file body.
FILE_JSON_OVERHEAD = 64 * 1024
JSON_TYPES = ("application/json",)


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


def decode_json_file(position, item, key=None, text_allowed=False):
    """The file object ``item`` decoded; BadUpload names it ``key`` (by
    default ``files[<position>]``). ``text_allowed``: the data may also be
    given as text (``"encoding": "utf-8"``)."""
    key = key or f"files[{position}]"
    if not isinstance(item, dict) or not isinstance(item.get("data"), str):
        raise BadUpload(
            {
                key: _(
                    "error_register_file_shape",
                    default="Each file needs its data, filename and content type.",
                )
            }
        )
    encoding = item.get("encoding", "base64")
    if text_allowed and encoding in ("utf-8", "utf8"):
        data = item["data"].encode("utf-8")
    elif encoding != "base64":
        raise BadUpload(
            {
                key: _(
                    "error_eni_upload_encoding",
                    default='Unknown file encoding: use "base64".',
                )
            }
        )
    else:
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


def read_body(request, limit):
    """The request's body, or RequestTooLarge beyond ``limit`` bytes.

    Read from BODYFILE, not BODY: Zope refuses to load a body bigger than its
    form memory limit (1 MB by default) into BODY.
    """
    declared = request.getHeader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()
    body_file = request.get("BODYFILE")
    if body_file is None:
        return b""
    body_file.seek(0)
    body = body_file.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge()
    return body


def parse_json(body):
    try:
        return json.loads(body or b"{}")
    except ValueError:
        raise BadUpload(
            {"body": _("error_eni_upload_json", default="The body is not JSON.")}
        ) from None


def is_json(request):
    content_type = (request.getHeader("Content-Type") or "").split(";")[0]
    return content_type.strip().lower() in JSON_TYPES


def read_json(request, limit=None):
    """(fields, decoded files) of a JSON body of at most ``limit`` bytes
    (default: :func:`body_limit`)."""
    data = parse_json(read_body(request, body_limit() if limit is None else limit))
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


def read_file(request, limit):
    """(file bytes, JSON options) of a body that is one file of at most
    ``limit`` bytes: the raw bytes, or JSON ``{"file": {"data", "encoding"},
    …options}`` (base64, or text as ``"encoding": "utf-8"``)."""
    if not is_json(request):
        return read_body(request, limit), {}
    options = parse_json(read_body(request, limit * 4 // 3 + FILE_JSON_OVERHEAD))
    file = options.get("file") if isinstance(options, dict) else None
    if not isinstance(file, dict) or not isinstance(file.get("data"), str):
        raise BadUpload(
            {
                "file": _(
                    "error_eni_upload_no_file",
                    default='The JSON body must carry the ENI file as "file": '
                    '{"data": "...", "encoding": "base64"}.',
                )
            }
        )
    data = decode_json_file(0, file, key="file", text_allowed=True)["data"]
    if len(data) > limit:
        raise RequestTooLarge()
    return data, options


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
