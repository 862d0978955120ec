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


class IRecordsWhatItHandsOut(Interface):
    """Marker of the views and services whose GET writes, by design, a record
    of what they handed out besides the journal (the ENI exports record the
    index they issued and give a document its CSV on first need;
    docs/security.md, "GET never changes state"). tests/test_get_purity.py
    allows a GET to write only the journal or through a door marked so."""
