"""Event subscribers that write the journal (never views).

They are registered (configure.zcml) for the objects that provide
:class:`paeria.egov.interfaces.IJournalled`, the marker declared there for the
journalled content classes. Events dispatched to the children of a moved or
removed object (their ``event.object`` is the parent) are not journalled
again: the parent's entry says what happened to all of them. The children of
an added object (a copy) are new, and each gets its "created" entry.

The features tell the journal what has no content event of its own by
notifying the events of :mod:`paeria.egov.events` (ENI exports and imports,
downloads through their own doors, local roles set by code). Only Plone's own
file views (plone.namedfile's ``@@download`` and ``@@display-file``) notify
nothing: :func:`plone_file_published` journals them after the request
succeeded (IPubBeforeCommit, so the entry commits with the request or not at
all).
"""

from Acquisition import aq_base
from Acquisition import aq_parent
from paeria.egov.journal import recording
from paeria.egov.journal.storage import ANNOTATION_KEY
from plone.app.workflow.interfaces import ILocalrolesModifiedEvent
from plone.namedfile.browser import DisplayFile
from plone.namedfile.browser import Download
from zope.annotation.interfaces import IAnnotations
from zope.container.interfaces import IContainerModifiedEvent
from zope.lifecycleevent.interfaces import IObjectAddedEvent
from zope.lifecycleevent.interfaces import IObjectRemovedEvent


def _same(one, other):
    return aq_base(one) is aq_base(other)


def _dispatched_to_child(obj, event):
    return not _same(obj, event.object)


def object_added(obj, event):
    # Children of an added object (a pasted copy) are new objects as well:
    # each gets its "created" entry.
    recording.snapshot_local_roles(obj)
    recording.record_created(obj, container=recording.physical_path(aq_parent(obj)))


def object_modified(obj, event):
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
    if _dispatched_to_child(obj, event):
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
    if _dispatched_to_child(obj, event):
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
    if event.transition is None:
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
    recording.record_local_roles(obj)


# -- What the features tell (paeria.egov.events) ------------------------------------


def local_roles_set_by_code(obj, event):
    recording.record_local_roles(obj, reason=event.reason)


def eni_exported(obj, event):
    recording.record_eni_export(obj, event.kind)


def eni_imported(obj, event):
    recording.record_eni_import(obj, event.kind, **getattr(event, "details", {}))


def tramitador_assigned(obj, event):
    recording.record(
        obj, recording.ASSIGNED, previous=event.previous, assigned=event.assigned
    )


def file_downloaded(obj, event):
    recording.record(obj, recording.DOWNLOAD, field=event.field, via=event.via)


def document_signed(obj, event):
    recording.record(obj, recording.SIGNED, **event.details)


def signing_key_locked(obj, event):
    recording.record(
        obj,
        recording.SIGNING_KEY_LOCKED,
        user_id=event.user_id,
        locked_until=event.locked_until,
    )


# -- Plone's own file views, after publication -------------------------------------


def _plone_file_action(published):
    """(action, object, details) for a journalled object's file handed out by
    plone.namedfile's views, or None."""
    context = getattr(published, "context", None)
    if context is None or not recording.is_journalled(context):
        return None
    if isinstance(published, DisplayFile):
        return recording.VIEW_CONTENT, context, {"field": published.fieldname}
    if isinstance(published, Download):
        return recording.DOWNLOAD, context, {"field": published.fieldname}
    return None


def plone_file_published(event):
    """IPubBeforeCommit: journal a file that plone.namedfile's ``@@download``
    or ``@@display-file`` handed out; a refused request (status 300 and above)
    is not journalled."""
    request = event.request
    item = request.get("PUBLISHED")
    if item is None:
        return
    item = getattr(item, "__self__", item)  # a published method: its view
    if request.response.getStatus() >= 300:
        return
    action = _plone_file_action(item)
    if action is not None:
        what, obj, details = action
        recording.record(obj, what, **details)
