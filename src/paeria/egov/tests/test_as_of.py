"""A scheduled task run as of an instant decides as that instant would have:
notifications made available on 1 December expire when expiry runs as of the
12th (LPAC 43.2: ten calendar days), not when it runs as of the 10th."""

from datetime import datetime
from paeria.egov import clock
from paeria.egov.instance import cli
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.notifications.expiry import expire_due
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from unittest import mock
import unittest


class TestExpiryAsOf(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.addCleanup(clock.reset)
        self.fixture = WorkflowFixture(self.layer["portal"])
        # Made available on Tuesday 1 December 2026 at 10:00 in Madrid.
        with clock.travel("2026-12-01T10:00:00+01:00", tick=False):
            self.notificacion = self.fixture.notificacion()

    def test_expiry_date_is_ten_calendar_days_later(self):
        self.assertEqual(
            self.notificacion.fecha_expiracion,
            clock.MADRID.localize(datetime(2026, 12, 11, 10, 0)),
        )

    def test_not_yet_expired_as_of_the_tenth(self):
        cli.apply_as_of("expire-notifications", "2026-12-10T09:00")
        self.assertEqual(expire_due(), 0)
        self.assertEqual(
            api.content.get_state(self.notificacion), "puesta_a_disposicion"
        )

    def test_expired_as_of_the_twelfth(self):
        cli.apply_as_of("expire-notifications", "2026-12-12")
        self.assertEqual(expire_due(), 1)
        self.assertEqual(api.content.get_state(self.notificacion), "rechazada")
        # The rejection takes effect when the ten days ran out, whenever the
        # task noticed it.
        self.assertEqual(
            self.notificacion.fecha_rechazo,
            clock.MADRID.localize(datetime(2026, 12, 11, 10, 0)),
        )

    def test_environment_variable_is_read(self):
        with mock.patch.dict("os.environ", {clock.AS_OF_ENVIRONMENT: "2026-12-12"}):
            instant = cli.apply_as_of("journal-seal", None)
        self.assertEqual(instant, clock.parse_instant("2026-12-11T23:00:00Z"))
        self.assertEqual(clock.today(), datetime(2026, 12, 12).date())

    def test_refused_outside_the_scheduled_tasks(self):
        with self.assertRaises(ConfigurationError):
            cli.apply_as_of("serve", "2026-12-12")
        self.assertEqual(clock._shift, None)
