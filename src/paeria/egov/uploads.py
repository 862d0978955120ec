"""Files and fields uploaded to the portal's own endpoints: one reading for
every door that takes them (the register's ``@registrar`` and its counter form,
the citizen office's filing, the citizen's folder, the ENI import).

A JSON body carries the fields plus ``files``, a list of plone.restapi-style
file objects (``{"data": "<base64>", "encoding": "base64", "filename",
"content-type", …}``), decoded by :func:`decode_json_file`; a multipart body
carries them as ``files`` (:func:`read_json`, :func:`read_multipart`). A body
that is one file (:func:`read_file`: the raw bytes, or JSON ``{"file": {…},
…options}``) is read against that file's own limit. Bodies are read from
BODYFILE with :func:`read_body`, never more than the limit the caller gives; a JSON
body is read in chunks with its files' base64 spooled to temporary files and
decoded in chunks (:mod:`paeria.egov.spooling`), and a file arrives as a
stream (a :class:`~paeria.egov.spooling.SpooledFile` or Zope's multipart
``FileUpload``), never as bytes: memory stays bounded whatever the file's
size (docs/performance.md, "Uploads").
What cannot be read raises :class:`BadUpload` (messages by field) or
:class:`RequestTooLarge`; nothing here stores anything. The REST services take
these through :class:`paeria.egov.restapi.service.Service`, which declares
each endpoint's limit and answers the one error shape.
"""

from paeria.egov import _
from paeria.egov import spooling
from plone import api
import io
import json


MAX_FILES = 20
# A body carries at most this many files of the largest size (20 small ones,
# or 4 of 50 MB): the limit of a body is what bounds the time and the disk a
# request may take before it is refused.
FILES_PER_BODY = 4
JSON_OVERHEAD = 256 * 1024
# The JSON around the files' data, kept in memory while it is read: as much
# as Zope keeps of a form (zope.conf's form-memory-limit), so that a field too
# long is refused by its own check (400, naming it), not as a body too large.
FIELDS_LIMIT = 4 * 1024 * 1024
# Room for the JSON around the base64 (4/3 of the file) of a one-file body.
FILE_JSON_OVERHEAD = 64 * 1024
JSON_TYPES = ("application/json",)


class BadUpload(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class RequestTooLarge(Exception):
    pass


def file_limit():
    """Largest file accepted, in bytes (``paeria.egov.max_file_size_mb``)."""
    limit_mb = api.portal.get_registry_record(
        "paeria.egov.max_file_size_mb", default=50
    )
    return limit_mb * 1024 * 1024


def files_body_limit(files):
    """Largest JSON body carrying ``files`` files of the largest size in
    base64, with room for the fields around them."""
    return files * file_limit() * 4 // 3 + JSON_OVERHEAD


def body_limit():
    """Largest body of the register's doors: FILES_PER_BODY files."""
    return files_body_limit(FILES_PER_BODY)


def _is_text(data):
    """A file's data as JSON gives it: text, or text spooled to a file."""
    return isinstance(data, (str, spooling.SpooledFile))


def decode_json_file(position, item, key=None, text_allowed=False):
    """The file object ``item`` decoded; BadUpload names it ``key`` (by
    default ``files[<position>]``); its ``data`` is a SpooledFile of the
    decoded bytes. ``text_allowed``: the data may also be given as text
    (``"encoding": "utf-8"``)."""
    key = key or f"files[{position}]"
    if not isinstance(item, dict) or not _is_text(item.get("data")):
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
        data = spooling.copy_text(item["data"])
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
            data = spooling.decode_base64(item["data"])
        except spooling.BadBody:
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
    check_declared_length(request, limit)
    body_file = request.get("BODYFILE")
    if body_file is None:
        return b""
    body_file.seek(0)
    # By chunks: ``read(limit + 1)`` would allocate the whole limit (200 MB
    # for an ENI file) whatever the body's size.
    stream = _LimitedStream(body_file, limit)
    return b"".join(iter(lambda: stream.read(spooling.READ_SIZE), b""))


NOT_JSON = _("error_eni_upload_json", default="The body is not JSON.")


class _LimitedStream:
    """The body stream, refused (RequestTooLarge) past ``limit`` bytes: a
    client may send more than its Content-Length said, or none."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.left = limit

    def read(self, size):
        data = self.stream.read(min(size, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise RequestTooLarge()
        return data


def check_declared_length(request, limit):
    """RequestTooLarge before anything is read when the declared
    Content-Length passes ``limit``."""
    declared = request.getHeader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()


def spooled_json(request, limit, fields_limit=FIELDS_LIMIT):
    """The JSON body of at most ``limit`` bytes, read in chunks: each file's
    data longer than spooling.SPOOL_THRESHOLD is a SpooledFile of its text;
    the rest of the JSON may take ``fields_limit`` bytes."""
    read = _spool_body(request, limit, fields_limit)
    if read is None:
        return {}
    _body_file, parsed, spools = read
    return spooling.resolve(parsed, spools)


def _spool_body(request, limit, fields_limit):
    """(body file, parsed JSON with placeholders, spools) of the request's
    JSON body of at most ``limit`` bytes, read in chunks; None without a
    body. RequestTooLarge or BadUpload when it cannot be read."""
    check_declared_length(request, limit)
    body_file = request.get("BODYFILE")
    if body_file is None:
        return None
    body_file.seek(0)
    try:
        parsed, spools = spooling.spool_json(
            _LimitedStream(body_file, limit), fields_limit
        )
    except spooling.BodyTooLarge:
        raise RequestTooLarge() from None
    except spooling.BadBody:
        raise BadUpload({"body": NOT_JSON}) from None
    return body_file, parsed, spools


def is_json(request):
    content_type = (request.getHeader("Content-Type") or "").split(";")[0]
    return content_type.strip().lower() in JSON_TYPES


# A JSON body longer than this is hidden from what reads BODY during
# traversal (:func:`hide_body_during_traversal`): room for a login's JSON.
LOGIN_BODY_LIMIT = 64 * 1024
# Set on a request whose BODY is hidden until its traversal is over.
_HIDDEN_BODY = "_paeria_egov_hidden_body"


def _body_length(request):
    """The length of the request's body: as declared (waitress declares it
    for a chunked body too, once it has it whole), else as read."""
    declared = request.environ.get("CONTENT_LENGTH") or ""
    if declared.isdigit():
        return int(declared)
    body_file = getattr(request, "stdin", None)
    try:
        position = body_file.tell()
        length = body_file.seek(0, 2)
        body_file.seek(position)
    except (AttributeError, OSError, ValueError):
        return 0  # not a file that can be measured: nothing to hide
    return length


def hide_body_during_traversal(request):
    """IPubStart: while the user is being authenticated, BODY of a long JSON
    body reads as ``{}``. plone.restapi's JWT plugin looks for a login in
    every JSON body (``extractCredentials`` calls ``json_body``: the whole
    body read, decoded and parsed, three times its size in memory, plone.restapi
    having lifted Zope's form memory limit); a login is never that long.
    :func:`restore_body` gives it back once traversal is over."""
    if is_json(request) and _body_length(request) > LOGIN_BODY_LIMIT:
        request.other["BODY"] = b"{}"
        setattr(request, _HIDDEN_BODY, True)


def restore_body(request):
    """IPubAfterTraversal: BODY reads the body again (see
    :func:`hide_body_during_traversal`)."""
    if getattr(request, _HIDDEN_BODY, False):
        request.other.pop("BODY", None)
        setattr(request, _HIDDEN_BODY, False)


# Where spool_request_body leaves the spooled files of a request's body.
_SPOOLS = "_paeria_egov_spools"


def spool_request_body(request, limit, fields_limit):
    """Read the request's JSON body now, in chunks (:func:`spooled_json`),
    and put in its place the same JSON with each spooled file's data as a
    placeholder (:func:`spooled_data` finds the file again): the whole body
    is never in memory, whoever reads it later (plone.restapi's
    ``json_body``)."""
    read = _spool_body(request, limit, fields_limit)
    if read is None:
        return
    body_file, parsed, spools = read
    if not spools:
        body_file.seek(0)
        return
    skeleton = io.BytesIO(json.dumps(parsed).encode("utf-8"))
    # Where Zope's request finds BODYFILE and BODY (ZPublisher.HTTPRequest).
    request._file = request._fs.file = request.other["BODYFILE"] = skeleton
    request.other.pop("BODY", None)
    setattr(request, _SPOOLS, spools)


def spooled_data(request, value):
    """The SpooledFile a placeholder left by :func:`spool_request_body`
    stands for, or None."""
    if not isinstance(value, str):
        return None
    return getattr(request, _SPOOLS, {}).get(value)


def read_json(request, limit=None):
    """(fields, decoded files) of a JSON body of at most ``limit`` bytes
    (default: :func:`body_limit`)."""
    data = spooled_json(request, body_limit() if limit is None else limit)
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
    …options}`` (base64, or text as ``"encoding": "utf-8"``). The file is
    returned whole (the ENI reader parses bytes), its base64 decoded in
    chunks."""
    if not is_json(request):
        return read_body(request, limit), {}
    options = spooled_json(
        request, limit * 4 // 3 + FILE_JSON_OVERHEAD, FILE_JSON_OVERHEAD
    )
    file = options.get("file") if isinstance(options, dict) else None
    if not isinstance(file, dict) or not _is_text(file.get("data")):
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
    return data.read(), options


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
        # Zope's multipart parser spooled the part to a temporary file: the
        # upload itself is stored into the blob, by chunks.
        files.append(
            {
                "data": upload,
                "filename": upload.filename,
                "content_type": upload.headers.get("Content-Type"),
            }
        )
    form = {key: value for key, value in form.items() if not key.startswith("_")}
    return form, files
