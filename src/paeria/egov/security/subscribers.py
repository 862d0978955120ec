"""Records refuse the doors the workflows and the content subscribers leave
open (registered in configure.zcml).

- A closed or archived expediente is not moved or renamed (its removal is
  refused by workflow/subscribers.py): moving it to another unit would hand
  its documents to other staff, renaming it would break the addresses cited
  in its notifications and its ENI index. It moves only with its container.
- WebDAV's writing methods (PUT, DELETE, PROPPATCH, MKCOL, MOVE, COPY, LOCK,
  UNLOCK), which Zope answers on the WSGI server, are refused on records and
  inside them: the portal has no WebDAV client, and "WebDAV Lock items" and
  the property sheets are not managed by the workflows (a Manager could lock
  a signed document or write a property of a register entry).
- The doors to a document's bytes that skip the integrity gate are closed
  (404) on documents, receipts included: the WebDAV/FTP-era reads
  (``manage_DAVget``, ``manage_FTPget``, ``PROPFIND``, ``listDAVObjects``),
  ``@@images`` (a PDF has no scales: it served the original) and any form
  widget traversed below a document (``@@edit/++widget++form.widgets.file/
  @@download`` served the file to readers and, being an edit form, locked
  the document). The doors that stay go through the gate
  (``integrity/downloads.py``, ``integrity/checks.check_document``).
- A long JSON body is kept out of memory: hidden from plone.restapi's login
  lookup while the user is authenticated, then, for plone.restapi's own
  content services, read in chunks with the files spooled to temporary files
  (``uploads.py``, ``spooling.py``; docs/performance.md, "Uploads").
"""

from Acquisition import aq_base
from Acquisition import aq_chain
from Acquisition import aq_inner
from paeria.egov import _
from paeria.egov import uploads
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.expediente import IExpediente
from paeria.egov.restapi.service import Service as OwnService
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import IMMUTABLE_DOCUMENT_STATES
from paeria.egov.workflow.errors import RecordImmutable
from plone import api
from plone.namedfile.scaling import ImageScaling
from plone.rest.interfaces import IAPIRequest
from plone.restapi.exceptions import DeserializationError
from z3c.form.interfaces import IWidget
from zExceptions import Forbidden
from zExceptions import NotFound
from zope.i18n import translate


# WebDAV/FTP-era methods that read a document: a council has no WebDAV client.
CLOSED_DOCUMENT_METHODS = frozenset(
    ("manage_DAVget", "manage_FTPget", "PROPFIND", "listDAVObjects")
)

WEBDAV_METHODS = frozenset(
    ("HEAD", "OPTIONS", "TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE")
).union(("LOCK", "UNLOCK", "PUT", "DELETE"))

WEBDAV_WRITES = frozenset(
    ("PUT", "DELETE", "PROPPATCH", "MKCOL", "MOVE", "COPY", "LOCK", "UNLOCK")
)


def _state(obj):
    return api.content.get_state(obj, default=None)


def is_record(obj):
    """Whether ``obj`` is kept as it is: a closed expediente, a register entry
    or one of its documents, a signed, incorporated or annulled document."""
    if IAsiento.providedBy(obj) or IRegisteredDocument.providedBy(obj):
        return True
    if IExpediente.providedBy(obj):
        return _state(obj) in CLOSED_EXPEDIENTE_STATES
    if IDocumento.providedBy(obj):
        return _state(obj) in IMMUTABLE_DOCUMENT_STATES
    return False


def protect_closed_expediente_placement(expediente, event):
    """IObjectWillBeMovedEvent: a closed or archived expediente is not moved
    or renamed, unless it moves with its container."""
    if event.oldParent is None or event.newParent is None:
        return  # being added, or removed (refused by workflow/subscribers.py)
    if aq_base(event.object) is not aq_base(expediente):
        return  # moved with its unit
    if _state(expediente) not in CLOSED_EXPEDIENTE_STATES:
        return
    raise RecordImmutable(
        _(
            "error_expediente_closed_not_moved",
            default="The expediente ${numero} is closed: it cannot be moved or "
            "renamed.",
            mapping={"numero": expediente.numero or expediente.getId()},
        ),
        url=expediente.absolute_url(),
    )


def refuse_webdav_writes(event):
    """IPubAfterTraversal: a WebDAV writing method on a record, or on anything
    inside one (a new child's null resource included), is refused with a 403
    before it runs."""
    request = event.request
    method = (request.get("REQUEST_METHOD") or "GET").upper()
    if method not in WEBDAV_WRITES or IAPIRequest.providedBy(request):
        return  # plone.rest's services answer PUT, DELETE... of JSON clients
    published = request.get("PUBLISHED")
    obj = getattr(published, "__self__", published)
    for each in aq_chain(aq_inner(obj)) if obj is not None else ():
        if is_record(each):
            raise Forbidden(
                translate(
                    _(
                        "error_record_webdav",
                        default="“${title}” is a record: WebDAV cannot change it.",
                        mapping={"title": each.Title()},
                    ),
                    context=request,
                )
            )


JSON_WRITES = ("POST", "PATCH", "PUT")


def hide_long_json_bodies(event):
    """IPubStart: a long JSON body is not read whole while the user is
    authenticated (``uploads.hide_body_during_traversal``)."""
    uploads.hide_body_during_traversal(event.request)


def spool_json_bodies(event):
    """IPubAfterTraversal: plone.restapi's own services (content POST, PATCH,
    PUT) read the whole JSON body with ``json_body`` and decode a file's
    base64 whole: a 50 MB file cost 5 times its size in memory. The body is
    refused (413) by its declared length beyond one file of the largest size,
    else read now in chunks, the files' data spooled to temporary files
    (``uploads.spool_request_body``; the file field's deserializer takes them
    back, deserializers.py). The portal's own upload services read their
    bodies themselves, the same way, within their own limits."""
    request = event.request
    uploads.restore_body(request)
    if not IAPIRequest.providedBy(request) or not uploads.is_json(request):
        return
    if (request.get("REQUEST_METHOD") or "GET").upper() not in JSON_WRITES:
        return
    published = request.get("PUBLISHED")
    if isinstance(published, OwnService) and published.streams_body:
        return
    limit = uploads.files_body_limit(1)
    try:
        uploads.spool_request_body(request, limit, limit)
    except uploads.BadUpload:
        raise DeserializationError("No JSON object could be decoded") from None


def _closed_door(published, parents):
    """Whether ``published`` (reached through ``parents``, the request's
    traversal chain) reads a document's bytes past the gate."""
    method_of = getattr(published, "__self__", None)
    if IDocumento.providedBy(method_of):
        return getattr(published, "__name__", None) in CLOSED_DOCUMENT_METHODS
    for each in parents:
        context = getattr(each, "context", None)
        if isinstance(each, ImageScaling) and IDocumento.providedBy(context):
            return True
        if IWidget.providedBy(each) and IDocumento.providedBy(context):
            return True
    return False


def _webdav_method_by_name(published, request):
    """Whether ``published`` is a WebDAV method (``OPTIONS``, ``PROPFIND``…)
    reached by its name with another HTTP method (``GET <obj>/OPTIONS``):
    Zope publishes them so, and the first one stored an ETag on the object."""
    name = getattr(published, "__name__", None)
    if name not in WEBDAV_METHODS or getattr(published, "__self__", None) is None:
        return False
    return (request.get("REQUEST_METHOD") or "GET").upper() != name


def close_document_doors(event):
    """IPubAfterTraversal: the doors to a document's bytes that skip the
    integrity gate, and WebDAV methods published by name, answer 404, for
    every user."""
    request = event.request
    published = request.get("PUBLISHED")
    parents = [published, *(request.get("PARENTS") or ())]
    if _closed_door(published, parents) or _webdav_method_by_name(published, request):
        raise NotFound()
