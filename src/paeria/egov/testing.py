"""Test layers: a fixture with the add-on installed, an integration layer for
logic (no commits) and a functional layer served over HTTP for plone.restapi."""

from plone.app.testing import applyProfile
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PLONE_FIXTURE
from plone.app.testing import PloneSandboxLayer
from plone.testing.zope import WSGI_SERVER_FIXTURE
from zope.configuration import xmlconfig
import os
import paeria.egov
import plone.restapi


# Translations are compiled from the committed .po files when Zope loads them.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")


class PaeriaEgovLayer(PloneSandboxLayer):
    defaultBases = (PLONE_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        self.loadZCML(package=plone.restapi)
        self.loadZCML(package=paeria.egov)
        # As Plone's autoinclude does in an instance (the fixture turns it off).
        xmlconfig.includeOverrides(
            configurationContext, "overrides.zcml", package=paeria.egov
        )
        configurationContext.execute_actions()

    def setUpPloneSite(self, portal):
        applyProfile(portal, "plone.app.contenttypes:default")
        applyProfile(portal, "paeria.egov:default")


PAERIA_EGOV_FIXTURE = PaeriaEgovLayer()

PAERIA_EGOV_INTEGRATION_TESTING = IntegrationTesting(
    bases=(PAERIA_EGOV_FIXTURE,),
    name="PaeriaEgovLayer:IntegrationTesting",
)

PAERIA_EGOV_FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(PAERIA_EGOV_FIXTURE, WSGI_SERVER_FIXTURE),
    name="PaeriaEgovLayer:FunctionalTesting",
)


#: The zope.testrunner level of the slow sweeps that do not depend on the date
#: (every door of every object requested, as several users): `make test` runs
#: every level (``--all``); the dated runs (scripts/run_tests.py) only level 1,
#: the default, since these sweeps would find nothing new at a faked instant
#: and take minutes at each. A test that computes a date never gets this level.
DATE_INDEPENDENT_SWEEP = 2
