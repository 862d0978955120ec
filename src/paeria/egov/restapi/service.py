"""The REST toolkit every endpoint of paeria.egov builds on: one way to
refuse, one error body, one reading of what the client sent.

Every refusal of a custom endpoint answers (docs/rest.md, "Errors")::

    {"error": {"type": "BadRequest",
               "message": "<what happened, translated>",
               "fields": {"<field>": "<what is wrong with it, translated>"}}}

``type`` and ``message`` are those of plone.restapi's own errors (a client
reads both the same way); ``fields`` is there only when the refusal names the
fields at fault, always as a mapping of field name to message (``files[0]``,
``documentos.<id>``, ``b_size``, ``file``…).

A service refuses by returning :meth:`Service.refuse` from ``reply`` or by
raising :class:`Refused` anywhere below it; a service that renders something
other than JSON (a file) answers its refusals with :meth:`Service.render_refusal`.
The body is read by :meth:`Service.read_upload` (fields and files, JSON or
multipart, at most :meth:`Service.body_limit` bytes), :meth:`Service.read_file`
(one file, at most :meth:`Service.file_limit` bytes) or
:meth:`Service.read_json_object`; what cannot be read is refused with the same
shape and nothing is stored.
"""

from paeria.egov import _
from paeria.egov import uploads
from plone.restapi.deserializer import json_body
from plone.restapi.services import Service as BaseService
from zope.i18n import translate
from zope.i18nmessageid import Message
import json


BAD_REQUEST = "BadRequest"
TOO_LARGE = "RequestEntityTooLarge"

NOT_A_JSON_OBJECT = _(
    "error_body_not_json_object", default="The body must be a JSON object."
)
UPLOAD_REFUSED = _(
    "error_upload_refused",
    default="The request could not be read; nothing was stored. Problems: ${fields}.",
)
TOO_LARGE_MESSAGE = _(
    "error_register_too_large",
    default="The request is larger than the register accepts.",
)
REQUEST_TOO_LARGE = _(
    "error_request_too_large",
    default="The request is larger than the ${limit} MB accepted.",
)


#: Batching parameters that must be whole numbers, in @search and every
#: batched service of the portal (plone.restapi answers 500 to ``b_size=x``).
WHOLE_NUMBER_PARAMETERS = ("b_start", "b_size", "sort_limit")
NOT_A_WHOLE_NUMBER = _(
    "error_search_batch",
    default="${name} must be a whole number.",
)


def not_a_whole_number(form):
    """The first of WHOLE_NUMBER_PARAMETERS in ``form`` that is not a whole
    number, or None."""
    for name in WHOLE_NUMBER_PARAMETERS:
        value = form.get(name)
        if value is not None and not (
            isinstance(value, str) and value.strip().isdigit()
        ):
            return name
    return None


class Refused(Exception):
    """A refusal raised inside a service: answered as its error body."""

    def __init__(self, status, error_type, message, fields=None):
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.fields = fields


def error_body(request, error_type, message, fields=None):
    """The one error body; ``message`` and the ``fields``' messages are
    translated for ``request``."""
    error = {"type": error_type, "message": translate(message, context=request)}
    if fields:
        error["fields"] = {
            str(key): translate(value, context=request)
            for key, value in sorted(fields.items(), key=lambda item: str(item[0]))
        }
    return {"error": error}


class Service(BaseService):
    """plone.restapi's Service with the project's refusals and body reading."""

    # Message of a 413; a service may name its own limit.
    too_large_message = TOO_LARGE_MESSAGE
    # True for the services that read their body with read_upload/read_file
    # (streamed, within their own limits): the generic spooling of JSON
    # bodies (security/subscribers.py) leaves them alone.
    streams_body = False

    def body_limit(self):
        """Largest body of :meth:`read_upload`, in bytes."""
        return uploads.body_limit()

    def file_limit(self):
        """Largest file of :meth:`read_file`, in bytes."""
        raise NotImplementedError

    def refuse(self, status, error_type, message, fields=None):
        """Set ``status`` and return the error body (for ``reply``)."""
        self.request.response.setStatus(status)
        return error_body(self.request, error_type, message, fields)

    def render_refusal(self, refusal):
        """The error body of ``refusal`` as the JSON text of a response (for
        services that render something else when they succeed)."""
        body = self.refuse(
            refusal.status, refusal.error_type, refusal.message, refusal.fields
        )
        self.request.response.setHeader("Content-Type", "application/json")
        return json.dumps(body, indent=2, sort_keys=True)

    def render(self):
        try:
            return super().render()
        except Refused as refusal:
            return self.render_refusal(refusal)

    def upload_refused(self, errors):
        """The message of a body that cannot be read (``errors`` by field)."""
        if len(errors) == 1:
            return next(iter(errors.values()))
        return Message(
            UPLOAD_REFUSED, mapping={"fields": ", ".join(sorted(map(str, errors)))}
        )

    def too_large(self):
        return Refused(413, TOO_LARGE, self.too_large_message)

    def read_upload(self):
        """(fields, files) of a JSON or multipart body; Refused when it cannot
        be read or is larger than :meth:`body_limit`."""
        content_type = (self.request.getHeader("Content-Type") or "").lower()
        try:
            if content_type.startswith("multipart/form-data"):
                # Zope parsed the parts into temporary files already; a body
                # over this endpoint's limit is refused all the same.
                uploads.check_declared_length(self.request, self.body_limit())
                return uploads.read_multipart(self.request)
            return uploads.read_json(self.request, self.body_limit())
        except uploads.RequestTooLarge:
            raise self.too_large() from None
        except uploads.BadUpload as error:
            raise Refused(
                400, BAD_REQUEST, self.upload_refused(error.errors), error.errors
            ) from None

    def read_file(self):
        """(file bytes, JSON options) of a one-file body (uploads.read_file);
        Refused when it cannot be read or the file is larger than
        :meth:`file_limit`."""
        try:
            return uploads.read_file(self.request, self.file_limit())
        except uploads.RequestTooLarge:
            raise self.too_large() from None
        except uploads.BadUpload as error:
            raise Refused(
                400, BAD_REQUEST, self.upload_refused(error.errors), error.errors
            ) from None

    def read_json_object(self, message=NOT_A_JSON_OBJECT):
        """The body's JSON object; Refused (400, ``message``) otherwise."""
        try:
            data = json_body(self.request)
        except Exception:
            data = None
        if not isinstance(data, dict):
            raise Refused(400, BAD_REQUEST, message)
        return data
