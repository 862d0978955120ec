"""Tests for the legal deadline calendar (Ley 39/2015, arts. 30-32).

Expected dates were worked out by hand on the 2025-2028 calendars of Lleida
(Spain + Catalonia, as reported by the ``holidays`` library, plus Sant
Anastasi on 11 May and Sant Miquel on 29 September).
"""

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import UTC
from paeria.egov import clock
from paeria.egov.calendar.business_days import business_day_on_or_after
from paeria.egov.calendar.business_days import business_days_between
from paeria.egov.calendar.business_days import is_business_day
from paeria.egov.calendar.business_days import next_business_day
from paeria.egov.calendar.defaults import default_holidays
from paeria.egov.calendar.filing import effective_filing_datetime
from paeria.egov.calendar.holiday_calendar import HolidayCalendar
from paeria.egov.calendar.suspensions import suspension_days
from paeria.egov.calendar.terms import add_business_days
from paeria.egov.calendar.terms import add_calendar_days
from paeria.egov.calendar.terms import add_months
from paeria.egov.calendar.terms import BUSINESS_DAYS
from paeria.egov.calendar.terms import CALENDAR_DAYS
from paeria.egov.calendar.terms import compute_deadline
from paeria.egov.calendar.terms import MONTHS
from paeria.egov.calendar.terms import UNITS
from paeria.egov.calendar.terms import YEARS
from paeria.egov.clock import OFFICE_ZONE as MADRID
from zoneinfo import ZoneInfo
import functools
import unittest


D = date
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))
UTC = UTC


def lleida_calendar():
    return HolidayCalendar({year: default_holidays(year) for year in range(2025, 2029)})


@functools.cache
def shared_lleida_calendar():
    return lleida_calendar()


# Days that are holidays in Lleida per the holidays library (national +
# Catalonia) plus the two municipal ones.
LLEIDA_2026 = (
    D(2026, 1, 1),
    D(2026, 1, 6),
    D(2026, 4, 3),
    D(2026, 4, 6),
    D(2026, 5, 1),
    D(2026, 5, 11),
    D(2026, 6, 24),
    D(2026, 8, 15),
    D(2026, 9, 11),
    D(2026, 9, 29),
    D(2026, 10, 12),
    D(2026, 12, 8),
    D(2026, 12, 25),
    D(2026, 12, 26),
)

# 12 Oct 2025 (Sunday) is not moved in Catalonia; 1 Nov and 6 Dec 2025 fall
# on Saturdays and are listed anyway.
LLEIDA_2025 = (
    D(2025, 1, 1),
    D(2025, 1, 6),
    D(2025, 4, 18),
    D(2025, 4, 21),
    D(2025, 5, 1),
    D(2025, 5, 11),
    D(2025, 6, 24),
    D(2025, 8, 15),
    D(2025, 9, 11),
    D(2025, 9, 29),
    D(2025, 11, 1),
    D(2025, 12, 6),
    D(2025, 12, 8),
    D(2025, 12, 25),
    D(2025, 12, 26),
)

SPAIN_NATIONAL_2026 = (
    D(2026, 1, 1),
    D(2026, 1, 6),
    D(2026, 4, 3),
    D(2026, 5, 1),
    D(2026, 8, 15),
    D(2026, 10, 12),
    D(2026, 12, 8),
    D(2026, 12, 25),
)


class TestDefaultHolidays(unittest.TestCase):
    def test_lleida_years(self):
        for year, expected in ((2025, LLEIDA_2025), (2026, LLEIDA_2026)):
            with self.subTest(year=year):
                self.assertEqual(tuple(default_holidays(year)), expected)

    def test_spain_national_only(self):
        result = default_holidays(2026, subdiv=None, municipal=())
        self.assertEqual(tuple(result), SPAIN_NATIONAL_2026)

    def test_names(self):
        result = default_holidays(2026)
        cases = (
            (D(2026, 5, 11), "Sant Anastasi"),
            (D(2026, 9, 29), "Sant Miquel"),
            (D(2026, 12, 26), "Sant Esteve"),
            (D(2026, 9, 11), "Diada Nacional de Catalunya"),
        )
        for day, name in cases:
            with self.subTest(day=day):
                self.assertEqual(result[day], name)

    def test_municipal_without_name(self):
        cases = (
            ("ca", "Festa local"),
            ("es", "Fiesta local"),
            ("en_US", "Local holiday"),
        )
        for language, name in cases:
            with self.subTest(language=language):
                result = default_holidays(2026, municipal=((3, 2),), language=language)
                self.assertEqual(result[D(2026, 3, 2)], name)
                self.assertNotIn(D(2026, 5, 11), result)

    def test_municipal_on_existing_holiday_joins_names(self):
        result = default_holidays(2026, municipal=((12, 26, "Festa major"),))
        self.assertEqual(result[D(2026, 12, 26)], "Sant Esteve / Festa major")

    def test_result_is_sorted(self):
        result = default_holidays(2026, municipal=((12, 31, "Z"), (1, 2, "A")))
        self.assertEqual(list(result), sorted(result))

    def test_invalid(self):
        cases = (
            ({"year": 2026, "municipal": ((2, 30),)}, "invalid municipal"),
            ({"year": 2025, "municipal": ((2, 29, "Leap"),)}, "invalid municipal"),
            ({"year": 2026, "municipal": ((5,),)}, "month, day"),
            ({"year": 2026, "municipal": (5, 11)}, "month, day"),
            ({"year": 2026, "subdiv": "XX"}, "subdivision"),
            ({"year": 2026, "country": "ZZ"}, "country"),
            ({"year": "next"}, "year"),
            ({"year": 0}, "year"),
        )
        for kwargs, message in cases:
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesRegex(ValueError, message),
            ):
                default_holidays(**kwargs)


class TestHolidayCalendar(unittest.TestCase):
    def test_serialised_mapping(self):
        calendar = HolidayCalendar(
            {"2026": {"2026-05-11": "Sant Anastasi", "2026-09-29": "Sant Miquel"}}
        )
        self.assertEqual(calendar.years, (2026,))
        self.assertTrue(calendar.is_holiday(D(2026, 5, 11)))
        self.assertIn(D(2026, 9, 29), calendar)
        self.assertNotIn(D(2026, 9, 28), calendar)
        self.assertEqual(calendar.holiday_name(D(2026, 5, 11)), "Sant Anastasi")
        self.assertIsNone(calendar.holiday_name(D(2026, 5, 12)))

    def test_configured_data_prevails(self):
        # In 2025 Sant Anastasi fell on a Sunday; a council moving it to the
        # Monday must get the Monday as non-business day.
        mapping = {2025: default_holidays(2025)}
        del mapping[2025][D(2025, 5, 11)]
        mapping[2025][D(2025, 5, 12)] = "Sant Anastasi (trasllat)"
        calendar = HolidayCalendar(mapping)
        self.assertFalse(calendar.is_business_day(D(2025, 5, 12)))
        self.assertTrue(calendar.is_business_day(D(2025, 5, 13)))
        self.assertFalse(calendar.is_holiday(D(2025, 5, 11)))

    def test_unconfigured_year_has_only_weekends(self):
        calendar = HolidayCalendar({2026: {D(2026, 1, 1): "Cap d'Any"}})
        self.assertFalse(calendar.has_year(2030))
        self.assertTrue(calendar.is_business_day(D(2030, 1, 1)))
        self.assertFalse(calendar.is_business_day(D(2030, 1, 5)))

    def test_fallback_fills_missing_years_once(self):
        calls = []

        def fallback(year):
            calls.append(year)
            return default_holidays(year)

        calendar = HolidayCalendar({2026: {}}, fallback=fallback)
        # 2026 is configured (explicitly empty): the fallback must not run.
        self.assertTrue(calendar.is_business_day(D(2026, 1, 1)))
        self.assertFalse(calendar.is_business_day(D(2027, 1, 6)))
        self.assertFalse(calendar.is_business_day(D(2027, 3, 29)))
        self.assertTrue(calendar.is_business_day(D(2027, 3, 30)))
        self.assertEqual(calls, [2027])
        self.assertFalse(calendar.has_year(2027))
        self.assertEqual(calendar.to_mapping(), {2026: {}})

    def test_holidays_for_and_to_mapping(self):
        calendar = lleida_calendar()
        self.assertEqual(calendar.years, (2025, 2026, 2027, 2028))
        self.assertEqual(tuple(calendar.holidays_for(2026)), LLEIDA_2026)
        self.assertEqual(tuple(calendar.holidays_for("2025")), LLEIDA_2025)
        rebuilt = HolidayCalendar(calendar.to_mapping())
        self.assertEqual(rebuilt.to_mapping(), calendar.to_mapping())

    def test_invalid_mapping(self):
        cases = (
            ({2025: {D(2026, 1, 1): "x"}}, "listed under year 2025"),
            ({2026: {"2026-13-01": "x"}}, "ISO date"),
            ({2026: {datetime(2026, 1, 1): "x"}}, "not a datetime"),
            ({"twenty": {}}, "year"),
            ({None: {}}, "year"),
        )
        for mapping, message in cases:
            with (
                self.subTest(mapping=mapping),
                self.assertRaisesRegex(ValueError, message),
            ):
                HolidayCalendar(mapping)
        with self.assertRaisesRegex(ValueError, "fallback"):
            HolidayCalendar({}, fallback="default")


class CalendarTestCase(unittest.TestCase):
    # setUp rather than setUpClass: zope.testrunner does not run class
    # fixtures. The calendar is never mutated, so it is built only once.
    def setUp(self):
        self.calendar = shared_lleida_calendar()


class TestBusinessDays(CalendarTestCase):
    def test_is_business_day(self):
        cases = (
            (D(2026, 1, 1), False),  # Cap d'Any
            (D(2026, 1, 2), True),  # Friday between holiday and weekend
            (D(2026, 1, 3), False),  # Saturday
            (D(2026, 1, 4), False),  # Sunday
            (D(2026, 4, 6), False),  # Easter Monday (Catalonia)
            (D(2026, 5, 11), False),  # Sant Anastasi (Lleida)
            (D(2026, 9, 29), False),  # Sant Miquel (Lleida)
            (D(2026, 9, 28), True),
            (D(2026, 12, 24), True),  # Christmas Eve is not a holiday
            (D(2026, 12, 31), True),
            (D(2026, 8, 14), True),  # August is business for LPAC
            (D(2025, 10, 13), True),  # 12 Oct 2025 not moved in Catalonia
            (D(2028, 12, 26), False),  # Sant Esteve
        )
        for day, expected in cases:
            with self.subTest(day=day):
                self.assertIs(is_business_day(day, self.calendar), expected)

    def test_next_business_day(self):
        cases = (
            (D(2026, 4, 2), D(2026, 4, 7)),  # Good Friday, weekend, Easter Monday
            (D(2026, 1, 5), D(2026, 1, 7)),  # Epiphany
            (D(2026, 1, 7), D(2026, 1, 8)),  # strictly after a business day
            (D(2026, 12, 26), D(2026, 12, 28)),
            (D(2026, 12, 31), D(2027, 1, 4)),  # year boundary
            (D(2026, 5, 8), D(2026, 5, 12)),  # weekend + Sant Anastasi
        )
        for day, expected in cases:
            with self.subTest(day=day):
                self.assertEqual(next_business_day(day, self.calendar), expected)

    def test_business_day_on_or_after(self):
        cases = (
            (D(2026, 1, 7), D(2026, 1, 7)),
            (D(2026, 1, 10), D(2026, 1, 12)),
            (D(2026, 1, 6), D(2026, 1, 7)),
        )
        for day, expected in cases:
            with self.subTest(day=day):
                self.assertEqual(business_day_on_or_after(day, self.calendar), expected)

    def test_add_business_days(self):
        cases = (
            # Easter week: Good Friday and Easter Monday are skipped.
            (D(2026, 3, 30), 10, D(2026, 4, 15)),
            # Year boundary: 25, 26 Dec, 1 and 6 Jan skipped.
            (D(2025, 12, 19), 10, D(2026, 1, 8)),
            # Notified on Saturday: Sunday and Sant Anastasi skipped.
            (D(2026, 5, 9), 1, D(2026, 5, 12)),
            (D(2026, 9, 10), 3, D(2026, 9, 16)),  # Diada
            (D(2026, 9, 25), 2, D(2026, 9, 30)),  # Sant Miquel
            (D(2026, 6, 17), 15, D(2026, 7, 9)),  # Sant Joan
            (D(2025, 4, 17), 1, D(2025, 4, 22)),  # Easter 2025
            (D(2025, 10, 10), 1, D(2025, 10, 13)),
            (D(2026, 1, 28), 1, D(2026, 1, 29)),  # the start day never counts
            # Zero-length terms end on the start day, moved if non-business.
            (D(2026, 1, 28), 0, D(2026, 1, 28)),
            (D(2026, 1, 31), 0, D(2026, 2, 2)),
        )
        for start, n, expected in cases:
            with self.subTest(start=start, n=n):
                self.assertEqual(add_business_days(start, n, self.calendar), expected)
                self.assertEqual(
                    compute_deadline(start, n, BUSINESS_DAYS, self.calendar),
                    expected,
                )

    def test_business_days_between(self):
        cases = (
            (D(2026, 3, 30), D(2026, 4, 15), 10),
            (D(2025, 12, 19), D(2026, 1, 8), 10),
            (D(2026, 4, 15), D(2026, 4, 15), 0),
            (D(2026, 4, 15), D(2026, 3, 30), -10),
            (D(2026, 4, 3), D(2026, 4, 6), 0),  # holiday, weekend, holiday
            (D(2026, 1, 9), D(2026, 1, 12), 1),  # the end day counts
            (D(2026, 1, 12), D(2026, 1, 13), 1),  # the start day does not
            (D(2026, 1, 10), D(2026, 1, 11), 0),
            (D(2025, 12, 31), D(2027, 1, 1), 249),
        )
        for start, end, expected in cases:
            with self.subTest(start=start, end=end):
                self.assertEqual(
                    business_days_between(start, end, self.calendar), expected
                )

    def test_between_inverts_add_business_days(self):
        for start in (D(2025, 12, 20), D(2026, 3, 28), D(2026, 9, 10)):
            for n in range(1, 40):
                with self.subTest(start=start, n=n):
                    end = add_business_days(start, n, self.calendar)
                    self.assertTrue(is_business_day(end, self.calendar))
                    self.assertEqual(
                        business_days_between(start, end, self.calendar), n
                    )


class TestCalendarDays(CalendarTestCase):
    def test_add_calendar_days(self):
        cases = (
            (D(2026, 1, 7), 10, D(2026, 1, 19)),  # ends Saturday -> Monday
            (D(2026, 3, 20), 10, D(2026, 3, 30)),  # ends on a business day
            (D(2026, 3, 24), 10, D(2026, 4, 7)),  # Good Friday .. Easter Monday
            (D(2026, 12, 15), 10, D(2026, 12, 28)),  # 25, 26 Dec + Sunday
            (D(2026, 12, 17), 20, D(2027, 1, 7)),  # Epiphany 2027
            (D(2025, 10, 2), 30, D(2025, 11, 3)),  # All Saints on Saturday
            (D(2026, 4, 10), 1, D(2026, 4, 13)),  # Saturday -> Monday
            (D(2026, 2, 1), 0, D(2026, 2, 2)),
        )
        for start, n, expected in cases:
            with self.subTest(start=start, n=n):
                self.assertEqual(add_calendar_days(start, n, self.calendar), expected)
                self.assertEqual(
                    compute_deadline(start, n, CALENDAR_DAYS, self.calendar),
                    expected,
                )


class TestMonths(CalendarTestCase):
    def test_add_months(self):
        cases = (
            (D(2026, 3, 15), 1, D(2026, 4, 15)),  # same day number
            (D(2026, 1, 31), 1, D(2026, 3, 2)),  # 28 Feb is a Saturday
            (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year, Tuesday
            (D(2026, 3, 31), 1, D(2026, 4, 30)),  # 30-day month
            (D(2026, 8, 31), 3, D(2026, 11, 30)),
            (D(2026, 10, 31), 4, D(2027, 3, 1)),  # 28 Feb 2027 is Sunday
            (D(2026, 11, 26), 1, D(2026, 12, 28)),  # Sant Esteve + Sunday
            (D(2025, 12, 6), 1, D(2026, 1, 7)),  # Epiphany, year boundary
            (D(2025, 9, 11), 12, D(2026, 9, 14)),  # Diada on Friday
            (D(2026, 4, 29), 1, D(2026, 5, 29)),
            (D(2026, 5, 11), 0, D(2026, 5, 12)),
        )
        for start, n, expected in cases:
            with self.subTest(start=start, n=n):
                self.assertEqual(add_months(start, n, self.calendar), expected)
                self.assertEqual(
                    compute_deadline(start, n, MONTHS, self.calendar), expected
                )

    def test_years(self):
        cases = (
            (D(2025, 6, 24), 1, D(2026, 6, 25)),  # Sant Joan 2026 is Wednesday
            (D(2027, 2, 28), 1, D(2028, 2, 28)),
            # 29 Feb 2028 + 1 year: 28 Feb 2029 (a Wednesday).
            (D(2028, 2, 29), 1, D(2029, 2, 28)),
        )
        for start, n, expected in cases:
            with self.subTest(start=start, n=n):
                self.assertEqual(
                    compute_deadline(start, n, YEARS, self.calendar), expected
                )


class TestSuspensions(CalendarTestCase):
    def test_suspension_days(self):
        today = D(2026, 4, 20)
        cases = (
            ((), 0),
            (((D(2026, 4, 10), D(2026, 4, 20)),), 10),
            (((D(2026, 4, 10), D(2026, 4, 10)),), 0),  # same day: nothing
            (((D(2026, 4, 10), D(2026, 4, 11)),), 1),
            (((D(2026, 4, 10), None),), 10),  # open until today
            (((D(2026, 4, 20), None),), 0),
            (((D(2026, 5, 1), None),), 0),  # open, not started yet
            (((D(2026, 4, 1), D(2026, 4, 10)), (D(2026, 4, 5), D(2026, 4, 15))), 14),
            (((D(2026, 4, 1), D(2026, 4, 20)), (D(2026, 4, 5), D(2026, 4, 10))), 19),
            (((D(2026, 4, 1), D(2026, 4, 5)), (D(2026, 4, 5), D(2026, 4, 9))), 8),
            (((D(2026, 4, 10), D(2026, 4, 12)), (D(2026, 4, 1), D(2026, 4, 3))), 4),
            (((D(2026, 4, 1), D(2026, 4, 5)), (D(2026, 4, 1), D(2026, 4, 5))), 4),
            (((D(2026, 4, 1), D(2026, 4, 5)), (D(2026, 4, 3), None)), 19),
            (((D(2025, 12, 20), D(2026, 1, 10)),), 21),
            ([[D(2026, 4, 10), D(2026, 4, 12)]], 2),
        )
        for periods, expected in cases:
            with self.subTest(periods=periods):
                self.assertEqual(suspension_days(periods, today=today), expected)

    def test_open_suspension_defaults_to_madrid_today(self):
        # Today is Friday 10 Apr 2026 at noon in Madrid.
        periods = ((D(2026, 4, 7), None),)
        with clock.travel("2026-04-10T12:00"):
            self.assertEqual(suspension_days(periods), 3)
        with clock.travel("2026-04-17T12:00"):
            self.assertEqual(suspension_days(periods), 10)

    def test_open_suspension_today_is_the_madrid_day(self):
        # 22:30 UTC on 10 Apr 2026 is already 11 Apr in Madrid (CEST).
        periods = ((D(2026, 4, 1), None),)
        with clock.travel(datetime(2026, 4, 10, 22, 30, tzinfo=UTC)):
            self.assertEqual(suspension_days(periods), 10)
            # 30 Mar + 10 business days = Wed 15 Apr (Easter skipped);
            # + 10 suspended days = Sat 25 Apr -> Mon 27 Apr.
            self.assertEqual(
                compute_deadline(
                    D(2026, 3, 30), 10, BUSINESS_DAYS, self.calendar, periods
                ),
                D(2026, 4, 27),
            )
        # An hour earlier it is still 10 Apr in Madrid: 9 days.
        with clock.travel(datetime(2026, 4, 10, 21, 30, tzinfo=UTC)):
            self.assertEqual(suspension_days(periods), 9)

    def test_compute_deadline_with_suspensions(self):
        start = D(2026, 3, 30)  # 10 business days -> 15 Apr 2026
        today = D(2026, 4, 11)
        cases = (
            (BUSINESS_DAYS, 10, ((D(2026, 4, 1), D(2026, 4, 8)),), D(2026, 4, 22)),
            (BUSINESS_DAYS, 10, ((D(2026, 4, 1), D(2026, 4, 1)),), D(2026, 4, 15)),
            (BUSINESS_DAYS, 10, ((D(2026, 4, 1), D(2026, 4, 2)),), D(2026, 4, 16)),
            # Extension lands on Saturday 18 Apr -> Monday.
            (BUSINESS_DAYS, 10, ((D(2026, 4, 1), D(2026, 4, 4)),), D(2026, 4, 20)),
            # Open since 1 Apr, today 11 Apr: 10 days -> Sat 25 -> Mon 27.
            (BUSINESS_DAYS, 10, ((D(2026, 4, 1), None),), D(2026, 4, 27)),
            (BUSINESS_DAYS, 10, ((D(2026, 5, 1), None),), D(2026, 4, 15)),
            # Overlap merged: (1 Apr, 10 Apr] = 9 days, not 7 + 5.
            (
                BUSINESS_DAYS,
                10,
                ((D(2026, 4, 1), D(2026, 4, 8)), (D(2026, 4, 5), D(2026, 4, 10))),
                D(2026, 4, 24),
            ),
            (
                BUSINESS_DAYS,
                10,
                ((D(2026, 4, 1), D(2026, 4, 3)), (D(2026, 4, 3), D(2026, 4, 6))),
                D(2026, 4, 20),
            ),
        )
        for unit, amount, periods, expected in cases:
            with self.subTest(periods=periods):
                self.assertEqual(
                    compute_deadline(
                        start, amount, unit, self.calendar, periods, today=today
                    ),
                    expected,
                )

    def test_suspension_extends_the_unadjusted_last_day(self):
        # Art. 30.5 applies once, to the real last day: the suspension is
        # added to the raw end of the term, not to the rolled-over one.
        cases = (
            # 7 Jan + 10 days = Sat 17 Jan; + 2 days = Mon 19 Jan.
            (D(2026, 1, 7), 10, CALENDAR_DAYS, 2, D(2026, 1, 19)),
            (D(2026, 1, 7), 10, CALENDAR_DAYS, 3, D(2026, 1, 20)),
            # 31 Jan + 1 month = Sat 28 Feb; + 2 days = Mon 2 Mar.
            (D(2026, 1, 31), 1, MONTHS, 2, D(2026, 3, 2)),
            # 15 Dec + 10 days = 25 Dec; + 2 days = Sun 27 -> Mon 28 Dec.
            (D(2026, 12, 15), 10, CALENDAR_DAYS, 2, D(2026, 12, 28)),
            # 24 Dec 2026 + 10 days = Sun 3 Jan 2027; + 3 = Wed 6 Jan -> 7 Jan.
            (D(2026, 12, 24), 10, CALENDAR_DAYS, 3, D(2027, 1, 7)),
        )
        for start, amount, unit, length, expected in cases:
            periods = ((D(2026, 1, 1), D(2026, 1, 1) + timedelta(days=length)),)
            with self.subTest(start=start, unit=unit, length=length):
                self.assertEqual(
                    compute_deadline(start, amount, unit, self.calendar, periods),
                    expected,
                )


class TestLegalCases(CalendarTestCase):
    """One named test per case of arts. 30 and 31 LPAC, on Lleida's calendar
    (national + Catalan holidays from the ``holidays`` library, Sant Anastasi
    11 May and Sant Miquel 29 Sep). Weekdays and holidays are in comments."""

    def test_weekend_deadline_moves_to_monday(self):
        # Art. 30.5. Wed 7 Jan 2026 + 10 calendar days = Saturday 17 Jan;
        # Thu 8 Jan + 10 = Sunday 18 Jan: both end on Monday 19 Jan.
        for start in (D(2026, 1, 7), D(2026, 1, 8)):
            with self.subTest(start=start):
                self.assertEqual(
                    compute_deadline(start, 10, CALENDAR_DAYS, self.calendar),
                    D(2026, 1, 19),
                )
        # The same term ending on Friday 16 Jan stays there.
        self.assertEqual(
            compute_deadline(D(2026, 1, 6), 10, CALENDAR_DAYS, self.calendar),
            D(2026, 1, 16),
        )

    def test_national_holiday_deadline_moves_to_next_business_day(self):
        # Fri 2 Oct 2026 + 10 calendar days = Monday 12 Oct, Fiesta Nacional
        # de España: the term ends on Tuesday 13 Oct.
        self.assertEqual(
            self.calendar.holiday_name(D(2026, 10, 12)), "Festa Nacional d'Espanya"
        )
        self.assertEqual(
            compute_deadline(D(2026, 10, 2), 10, CALENDAR_DAYS, self.calendar),
            D(2026, 10, 13),
        )

    def test_catalan_holiday_deadline_moves_to_next_business_day(self):
        # 6 Mar 2026 + 1 month = Monday 6 Apr, Easter Monday: a holiday in
        # Catalonia, not in the rest of Spain. Here the term ends Tuesday 7.
        self.assertEqual(
            compute_deadline(D(2026, 3, 6), 1, MONTHS, self.calendar), D(2026, 4, 7)
        )
        national = HolidayCalendar(
            {2026: default_holidays(2026, subdiv=None, municipal=())}
        )
        self.assertEqual(
            compute_deadline(D(2026, 3, 6), 1, MONTHS, national), D(2026, 4, 6)
        )

    def test_local_holiday_deadline_moves_to_next_business_day(self):
        # 11 Apr 2026 + 1 month = Monday 11 May, Sant Anastasi (Lleida):
        # the term ends on Tuesday 12 May.
        self.assertEqual(
            compute_deadline(D(2026, 4, 11), 1, MONTHS, self.calendar), D(2026, 5, 12)
        )
        # Local holidays are the council's choice: with Sant Anastasi moved
        # to Tuesday 12 May the term ends on Monday 11 and a term ending on
        # the 12th goes to Wednesday 13.
        moved = HolidayCalendar(
            {2026: default_holidays(2026, municipal=((5, 12, "Sant Anastasi"),))}
        )
        self.assertEqual(
            compute_deadline(D(2026, 4, 11), 1, MONTHS, moved), D(2026, 5, 11)
        )
        self.assertEqual(
            compute_deadline(D(2026, 4, 12), 1, MONTHS, moved), D(2026, 5, 13)
        )

    def test_month_without_the_day_ends_on_its_last_day(self):
        # Art. 30.4: "si en el mes de vencimiento no hubiera día equivalente
        # ... el plazo expira el último día del mes".
        cases = (
            (D(2026, 3, 31), D(2026, 4, 30)),  # Thursday 30 Apr
            (D(2028, 1, 31), D(2028, 2, 29)),  # leap year, Tuesday 29 Feb
            # 28 Feb 2027 is a Sunday: Monday 1 Mar.
            (D(2027, 1, 31), D(2027, 3, 1)),
        )
        for start, expected in cases:
            with self.subTest(start=start):
                self.assertEqual(
                    compute_deadline(start, 1, MONTHS, self.calendar), expected
                )

    def test_year_change(self):
        # From Fri 18 Dec 2026, 10 business days: 21, 22, 23, 24, 28, 29, 30,
        # 31 Dec (25 Christmas, 26 Sant Esteve on Saturday), 4 and 5 Jan 2027
        # (1 Jan Cap d'Any, 2-3 weekend): Tuesday 5 Jan 2027.
        self.assertEqual(
            compute_deadline(D(2026, 12, 18), 10, BUSINESS_DAYS, self.calendar),
            D(2027, 1, 5),
        )
        # 1 Dec 2026 + 1 month = Friday 1 Jan 2027 (Cap d'Any): Monday 4 Jan.
        self.assertEqual(
            compute_deadline(D(2026, 12, 1), 1, MONTHS, self.calendar), D(2027, 1, 4)
        )

    def assertFiled(self, moment, expected_local, expected_offset):
        result = effective_filing_datetime(moment, self.calendar)
        self.assertEqual(result.replace(tzinfo=None), expected_local)
        self.assertEqual(result.utcoffset(), expected_offset)

    def test_dst_change_in_march(self):
        # Europe/Madrid goes from +01:00 to +02:00 at 02:00 on Sunday 28 Mar
        # 2027, in Easter week: Good Friday 26 Mar (national) and Easter Monday
        # 29 Mar (Catalan) are holidays, so a filing from Friday to Monday
        # counts at 00:00 on Tuesday 30 Mar, summer time (art. 31.2.b).
        winter, summer = timedelta(hours=1), timedelta(hours=2)
        cases = (
            # Thursday 25 Mar 23:30 CET: a business day, the same instant.
            (
                datetime(2027, 3, 25, 22, 30, tzinfo=UTC),
                datetime(2027, 3, 25, 23, 30),
                winter,
            ),
            # Saturday 27 Mar 23:30 CET, before the change.
            (datetime(2027, 3, 27, 22, 30, tzinfo=UTC), datetime(2027, 3, 30), summer),
            # Sunday 28 Mar 03:30 CEST, just after the change.
            (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), datetime(2027, 3, 30), summer),
        )
        for moment, expected_local, offset in cases:
            with self.subTest(moment=moment):
                self.assertFiled(moment, expected_local, offset)

    def test_dst_change_in_october(self):
        # Europe/Madrid goes back from +02:00 to +01:00 at 03:00 on Sunday 31
        # Oct 2027; Monday 1 Nov is All Saints (national): filings of the
        # weekend count at 00:00 on Tuesday 2 Nov, winter time.
        summer, winter = timedelta(hours=2), timedelta(hours=1)
        cases = (
            # Friday 29 Oct 23:59:59 CEST: a business day, the same instant.
            (
                datetime(2027, 10, 29, 21, 59, 59, tzinfo=UTC),
                datetime(2027, 10, 29, 23, 59, 59),
                summer,
            ),
            # One second later it is Saturday in Madrid.
            (datetime(2027, 10, 29, 22, 0, tzinfo=UTC), datetime(2027, 11, 2), winter),
            # Both 02:30 of Sunday 31 Oct, in summer and in winter time.
            (
                datetime(2027, 10, 31, 2, 30, fold=0, tzinfo=MADRID),
                datetime(2027, 11, 2),
                winter,
            ),
            (
                datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=MADRID),
                datetime(2027, 11, 2),
                winter,
            ),
        )
        for moment, expected_local, offset in cases:
            with self.subTest(moment=moment):
                self.assertFiled(moment, expected_local, offset)

    def test_suspension_that_starts_on_a_holiday(self):
        # From Mon 30 Mar 2026, 10 business days end on Wed 15 Apr (Good
        # Friday 3 Apr and Easter Monday 6 Apr skipped). Suspended from Good
        # Friday to Tue 7 Apr: (3 Apr, 7 Apr] is 4 calendar days, the holiday
        # it starts on not counted (art. 30.3: from the day after), so 15 Apr
        # + 4 = Sunday 19 Apr -> Monday 20 Apr.
        periods = ((D(2026, 4, 3), D(2026, 4, 7)),)
        self.assertEqual(suspension_days(periods, today=D(2026, 5, 1)), 4)
        self.assertEqual(
            compute_deadline(D(2026, 3, 30), 10, BUSINESS_DAYS, self.calendar, periods),
            D(2026, 4, 20),
        )

    def test_suspension_that_ends_on_a_holiday(self):
        # From Mon 15 Jun 2026, 10 business days: 16-19, 22, 23, 25, 26, 29,
        # 30 Jun (Wed 24 Jun, Sant Joan, is a Catalan holiday): Tue 30 Jun.
        self.assertEqual(
            compute_deadline(D(2026, 6, 15), 10, BUSINESS_DAYS, self.calendar),
            D(2026, 6, 30),
        )
        # Suspended from Fri 19 Jun until Sant Joan, answered that holiday
        # through the electronic office: (19 Jun, 24 Jun] is 5 calendar days,
        # the holiday included; 30 Jun + 5 = Sunday 5 Jul -> Monday 6 Jul.
        periods = ((D(2026, 6, 19), D(2026, 6, 24)),)
        self.assertEqual(suspension_days(periods, today=D(2026, 7, 1)), 5)
        self.assertEqual(
            compute_deadline(D(2026, 6, 15), 10, BUSINESS_DAYS, self.calendar, periods),
            D(2026, 7, 6),
        )


class TestEffectiveFilingDatetime(CalendarTestCase):
    def test_cases(self):
        new_york = ZoneInfo("America/New_York")
        cases = (
            # Business day: same instant, expressed in Madrid time.
            (
                datetime(2026, 4, 15, 10, 0, tzinfo=CEST),
                datetime(2026, 4, 15, 10, 0),
                CEST,
            ),
            (
                datetime(2026, 4, 7, 8, 0, 12, 345, tzinfo=UTC),
                datetime(2026, 4, 7, 10, 0, 12, 345),
                CEST,
            ),
            # Friday 23:30 in winter is still Friday in Madrid.
            (
                datetime(2026, 1, 16, 22, 30, tzinfo=UTC),
                datetime(2026, 1, 16, 23, 30),
                CET,
            ),
            # The same UTC time in summer is already Saturday in Madrid.
            (
                datetime(2026, 6, 19, 22, 30, tzinfo=UTC),
                datetime(2026, 6, 22, 0, 0),
                CEST,
            ),
            # Saturday evening before the March DST change: Monday in CEST.
            (
                datetime(2026, 3, 28, 21, 30, tzinfo=MADRID),
                datetime(2026, 3, 30, 0, 0),
                CEST,
            ),
            (
                datetime(2026, 3, 27, 23, 30, tzinfo=UTC),
                datetime(2026, 3, 30, 0, 0),
                CEST,
            ),
            # Saturday evening before the October DST change: Monday in CET.
            (
                datetime(2026, 10, 24, 20, 0, tzinfo=MADRID),
                datetime(2026, 10, 26, 0, 0),
                CET,
            ),
            # Inside the repeated hour of 25 Oct 2026 (second 02:30).
            (
                datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=MADRID),
                datetime(2026, 10, 26, 0, 0),
                CET,
            ),
            # Good Friday evening: Saturday, Sunday and Easter Monday follow.
            (
                datetime(2026, 4, 3, 20, 0, tzinfo=CEST),
                datetime(2026, 4, 7, 0, 0),
                CEST,
            ),
            # Sant Esteve (a Saturday) just before midnight.
            (
                datetime(2026, 12, 26, 23, 59, 59, tzinfo=MADRID),
                datetime(2026, 12, 28, 0, 0),
                CET,
            ),
            # 31 Dec 23:30 UTC is already 1 Jan (holiday) in Madrid.
            (
                datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
                datetime(2027, 1, 4, 0, 0),
                CET,
            ),
            # Sant Anastasi (municipal holiday).
            (
                datetime(2026, 5, 11, 9, 0, tzinfo=MADRID),
                datetime(2026, 5, 12, 0, 0),
                CEST,
            ),
            # Friday 18:00 in New York is Saturday 00:00 in Madrid.
            (
                datetime(2026, 5, 8, 18, 0, tzinfo=new_york),
                datetime(2026, 5, 12, 0, 0),
                CEST,
            ),
        )
        for moment, expected_local, expected_offset in cases:
            with self.subTest(moment=moment):
                result = effective_filing_datetime(moment, self.calendar)
                self.assertIs(result.tzinfo, MADRID)
                self.assertEqual(result.replace(tzinfo=None), expected_local)
                self.assertEqual(result.utcoffset(), expected_offset.utcoffset(None))
                self.assertEqual(result, expected_local.replace(tzinfo=expected_offset))

    def test_other_timezone(self):
        canary = ZoneInfo("Atlantic/Canary")
        # Sunday 23:30 in the Canaries is Monday 00:30 in Madrid: the
        # office's time zone decides which day the filing belongs to.
        moment = datetime(2026, 1, 11, 23, 30, tzinfo=canary)
        result = effective_filing_datetime(moment, self.calendar, tz=canary)
        self.assertEqual(result, datetime(2026, 1, 12, 0, 0, tzinfo=canary))
        self.assertIs(result.tzinfo, canary)
        # Judged in Madrid time the same instant is Monday 00:30, business.
        madrid_result = effective_filing_datetime(moment, self.calendar)
        self.assertEqual(
            madrid_result.replace(tzinfo=None), datetime(2026, 1, 12, 0, 30)
        )

    def test_invalid(self):
        cases = (
            (datetime(2026, 4, 4, 20, 0), "naive"),
            (D(2026, 4, 4), "must be a datetime"),
            ("2026-04-04T20:00:00+02:00", "must be a datetime"),
        )
        for moment, message in cases:
            with (
                self.subTest(moment=moment),
                self.assertRaisesRegex(ValueError, message),
            ):
                effective_filing_datetime(moment, self.calendar)


class TestValidation(CalendarTestCase):
    def test_invalid_arguments(self):
        ok = D(2026, 1, 1)
        functions = (add_business_days, add_calendar_days, add_months)
        cases = (
            ((ok, -1), "zero or positive"),
            ((ok, 1.5), "integer"),
            ((ok, True), "integer"),
            ((ok, "10"), "integer"),
            (("2026-01-01", 1), "datetime.date"),
            ((datetime(2026, 1, 1, 12, 0), 1), "not a datetime"),
            ((None, 1), "datetime.date"),
        )
        for function in functions:
            for args, message in cases:
                with (
                    self.subTest(function=function.__name__, args=args),
                    self.assertRaisesRegex(ValueError, message),
                ):
                    function(*args, self.calendar)

    def test_invalid_unit(self):
        for unit in ("weeks", "Months", "", None, "días hábiles"):
            with (
                self.subTest(unit=unit),
                self.assertRaisesRegex(ValueError, "unknown unit"),
            ):
                compute_deadline(D(2026, 1, 1), 1, unit, self.calendar)

    def test_units_constant(self):
        self.assertEqual(
            set(UNITS), {"business_days", "calendar_days", "months", "years"}
        )

    def test_invalid_calendar(self):
        for calendar in (None, {}, {2026: {}}):
            with (
                self.subTest(calendar=calendar),
                self.assertRaisesRegex(ValueError, "HolidayCalendar"),
            ):
                compute_deadline(D(2026, 1, 1), 1, BUSINESS_DAYS, calendar)
                with self.assertRaisesRegex(ValueError, "HolidayCalendar"):
                    is_business_day(D(2026, 1, 1), calendar)

    def test_invalid_suspensions(self):
        ok = D(2026, 4, 1)
        cases = (
            (((D(2026, 4, 10), D(2026, 4, 1)),), "ends before it starts"),
            (((ok,),), "pair"),
            ((ok,), "pair"),
            ("2026-04-01", "pairs"),
            ((("2026-04-01", None),), "suspension start"),
            (((ok, datetime(2026, 4, 2, 10, 0)),), "suspension end"),
        )
        for periods, message in cases:
            with (
                self.subTest(periods=periods),
                self.assertRaisesRegex(ValueError, message),
            ):
                compute_deadline(ok, 1, BUSINESS_DAYS, self.calendar, periods)

    def test_invalid_today(self):
        with self.assertRaisesRegex(ValueError, "today"):
            suspension_days((), today=datetime(2026, 4, 1, 10, 0))

    def test_out_of_range(self):
        cases = (
            (D(9999, 12, 1), 1, MONTHS),
            (D(9999, 12, 31), 1, CALENDAR_DAYS),
        )
        for start, amount, unit in cases:
            with (
                self.subTest(start=start, unit=unit),
                self.assertRaisesRegex(ValueError, "out of range"),
            ):
                compute_deadline(start, amount, unit, self.calendar)

    def test_between_rejects_datetimes(self):
        with self.assertRaisesRegex(ValueError, "end"):
            business_days_between(
                D(2026, 1, 1), datetime(2026, 1, 5, tzinfo=UTC), self.calendar
            )
