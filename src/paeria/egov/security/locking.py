"""Locks never come from a read and never break one (issue 17, finding 2).

plone.locking locks a document when its edit form begins (the
``plone.locking`` behavior), and a GET of the form is enough to begin it:
also a GET of a widget below it (``@@edit/++widget++…``), traversed before
the publisher authenticates anybody, so that the lock was taken in the name
of nobody. plone.restapi's lock information then asked for the creator with
no user id, and every REST GET of the document answered 500 for the lock's
ten minutes.

- :class:`LockSettings`: no lock is taken by a GET or HEAD, nor by a request
  without a user (anonymous, or not yet authenticated); a lock is taken by
  a request that may write (``POST @lock``, the edit form saved), as the
  site's setting allows.
- :class:`ReadableLockable`: a lock without a creator (taken before this
  fix) is one nobody holds: ``lock_info`` leaves it out, so that reading the
  object works and plone.locking does not honour it (Zope's WebDAV layer
  still sees it until it times out).
"""

from AccessControl import getSecurityManager
from plone import api
from plone.locking.interfaces import ILockSettings
from plone.locking.interfaces import ITTWLockable
from plone.locking.lockable import TTWLockable
from zope.component import adapter
from zope.globalrequest import getRequest
from zope.interface import implementer


READ_METHODS = frozenset(("GET", "HEAD"))


@adapter(ITTWLockable)
@implementer(ILockSettings)
class LockSettings:
    def __init__(self, context):
        self.context = context

    @property
    def lock_on_ttw_edit(self):
        request = getRequest()
        if request is not None:
            method = (request.get("REQUEST_METHOD") or "GET").upper()
            if method in READ_METHODS:
                return False
        if getSecurityManager().getUser().getId() is None:
            return False
        return bool(
            api.portal.get_registry_record("plone.lock_on_ttw_edit", default=True)
        )


class ReadableLockable(TTWLockable):
    def lock_info(self):
        return [info for info in super().lock_info() if info["creator"] is not None]
