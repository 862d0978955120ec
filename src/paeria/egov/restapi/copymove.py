"""POST @copy / @move answering a refusal with a readable 401/403/400.

plone.restapi puts the sources on a clipboard and pastes them with OFS's
CopySupport, which refuses with a bare ``CopyError`` ("Not Supported") or a
``ValueError`` that Zope answers as a 500: a register entry (Asiento), whose
workflow takes "Copy or Move" from every role, could not be moved, and the
client was told the server had failed. Its own refusals (no permission to add
here, to delete from there) are a 401/403 with an empty body. Here, for every
source before any is touched:

- one the user may not move or copy (OFS's own test: the "Copy or Move"
  permission, and for a move the "Delete objects" permission where it is) is
  a 401 (anonymous) or 403 naming it;
- one whose type this container does not hold is a 400, one whose type the
  user may not add here a 403;
- what OFS or Dexterity still refuse is a 400 with their reason, and nothing
  already pasted is kept;
- refusals raised by the content's own subscribers (a signed document, a
  register entry: :mod:`paeria.egov.workflow.errors`) keep their message and
  status through their exception view.

A source given by URL or path is found as the publisher finds it: the object
reached must be visible to the user, the folders on the way need not be.
"""

from Acquisition import aq_parent
from OFS.CopySupport import CopyError
from paeria.egov import _
from paeria.egov.restapi.service import error_body
from plone import api
from plone.restapi.deserializer import json_body
from plone.restapi.services.copymove.copymove import Copy as BaseCopy
from plone.restapi.services.copymove.copymove import Move as BaseMove
from Products.CMFCore.interfaces import IContentish
from Products.CMFCore.interfaces import ITypeInformation
from zope.component import queryUtility
from zope.i18n import translate
from zope.security import checkPermission
import transaction


class RefusingCopyMove:
    """Checks the sources before plone.restapi's copy or move runs."""

    def reply(self):
        if not checkPermission("cmf.AddPortalContent", self.context):
            return self.forbidden(
                _(
                    "error_paste_not_permitted",
                    default="You are not allowed to add content to “${title}”.",
                    mapping={"title": self.title_of(self.context)},
                )
            )
        data = json_body(self.request)
        sources = data.get("source") or []
        if not isinstance(sources, list):
            sources = [sources]
        for source in sources:
            obj = self.get_object(source) if isinstance(source, str) else None
            if obj is None:
                continue  # plone.restapi skips what it cannot find
            refusal = self.source_refusal(obj) or self.target_refusal(obj)
            if refusal is not None:
                return refusal
        try:
            return super().reply()
        except (CopyError, ValueError) as error:
            # What OFS or Dexterity still refuse (e.g. a folder's own type
            # restrictions): nothing pasted before the refusal is kept.
            return self.bad_request(
                _(
                    "error_paste_refused",
                    default="The content cannot be placed in “${title}”: ${reason}.",
                    mapping={
                        "title": self.title_of(self.context),
                        "reason": str(error).rstrip("."),
                    },
                )
            )

    def get_object(self, key):
        """The source by URL, path or UID, if the user may see it.

        plone.restapi traverses a URL or path with ``restrictedTraverse``,
        which needs View on every folder on the way: a unit's staff hold their
        roles on the unit, not on /unidades, and their own documents were
        "not found". The publisher checks the object reached; so does this.
        """
        if not key.startswith(self.portal_url) and not key.startswith("/"):
            return super().get_object(key)  # a UID: the catalog filters
        if key.startswith(self.portal_url):
            path = key[len(self.portal_url) + 1 :]
        else:
            path = key.lstrip("/")
        steps = path.rstrip("/").split("/")
        if any(
            step in ("", ".", "..") or step.startswith(("@", "+")) for step in steps
        ):
            return None  # content ids only: no way up, no views, no namespaces
        obj = self.portal.unrestrictedTraverse(steps, None)
        if obj is None or not IContentish.providedBy(obj):
            return None
        if not checkPermission("zope2.View", obj):
            return None
        return obj

    def source_refusal(self, obj):
        if self.is_moving:
            parent = aq_parent(obj)
            if obj.cb_isMoveable() and checkPermission("zope2.DeleteObjects", parent):
                return None
            return self.forbidden(
                _(
                    "error_move_not_permitted",
                    default="“${title}” cannot be moved: you are not allowed to "
                    "move it from where it is.",
                    mapping={"title": self.title_of(obj)},
                )
            )
        if obj.cb_isCopyable():
            return None
        return self.forbidden(
            _(
                "error_copy_not_permitted",
                default="“${title}” cannot be copied: you are not allowed to copy it.",
                mapping={"title": self.title_of(obj)},
            )
        )

    def target_refusal(self, obj):
        """The container must take the source's type, and the user must be
        allowed to add that type here."""
        container_info = self.context.getTypeInfo()
        type_info = queryUtility(ITypeInformation, name=obj.portal_type)
        if type_info is None:
            return None  # not a portal type: OFS decides
        mapping = {
            "title": self.title_of(self.context),
            "type": translate(type_info.Title(), context=self.request),
        }
        if container_info is not None and not container_info.allowType(obj.portal_type):
            return self.bad_request(
                _(
                    "error_paste_type_not_allowed",
                    default="“${title}” does not hold content of the type “${type}”.",
                    mapping=mapping,
                )
            )
        if not type_info.isConstructionAllowed(self.context):
            return self.forbidden(
                _(
                    "error_paste_type_not_permitted",
                    default="You are not allowed to add content of the type "
                    "“${type}” to “${title}”.",
                    mapping=mapping,
                )
            )
        return None

    def forbidden(self, message):
        transaction.doom()
        if api.user.is_anonymous():
            self.request.response.setStatus(401)
            return self.error("Unauthorized", message)
        self.request.response.setStatus(403)
        return self.error("Forbidden", message)

    def bad_request(self, message):
        transaction.doom()
        self.request.response.setStatus(400)
        return self.error("BadRequest", message)

    def error(self, error_type, message):
        return error_body(self.request, error_type, message)

    @staticmethod
    def title_of(obj):
        return obj.Title() or obj.getId()


class Copy(RefusingCopyMove, BaseCopy):
    """Copies existing content objects."""


class Move(RefusingCopyMove, BaseMove):
    """Moves existing content objects."""
