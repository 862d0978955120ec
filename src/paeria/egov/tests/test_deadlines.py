"""The site's legal calendar (the holidays kept in the registry) and the
expediente's deadline computed with it from its procedure's maximum time.

The pure calculator is covered by test_calendar.py; here the dates are worked
out by hand on a registry holding only the holidays each test sets."""

from datetime import date
from datetime import datetime
from datetime import UTC
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.settings.calendar import format_holiday_lines
from paeria.egov.settings.calendar import municipal_pairs
from paeria.egov.settings.calendar import parse_holiday_lines
from paeria.egov.settings.calendar import prefill_years
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.setuphandlers import ensure_holidays
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
import unittest


HOLIDAYS = "paeria.egov.holidays"
EASTER_2026 = ["2026-04-03 Divendres Sant", "2026-04-06 Dilluns de Pasqua"]


class TestHolidayLines(unittest.TestCase):
    """What the control panel stores, read and written back."""

    def test_parse_and_format(self):
        lines = [
            " 2026-04-06 Dilluns de Pasqua",
            "",
            "2026-01-01 Cap d'Any",
            "2027-01-01",
        ]
        by_year = parse_holiday_lines(lines)
        self.assertEqual(
            by_year,
            {
                2026: {
                    date(2026, 4, 6): "Dilluns de Pasqua",
                    date(2026, 1, 1): "Cap d'Any",
                },
                2027: {date(2027, 1, 1): ""},
            },
        )
        self.assertEqual(
            format_holiday_lines(by_year),
            ["2026-01-01 Cap d'Any", "2026-04-06 Dilluns de Pasqua", "2027-01-01"],
        )

    def test_bad_lines(self):
        for line in ("01/04/2026 Pasqua", "2026-02-30 Mai", "Pasqua 2026-04-06"):
            with self.subTest(line), self.assertRaises(ValueError):
                parse_holiday_lines([line])
        with self.assertRaises(ValueError):
            municipal_pairs(["11/05 Sant Anastasi"])

    def test_municipal_pairs(self):
        self.assertEqual(
            municipal_pairs(["05-11 Sant Anastasi", " ", "09-29 Sant Miquel"]),
            ((5, 11, "Sant Anastasi"), (9, 29, "Sant Miquel")),
        )


class TestSiteCalendar(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_installation_prefills_this_year_and_the_next(self):
        # The year is Madrid's: 23:30 UTC on 31 Dec 2026 is already 2027 there.
        for instant, years in (
            ("2026-06-02T10:00", [2026, 2027]),
            ("2026-12-31T23:30:00Z", [2027, 2028]),
        ):
            api.portal.set_registry_record(HOLIDAYS, [])
            with self.subTest(instant), clock.travel(instant):
                ensure_holidays()
                by_year = parse_holiday_lines(api.portal.get_registry_record(HOLIDAYS))
                self.assertEqual(sorted(by_year), years)
                for year in years:
                    days = by_year[year]
                    self.assertIn(date(year, 1, 1), days)  # national
                    self.assertIn(date(year, 9, 11), days)  # Catalonia
                    self.assertEqual(days[date(year, 5, 11)], "Sant Anastasi")
                    self.assertEqual(days[date(year, 9, 29)], "Sant Miquel")

    def test_prefill_keeps_what_was_edited_and_adds_missing_years(self):
        api.portal.set_registry_record(HOLIDAYS, ["2030-05-12 Sant Anastasi (moved)"])
        api.portal.set_registry_record(
            "paeria.egov.municipal_holidays", ["06-13 Sant Antoni"]
        )
        prefill_years((2030, 2031))
        by_year = parse_holiday_lines(api.portal.get_registry_record(HOLIDAYS))
        self.assertEqual(by_year[2030], {date(2030, 5, 12): "Sant Anastasi (moved)"})
        self.assertEqual(by_year[2031][date(2031, 6, 13)], "Sant Antoni")
        self.assertIn(date(2031, 12, 25), by_year[2031])
        self.assertNotIn(date(2031, 5, 11), by_year[2031])

    def test_the_calendar_follows_the_registry(self):
        api.portal.set_registry_record(HOLIDAYS, EASTER_2026)
        calendar = site_calendar()
        self.assertEqual(calendar.years, (2026,))
        self.assertFalse(calendar.is_business_day(date(2026, 4, 3)))
        self.assertEqual(calendar.holiday_name(date(2026, 4, 6)), "Dilluns de Pasqua")
        self.assertTrue(calendar.is_business_day(date(2026, 4, 7)))
        self.assertIs(site_calendar(), calendar, "rebuilt only when holidays change")

        api.portal.set_registry_record(HOLIDAYS, ["2026-04-07 Festa inventada"])
        calendar = site_calendar()
        self.assertTrue(calendar.is_business_day(date(2026, 4, 3)))
        self.assertFalse(calendar.is_business_day(date(2026, 4, 7)))


class TestExpedienteDeadline(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        api.portal.set_registry_record(HOLIDAYS, EASTER_2026)
        self.unidad = base.create_unidad(self.portal)

    def expediente(self, amount, unit, opened=None, start=None, suspensions=()):
        procedimiento = base.create_procedimiento(
            self.portal,
            self.unidad,
            max_resolution_amount=amount,
            max_resolution_unit=unit,
        )
        expediente = base.create_expediente(self.unidad, procedimiento)
        if opened is not None:
            expediente.fecha_apertura = opened
        expediente.fecha_inicio_computo = start
        expediente.suspensions = tuple(suspensions)
        notify(ObjectModifiedEvent(expediente))
        return expediente

    def test_deadlines(self):
        monday = date(2026, 3, 30)
        for amount, unit, start, suspensions, deadline in (
            # Ten business days skip Easter's Friday and Monday in the registry.
            (10, "business_days", monday, (), date(2026, 4, 15)),
            (1, "business_days", date(2026, 4, 2), (), date(2026, 4, 7)),
            # Fifteen calendar days end on a business day.
            (15, "calendar_days", monday, (), date(2026, 4, 14)),
            # Calendar days ending on a holiday move to the next business day.
            (4, "calendar_days", monday, (), date(2026, 4, 7)),
            # Months run date to date; the end of a shorter month is its last
            # day, a Saturday here, so the term ends on Monday.
            (3, "months", date(2026, 1, 15), (), date(2026, 4, 15)),
            (1, "months", date(2026, 1, 31), (), date(2026, 3, 2)),
            # A 10-day suspension extends it (to a Saturday, so to Monday).
            (
                3,
                "months",
                date(2026, 1, 15),
                [(date(2026, 2, 1), date(2026, 2, 11))],
                date(2026, 4, 27),
            ),
        ):
            with self.subTest(amount=amount, unit=unit, start=start):
                expediente = self.expediente(
                    amount, unit, start=start, suspensions=suspensions
                )
                self.assertEqual(expediente.fecha_limite, deadline)

    def test_a_holiday_added_in_the_registry_moves_the_deadline(self):
        expediente = self.expediente(10, "business_days", start=date(2026, 3, 30))
        self.assertEqual(expediente.fecha_limite, date(2026, 4, 15))
        api.portal.set_registry_record(HOLIDAYS, [*EASTER_2026, "2026-04-14 Festa"])
        notify(ObjectModifiedEvent(expediente))
        self.assertEqual(expediente.fecha_limite, date(2026, 4, 16))

    def test_the_term_runs_from_the_opening_day_in_madrid(self):
        for opened, deadline in (
            (MADRID.localize(datetime(2026, 3, 30, 9, 0)), date(2026, 4, 15)),
            # 00:30 on Tuesday in Madrid is still Monday in UTC.
            (datetime(2026, 3, 30, 22, 30, tzinfo=UTC), date(2026, 4, 16)),
            (MADRID.localize(datetime(2026, 3, 31, 0, 30)), date(2026, 4, 16)),
        ):
            with self.subTest(opened=opened.isoformat()):
                expediente = self.expediente(10, "business_days", opened=opened)
                self.assertEqual(expediente.fecha_limite, deadline)

    def test_the_start_of_the_term_prevails_over_the_opening(self):
        expediente = self.expediente(
            10,
            "business_days",
            opened=MADRID.localize(datetime(2026, 4, 20, 9, 0)),
            start=date(2026, 3, 30),
        )
        self.assertEqual(expediente.fecha_limite, date(2026, 4, 15))

    def test_a_new_expediente_is_due_after_its_procedures_maximum_time(self):
        # No holidays in the registry: only a weekend can move the last day.
        # The procedure's maximum time is 3 months from the opening day.
        api.portal.set_registry_record(HOLIDAYS, [])
        procedimiento = base.create_procedimiento(self.portal, self.unidad)
        for instant, deadline in (
            # Friday 27 Nov 2026 + 3 months = Saturday 27 Feb 2027 -> Mon 1 Mar.
            ("2026-11-27T10:00", date(2027, 3, 1)),
            # 23:30 UTC on 31 Dec 2026 is 1 Jan 2027 in Madrid: Thursday 1 Apr.
            ("2026-12-31T23:30:00Z", date(2027, 4, 1)),
        ):
            with self.subTest(instant), clock.travel(instant):
                expediente = base.create_expediente(self.unidad, procedimiento)
                self.assertEqual(expediente.fecha_limite, deadline)
