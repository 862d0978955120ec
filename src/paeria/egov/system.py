"""The portal acting by itself (automated administrative action, Ley 40/2015
art. 41): expiring a notification, filing what a citizen sent into the
expediente it belongs to. The workflow history and the journal name it
:data:`AUTOMATED_ACTOR`, never the person whose request happened to trigger
it."""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from AccessControl.users import UnrestrictedUser
from contextlib import contextmanager
from plone import api


AUTOMATED_ACTOR = "paeria.egov"


class PortalActor(UnrestrictedUser):
    """Unrestricted, and with an id (Zope's UnrestrictedUser has none), so that
    the workflow history names it."""

    def getId(self):
        return self.getUserName()


@contextmanager
def as_portal():
    """Run the block as the portal itself, then as whoever was before."""
    portal = api.portal.get()
    previous = getSecurityManager()
    user = PortalActor(AUTOMATED_ACTOR, "", ("Manager",), ()).__of__(portal.acl_users)
    newSecurityManager(None, user)
    try:
        yield
    finally:
        setSecurityManager(previous)
