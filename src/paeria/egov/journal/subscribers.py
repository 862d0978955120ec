"""Event subscribers that write the journal (never views).

Content events are subscribed for every Dexterity object and filtered by
portal_type (:data:`paeria.egov.journal.recording.JOURNALLED_TYPES`), so that types
added later (SolicitudInforme, Notificacion) are journalled by their id.
Events dispatched to the children of a moved or removed object (their
``event.object`` is the parent) are not journalled again: the parent's entry
says what happened to all of them. The children of an added object (a copy)
are new, and each gets its "created" entry.

Downloads, views of a document's content and ENI exports and imports have no
event of their own: :func:`published` journals them after the request
succeeded, from what was published (IPubBeforeCommit, so the entry commits
with the request or not at all).
"""

from Acquisition import aq_base
from Acquisition import aq_parent
from paeria.egov.eni import browser as eni_browser
from paeria.egov.eni import services as eni_services
from paeria.egov.journal import recording
from paeria.egov.journal.storage import ANNOTATION_KEY
from zope.annotation.interfaces import IAnnotations
from zope.lifecycleevent.interfaces import IObjectAddedEvent
from zope.lifecycleevent.interfaces import IObjectRemovedEvent


def _same(one, other):
    return aq_base(one) is aq_base(other)


def _dispatched_to_child(obj, event):
    return not _same(obj, event.object)


def object_added(obj, event):
    # Children of an added object (a pasted copy) are new objects as well:
    # each gets its "created" entry.
    if not recording.is_journalled(obj):
        return
    recording.snapshot_local_roles(obj)
    recording.record_created(obj, container=recording.physical_path(aq_parent(obj)))
    recording.remember_created(obj)


def object_modified(obj, event):
    from plone.app.workflow.interfaces import ILocalrolesModifiedEvent
    from zope.container.interfaces import IContainerModifiedEvent

    if not recording.is_journalled(obj):
        return
    # A child added or removed is journalled on the child; local roles by
    # local_roles_modified.
    if IContainerModifiedEvent.providedBy(event):
        return
    if ILocalrolesModifiedEvent.providedBy(event):
        return
    fields = set()
    for description in getattr(event, "descriptions", ()) or ():
        # Forms and plone.restapi name them "IBasic.title": the field is what
        # the reader wants.
        for name in getattr(description, "attributes", ()) or ():
            fields.add(name.rsplit(".", 1)[-1])
    recording.record(obj, recording.MODIFIED, fields=sorted(fields))


def object_moved(obj, event):
    if IObjectAddedEvent.providedBy(event) or IObjectRemovedEvent.providedBy(event):
        return
    if not recording.is_journalled(obj) or _dispatched_to_child(obj, event):
        return
    if event.oldParent is None or event.newParent is None:
        return
    if recording.amend_created(obj):
        return
    old_path = f"{recording.physical_path(event.oldParent)}/{event.oldName}"
    new_path = f"{recording.physical_path(event.newParent)}/{event.newName}"
    same_place = _same(event.oldParent, event.newParent)
    recording.record(
        obj,
        recording.RENAMED if same_place else recording.MOVED,
        old_path=old_path,
        new_path=new_path,
    )


def object_removed(obj, event):
    if not recording.is_journalled(obj) or _dispatched_to_child(obj, event):
        return
    old_path = None
    if event.oldParent is not None:
        old_path = f"{recording.physical_path(event.oldParent)}/{event.oldName}"
    recording.record(obj, recording.REMOVED, path=old_path)


def object_copied(obj, event):
    """A copy carries the original's annotations: it must not carry its
    journal chain or its last seen local roles (dispatched to every copied
    child too)."""
    annotations = IAnnotations(obj, None)
    if annotations is None:
        return
    for key in (ANNOTATION_KEY, recording.ROLES_SNAPSHOT_KEY):
        if key in annotations:
            del annotations[key]


def after_transition(obj, event):
    if not recording.is_journalled(obj) or event.transition is None:
        return
    status = event.status or {}
    comment = status.get("comments")
    if comment is None:
        comment = (event.kwargs or {}).get("comment", "")
    recording.record(
        obj,
        recording.TRANSITION,
        transition=event.transition.id,
        from_state=getattr(event.old_state, "id", None),
        to_state=getattr(event.new_state, "id", None),
        comment=comment or "",
    )


def local_roles_modified(obj, event):
    if recording.is_journalled(obj):
        recording.record_local_roles(obj)


# -- After publication: downloads, ENI exchange --------------------------------------


def _publication_action(published, request):
    """(action, object, details) for what was published, or None."""
    from plone.namedfile.browser import DisplayFile
    from plone.namedfile.browser import Download

    context = getattr(published, "context", None)
    if context is None or not recording.is_journalled(context):
        return None
    if isinstance(published, DisplayFile):
        return recording.VIEW_CONTENT, context, {"field": published.fieldname}
    if isinstance(published, Download):
        return recording.DOWNLOAD, context, {"field": published.fieldname}
    if isinstance(published, (eni_browser.DownloadDocumentoView,)) or isinstance(
        published, eni_services.DocumentoEniGet
    ):
        return recording.ENI_EXPORT, context, {"kind": "documento"}
    if isinstance(
        published, (eni_browser.DownloadExpedienteView, eni_services.ExpedienteEniGet)
    ):
        kind = request.form.get("format") or "intercambio"
        return recording.ENI_EXPORT, context, {"kind": str(kind)[:40]}
    return None


def _imported(published, request):
    """(kind, objects) made by an ENI import view or service, or None."""
    if isinstance(
        published, (eni_browser.ImportExpedienteView, eni_services.UnidadEniImportPost)
    ):
        kind = "expediente"
    elif isinstance(
        published,
        (eni_browser.ImportDocumentoView, eni_services.ExpedienteEniImportPost),
    ):
        kind = "documento"
    else:
        return None
    context = published.context
    made = []
    for obj in recording.created_in_request(request):
        parent = aq_parent(obj)
        if parent is None or not _same(parent, context):
            continue
        # Rolled back by the import's savepoint: no longer in the container.
        if not parent.hasObject(obj.getId()):
            continue
        if obj.portal_type == kind.capitalize():
            made.append(obj)
    return kind, made


def published(event):
    """IPubBeforeCommit: journal what a successful request handed out or
    imported; a refused one (status 400 and above) is not journalled."""
    request = event.request
    item = request.get("PUBLISHED")
    if item is None:
        return
    item = getattr(item, "__self__", item)  # a published method: its view
    status = request.response.getStatus()
    if status >= 300:
        return
    action = _publication_action(item, request)
    if action is not None:
        what, obj, details = action
        recording.record(obj, what, **details)
        return
    imported = _imported(item, request)
    if imported is not None:
        kind, objects = imported
        for obj in objects:
            recording.record_eni_import(obj, kind)
