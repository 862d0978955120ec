"""Marker interfaces shared across the add-on's sub-packages."""

from zope.interface import Interface
from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IPaeriaEgovLayer(IDefaultBrowserLayer):
    """Browser layer: views, serializers and services registered for it are
    active only on sites where paeria.egov is installed."""


class IJournalled(Interface):
    """Marker of the content classes whose objects the audit journal records
    (docs/journal.md); declared for them in journal/configure.zcml, so nothing
    stored changes."""
