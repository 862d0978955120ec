"""Expiry: a notification not accessed within :data:`EXPIRY_DAYS` calendar
days counts as rejected (LPAC 43.2), and the portal takes ``expirar`` itself."""

from paeria.egov.notifications.evidence import now
from paeria.egov.states import Notificacion
from paeria.egov.system import as_portal
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


# LPAC 43.2: ten calendar days from being made available.
EXPIRY_DAYS = 10


def is_due(notificacion, moment=None):
    if (
        api.content.get_state(notificacion, default=None)
        != Notificacion.PUESTA_A_DISPOSICION
    ):
        return False
    expiry = notificacion.fecha_expiracion
    return expiry is not None and (moment or now()) >= expiry


def expire_if_due(notificacion, moment=None, request=None):
    """Take ``expirar`` if the time to access ran out; True if it did. Called
    on every read of a notification, so an overdue one is never shown, nor
    accessed, as pending."""
    if not is_due(notificacion, moment):
        return False
    if request is not None:
        # A read (GET) that finds it overdue writes the expiry: the portal's
        # own act, decided by the clock, not by anything the client sent.
        alsoProvides(request, IDisableCSRFProtection)
    with as_portal():
        api.content.transition(obj=notificacion, transition=Notificacion.EXPIRAR)
    return True


def expire_due(moment=None):
    """Expire every overdue notification in the site; return how many. The
    pending ones are few (a notification waits at most 10 days), so they are
    all looked at."""
    moment = moment or now()
    catalog = api.portal.get_tool("portal_catalog")
    expired = 0
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Notificacion", review_state=Notificacion.PUESTA_A_DISPOSICION
    ):
        if expire_if_due(brain._unrestrictedGetObject(), moment):
            expired += 1
    return expired
