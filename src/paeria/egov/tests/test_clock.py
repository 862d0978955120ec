"""The portal's one clock (paeria.egov.clock): UTC and the office's time,
Madrid's day and year, travelling in time, the ``as of`` of console commands,
and that nothing else in the package reads the system time."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from paeria.egov import clock
from pathlib import Path
import re
import unittest


def let_time_pass(milliseconds=20):
    """Until the system's clock has moved on (a busy wait: time.sleep fails
    under libfaketime 0.9.10 when the monotonic clock is not faked)."""
    start = datetime.now(UTC)
    while datetime.now(UTC) < start + timedelta(milliseconds=milliseconds):
        pass


class ClockTestCase(unittest.TestCase):
    def setUp(self):
        # Whatever a test leaves behind, the next one starts on system time.
        self.addCleanup(clock.reset)


class TestNow(ClockTestCase):
    def test_now_is_aware_utc(self):
        before = datetime.now(UTC)
        now = clock.now()
        after = datetime.now(UTC)
        self.assertEqual(now.utcoffset(), timedelta(0))
        self.assertLessEqual(before, now)
        self.assertLessEqual(now, after)

    def test_office_now_is_madrid_to_the_second(self):
        with clock.travel("2026-06-02T08:15:30.750Z", tick=False):
            now = clock.office_now()
        self.assertEqual(now.tzinfo.zone, "Europe/Madrid")
        self.assertEqual(now.microsecond, 0)
        # CEST: 08:15:30 UTC is 10:15:30 in Madrid.
        self.assertEqual(now.isoformat(), "2026-06-02T10:15:30+02:00")
        with clock.travel("2026-12-02T08:15:30Z", tick=False):
            self.assertEqual(
                clock.office_now().isoformat(), "2026-12-02T09:15:30+01:00"
            )

    def test_today_is_madrids_day(self):
        # Madrid's year has changed, UTC's has not.
        with clock.travel("2026-12-31T23:30:00Z", tick=False):
            self.assertEqual(clock.now().date(), date(2026, 12, 31))
            self.assertEqual(clock.today(), date(2027, 1, 1))
            self.assertEqual(clock.office_now().year, 2027)
        with clock.travel("2026-12-31T22:59:59Z", tick=False):
            self.assertEqual(clock.today(), date(2026, 12, 31))

    def test_spring_dst_change(self):
        # Sunday 28 Mar 2027: at 01:00 UTC Madrid goes from 02:00 CET to
        # 03:00 CEST. Half an hour later it is 03:30, +02:00.
        with clock.travel("2027-03-28T01:30:00Z", tick=False):
            now = clock.office_now()
        self.assertEqual(now.isoformat(), "2027-03-28T03:30:00+02:00")
        self.assertEqual(now.utcoffset(), timedelta(hours=2))
        with clock.travel("2027-03-28T00:59:59Z", tick=False):
            self.assertEqual(clock.office_now().utcoffset(), timedelta(hours=1))

    def test_autumn_dst_change(self):
        # Sunday 31 Oct 2027: 02:30 happens twice in Madrid.
        with clock.travel("2027-10-31T00:30:00Z", tick=False):
            self.assertEqual(
                clock.office_now().isoformat(), "2027-10-31T02:30:00+02:00"
            )
        with clock.travel("2027-10-31T01:30:00Z", tick=False):
            self.assertEqual(
                clock.office_now().isoformat(), "2027-10-31T02:30:00+01:00"
            )


class TestTravel(ClockTestCase):
    def test_frozen(self):
        instant = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
        with clock.travel(instant, tick=False):
            first = clock.now()
            let_time_pass()
            self.assertEqual(clock.now(), first)
            self.assertEqual(first, instant)

    def test_ticking(self):
        instant = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
        with clock.travel(instant):
            first = clock.now()
            let_time_pass()
            second = clock.now()
        self.assertGreaterEqual(first, instant)
        self.assertLess(first - instant, timedelta(seconds=5))
        self.assertGreater(second, first)

    def test_nests_and_restores(self):
        with clock.travel("2026-06-02T10:00", tick=False):
            with clock.travel("2030-01-01T00:00:00Z", tick=False):
                self.assertEqual(clock.today(), date(2030, 1, 1))
            self.assertEqual(
                clock.office_now().isoformat(), "2026-06-02T10:00:00+02:00"
            )
        # Back to the system's time.
        self.assertLess(abs(clock.now() - datetime.now(UTC)), timedelta(seconds=5))

    def test_restores_after_an_error(self):
        with self.assertRaises(KeyError), clock.travel("2030-01-01", tick=False):
            raise KeyError("boom")
        self.assertLess(abs(clock.now() - datetime.now(UTC)), timedelta(seconds=5))

    def test_set_instant_and_reset(self):
        clock.set_instant(datetime(2026, 6, 2, 8, 0, tzinfo=UTC), tick=False)
        self.assertEqual(clock.now(), datetime(2026, 6, 2, 8, 0, tzinfo=UTC))
        clock.reset()
        self.assertLess(abs(clock.now() - datetime.now(UTC)), timedelta(seconds=5))
        with self.assertRaisesRegex(ValueError, "aware"):
            clock.set_instant(datetime(2026, 6, 2, 8, 0))


class TestParseInstant(ClockTestCase):
    def test_accepted_forms(self):
        cases = (
            # A day: its start in Madrid (CET in winter).
            ("2026-12-31", datetime(2026, 12, 30, 23, 0, tzinfo=UTC)),
            # Local to the office: Madrid time.
            ("2026-12-31T09:00", datetime(2026, 12, 31, 8, 0, tzinfo=UTC)),
            ("2026-06-30T09:00", datetime(2026, 6, 30, 7, 0, tzinfo=UTC)),
            ("2026-12-31T23:30:00Z", datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
            ("2026-12-31T23:30:00+05:30", datetime(2026, 12, 31, 18, 0, tzinfo=UTC)),
            (" 2026-12-31T09:00:00-03:00 ", datetime(2026, 12, 31, 12, 0, tzinfo=UTC)),
        )
        for text, expected in cases:
            with self.subTest(text):
                parsed = clock.parse_instant(text)
                self.assertEqual(parsed, expected)
                self.assertEqual(parsed.utcoffset(), timedelta(0))

    def test_garbage_is_a_readable_error(self):
        for text in ("yesterday", "31/12/2026", "2026-13-01", "2026-12-31T25:00", ""):
            with (
                self.subTest(text),
                self.assertRaisesRegex(ValueError, "not an ISO 8601 date") as raised,
            ):
                clock.parse_instant(text)
            self.assertIn("2026-12-31T23:30:00Z", str(raised.exception))
        with self.assertRaises(ValueError):
            clock.parse_instant(None)


class TestApplyAsOf(ClockTestCase):
    def test_explicit_text(self):
        instant = clock.apply_as_of("2026-12-31T09:00", environ={})
        self.assertEqual(instant, datetime(2026, 12, 31, 8, 0, tzinfo=UTC))
        self.assertEqual(clock.today(), date(2026, 12, 31))

    def test_explicit_text_wins_over_the_environment(self):
        environ = {clock.AS_OF_ENVIRONMENT: "2030-01-01"}
        instant = clock.apply_as_of("2026-12-31T09:00", environ=environ)
        self.assertEqual(instant, datetime(2026, 12, 31, 8, 0, tzinfo=UTC))

    def test_from_the_environment(self):
        self.assertEqual(clock.AS_OF_ENVIRONMENT, "PAERIA_AS_OF")
        environ = {"PAERIA_AS_OF": "2027-01-09T10:00:00Z"}
        instant = clock.apply_as_of(environ=environ)
        self.assertEqual(instant, datetime(2027, 1, 9, 10, 0, tzinfo=UTC))
        # The clock keeps running from there.
        self.assertGreaterEqual(clock.now(), instant)
        self.assertLess(clock.now() - instant, timedelta(seconds=5))

    def test_nothing_to_apply(self):
        self.assertIsNone(clock.apply_as_of(environ={}))
        self.assertIsNone(clock.apply_as_of("", environ={"PAERIA_AS_OF": ""}))
        self.assertLess(abs(clock.now() - datetime.now(UTC)), timedelta(seconds=5))

    def test_garbage_in_the_environment(self):
        with self.assertRaisesRegex(ValueError, "not an ISO 8601"):
            clock.apply_as_of(environ={"PAERIA_AS_OF": "tomorrow"})


PACKAGE = Path(clock.__file__).parent
# What reads the system time or names the office's zone outside the clock.
FORBIDDEN = (
    "datetime.now(",
    "date.today(",
    "time.time(",
    "utcnow(",
    'ZoneInfo("Europe/Madrid")',
    'pytz.timezone("Europe/Madrid")',
)
FORBIDDEN_PATTERN = re.compile("|".join(re.escape(text) for text in FORBIDDEN))


def clock_bypasses(package=PACKAGE):
    """``path:line: text`` of every use of FORBIDDEN in ``package``'s Python
    sources, its tests and the clock itself excepted."""
    hits = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "tests" or relative == Path("clock.py"):
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if FORBIDDEN_PATTERN.search(line):
                hits.append(f"{relative}:{number}: {line.strip()}")
    return hits


class TestOnlyTheClockReadsTheTime(unittest.TestCase):
    """Issue 15's done-criterion, kept by CI: the portal's time comes from
    paeria.egov.clock only (durations use time.monotonic)."""

    def test_nothing_bypasses_the_clock(self):
        hits = clock_bypasses()
        self.assertEqual(
            hits, [], "read the time from paeria.egov.clock:\n" + "\n".join(hits)
        )

    def test_the_check_finds_a_bypass(self):
        # The check itself can fail: a package with one bypass per pattern.
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            package = Path(directory)
            (package / "tests").mkdir()
            (package / "tests" / "test_x.py").write_text("datetime.now(UTC)\n")
            (package / "clock.py").write_text("datetime.now(UTC)\n")
            (package / "sub").mkdir()
            (package / "sub" / "mod.py").write_text(
                "x = 1\n" + "\n".join(f"y = {text})" for text in FORBIDDEN) + "\n"
            )
            hits = clock_bypasses(package)
        self.assertEqual(
            [hit.split(": ", 1)[0] for hit in hits],
            [f"sub/mod.py:{number}" for number in range(2, 2 + len(FORBIDDEN))],
        )
