"""REST: ``GET/POST <procedimiento>/@iniciar`` and
``POST <portal>/tramites/@instancia-generica``.

``GET @iniciar`` describes the form: whether the procedure can be started
online and, if not, why, and the documents it asks for (``id``, ``name``,
``mandatory``, ``tipo_documental``). ``POST @iniciar`` files it; the body is
JSON::

    {"expone": "…", "solicita": "…",
     "documentos": {"<document id>": {"data": "<base64>", "encoding": "base64",
                                      "filename": "dni.pdf",
                                      "content-type": "application/pdf"}},
     "files": [<other documents, same shape>],
     "idempotency_key": "<token>"}

or ``multipart/form-data`` with ``expone``, ``solicita``, one upload
``documento.<document id>`` per required document and any ``files``. The token
may come as the ``Idempotency-Key`` header instead. ``@instancia-generica``
takes ``expone``, ``solicita`` (required), ``unidad_destino`` (a unit's UID,
optional) and ``files``.

Answers: 201 and the receipt (entry number and dates, the receipt's download
address and CSV, the expediente's number and deadline); 200 and the same
receipt for a repeated token; 400 ``{"error": {"type", "message", "fields":
{field: message}}}`` (the one error shape, docs/rest.md) naming each field at
fault (``documentos.<id>``, ``files[i]``); 401 anonymous; 403 when the
procedure is not published or not online, or the account has no NIF/NIE; 409
a token reused for another application; 413 too large. A refusal stores nothing.
"""

from AccessControl import Unauthorized
from paeria.egov import _
from paeria.egov.registro.register import COMPUTED_FIELDS
from paeria.egov.registro.register import GIVEN_FIELDS
from paeria.egov.restapi.service import Service
from paeria.egov.sede import idempotency
from paeria.egov.sede.errors import DOCUMENTS_NOT_AN_OBJECT
from paeria.egov.sede.errors import FilingError
from paeria.egov.sede.errors import FilingNotAllowed
from paeria.egov.sede.filing import check_procedure_open
from paeria.egov.sede.filing import document_slots
from paeria.egov.sede.filing import file_generic
from paeria.egov.sede.filing import file_procedure
from paeria.egov.uploads import BadUpload
from paeria.egov.uploads import body_limit
from paeria.egov.uploads import decode_json_file
from paeria.egov.uploads import files_body_limit
from paeria.egov.uploads import MAX_FILES
from paeria.egov.uploads import read_json
from paeria.egov.uploads import read_multipart
from paeria.egov.uploads import RequestTooLarge
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.i18n import translate
from zope.interface import alsoProvides


STATEMENT_FIELDS = ("expone", "solicita")
TOKEN_FIELD = "idempotency_key"  # noqa: S105 (a form field name, no secret)
UPLOAD_PREFIX = "documento."
SET_BY_OFFICE = _(
    "error_filing_field_set_by_office",
    default="This value is set by the electronic office (from your account and "
    "the procedure); it cannot be given.",
)
UNKNOWN_FIELD = _("error_register_unknown_field", default="Unknown field.")
TOO_MANY_FILES = _(
    "error_register_too_many_files",
    default="At most ${max} files may be attached.",
    mapping={"max": MAX_FILES},
)


def _forged(key):
    return key in GIVEN_FIELDS or key in COMPUTED_FIELDS or key.startswith("interesado")


def _upload_as_file(upload):
    if not hasattr(upload, "read"):
        return upload if upload else {"data": b"", "filename": ""}
    upload.seek(0)
    # Spooled to a temporary file by Zope's multipart parser: stored into the
    # blob by chunks, never read whole.
    return {
        "data": upload,
        "filename": upload.filename or "",
        "content_type": upload.headers.get("Content-Type"),
    }


def _read_multipart(request, allowed):
    form, extras = read_multipart(request)
    data, documents, errors = {}, {}, {}
    for key, value in form.items():
        if key.startswith(UPLOAD_PREFIX):
            documents[key[len(UPLOAD_PREFIX) :]] = _upload_as_file(value)
        elif key in allowed:
            data[key] = value
        elif _forged(key):
            errors[key] = SET_BY_OFFICE
        # Anything else (the form's buttons and markers) is not data.
    return data, documents, extras, errors


def _read_json(request, allowed, limit):
    data, extras = read_json(request, limit)
    documents = data.pop("documentos", None) or {}
    errors = {}
    for key in list(data):
        if key not in allowed:
            errors[key] = SET_BY_OFFICE if _forged(key) else UNKNOWN_FIELD
            del data[key]
    decoded = {}
    if not isinstance(documents, dict):
        errors["documentos"] = DOCUMENTS_NOT_AN_OBJECT
        documents = {}
    for slot_id, item in documents.items():
        try:
            decoded[slot_id] = decode_json_file(0, item)
        except BadUpload as error:
            for message in error.errors.values():
                errors[f"documentos.{slot_id}"] = message
    return data, decoded, extras, errors


def read_application(request, allowed, limit=None):
    """(data, documents by id, other files, token) from a JSON or multipart
    body of at most ``limit`` bytes; FilingError for what cannot be read;
    RequestTooLarge."""
    content_type = (request.getHeader("Content-Type") or "").lower()
    try:
        if content_type.startswith("multipart/form-data"):
            data, documents, extras, errors = _read_multipart(request, allowed)
        else:
            data, documents, extras, errors = _read_json(
                request, allowed, body_limit() if limit is None else limit
            )
    except BadUpload as error:
        raise FilingError(error.errors) from None
    if len(documents) + len(extras) > MAX_FILES:
        errors["files"] = TOO_MANY_FILES
    token = data.pop(TOKEN_FIELD, None) or request.getHeader(idempotency.HEADER)
    try:
        token = idempotency.clean_token(token)
    except idempotency.InvalidToken as error:
        errors[TOKEN_FIELD] = error.message
    if errors:
        raise FilingError(errors)
    return data, documents, extras, token


class FilingService(Service):
    streams_body = True
    allowed = (*STATEMENT_FIELDS, TOKEN_FIELD)

    def refuse_filing(self, error):
        return self.refuse(error.status, error.error_type, error.message, error.errors)

    def file(self, data, documents, extras, token):
        raise NotImplementedError

    def reply(self):
        # Like plone.restapi's own write services: authenticated by header.
        alsoProvides(self.request, IDisableCSRFProtection)
        if api.user.is_anonymous():
            raise Unauthorized("Log in to file at the electronic office.")
        try:
            data, documents, extras, token = read_application(
                self.request, self.allowed, self.body_limit()
            )
            result = self.file(data, documents, extras, token)
        except RequestTooLarge:
            raise self.too_large() from None
        except FilingError as error:
            return self.refuse_filing(error)
        if result.get("replayed"):
            self.request.response.setStatus(200)
            self.request.response.setHeader("Idempotent-Replayed", "true")
        else:
            self.request.response.setStatus(201)
        self.request.response.setHeader("Location", result["confirmation"])
        return result


class IniciarPost(FilingService):
    """Start the procedure (the context) online."""

    def body_limit(self):
        """The procedure's documents, each of the largest size, plus one
        more for other files: a citizen's filing is refused by its declared
        length before it is read (413) when it cannot fit, but never more
        than the register's own limit."""
        slots = len(document_slots(self.context))
        return min(files_body_limit(slots + 1), body_limit())

    def file(self, data, documents, extras, token):
        return file_procedure(self.context, data, documents, extras, token)


class InstanciaGenericaPost(FilingService):
    """A generic application, on /tramites."""

    allowed = (*FilingService.allowed, "unidad_destino")

    def file(self, data, documents, extras, token):
        if documents:
            raise FilingError(
                {
                    f"documentos.{key}": _(
                        "error_filing_unknown_document",
                        default="This procedure asks for no document with this "
                        "id; its documents are: ${ids}.",
                        mapping={"ids": "-"},
                    )
                    for key in documents
                }
            )
        return file_generic(data, extras, token)


class IniciarGet(Service):
    """What the form of the procedure asks for, and whether it is open."""

    def reply(self):
        procedimiento = self.context
        available, reason = True, None
        try:
            check_procedure_open(procedimiento)
        except FilingNotAllowed as error:
            available, reason = False, translate(error.message, context=self.request)
        return {
            "@id": f"{procedimiento.absolute_url()}/@iniciar",
            "procedimiento": {
                "@id": procedimiento.absolute_url(),
                "UID": api.content.get_uuid(procedimiento),
                "title": procedimiento.Title(),
            },
            "available": available,
            "reason": reason,
            "documentos": [slot.as_dict() for slot in document_slots(procedimiento)],
            "max_file_size_mb": api.portal.get_registry_record(
                "paeria.egov.max_file_size_mb", default=50
            ),
            "max_files": MAX_FILES,
        }
