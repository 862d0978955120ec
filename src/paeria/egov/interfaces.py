"""Marker interfaces shared across the add-on's sub-packages."""

from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IPaeriaEgovLayer(IDefaultBrowserLayer):
    """Browser layer: views, serializers and services registered for it are
    active only on sites where paeria.egov is installed."""
