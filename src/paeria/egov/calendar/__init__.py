"""Legal deadline calendar for administrative procedures.

Implements the computation of terms ("cómputo de plazos") of the Spanish
common administrative procedure law, Ley 39/2015, de 1 de octubre, del
Procedimiento Administrativo Común de las Administraciones Públicas (LPAC),
articles 30 to 32, for a municipality:

* Business days ("días hábiles") exclude Saturdays, Sundays and the holidays
  declared for the year (art. 30.2): national, autonomous community and
  municipal ones, as published in the calendar of non-business days of
  art. 30.7.
* Terms in days, months or years start counting on the day after the
  notification or publication (arts. 30.3 and 30.4).
* A term whose last day is a non-business day is extended to the next
  business day (art. 30.5).
* A filing made in the electronic registry on a non-business day counts as
  made at the first hour of the next business day (art. 31.2.b).

Everything here is pure Python on ``datetime.date`` values. Holidays are
*data*: a :class:`HolidayCalendar` is built from an explicit
``{year: {date: name}}`` mapping (what the site control panel stores), and
:func:`default_holidays` only proposes a pre-filled year that an officer
must review against the official bulletins (BOE, DOGC, BOP).

Typical use::

    calendar = HolidayCalendar({2026: default_holidays(2026)})
    compute_deadline(date(2026, 3, 30), 10, BUSINESS_DAYS, calendar)
"""

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from paeria.egov import clock
from paeria.egov.clock import OFFICE_ZONE
import holidays


__all__ = (
    "BUSINESS_DAYS",
    "CALENDAR_DAYS",
    "LLEIDA_MUNICIPAL_HOLIDAYS",
    "MONTHS",
    "UNITS",
    "YEARS",
    "HolidayCalendar",
    "add_business_days",
    "add_calendar_days",
    "add_months",
    "business_day_on_or_after",
    "business_days_between",
    "compute_deadline",
    "default_holidays",
    "effective_filing_datetime",
    "is_business_day",
    "next_business_day",
    "suspension_days",
)

#: Term expressed in business days (art. 30.2 LPAC, the default for days).
BUSINESS_DAYS = "business_days"
#: Term expressed in calendar ("naturales") days, only when a law or EU law
#: says so (art. 30.2, second paragraph, LPAC).
CALENDAR_DAYS = "calendar_days"
#: Term expressed in months (art. 30.4 LPAC).
MONTHS = "months"
#: Term expressed in years (art. 30.4 LPAC), computed as 12 months.
YEARS = "years"
#: All units accepted by :func:`compute_deadline`.
UNITS = (BUSINESS_DAYS, CALENDAR_DAYS, MONTHS, YEARS)

#: Municipal holidays of Lleida as ``(month, day, name)``: Sant Anastasi
#: and Sant Miquel. Only a default for :func:`default_holidays`; the council
#: may move them (e.g. when one falls on a Sunday), so the per-year
#: configuration always prevails.
LLEIDA_MUNICIPAL_HOLIDAYS = (
    (5, 11, "Sant Anastasi"),
    (9, 29, "Sant Miquel"),
)

_WEEKEND = frozenset((5, 6))  # date.weekday(): Saturday, Sunday
_ONE_DAY = timedelta(days=1)
_DEFAULT_MUNICIPAL_NAMES = {
    "ca": "Festa local",
    "es": "Fiesta local",
}


def _check_date(value, name):
    # datetime is a subclass of date. Accepting it would mix a timestamp
    # into day arithmetic and, for values not in local time, silently pick
    # the wrong day around midnight; callers must choose the local day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(
            f"{name} must be a datetime.date (not a datetime), got {value!r}"
        )
    return value


def _check_count(value, name):
    # bool is a subclass of int, but True as "1 month" is always a bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be zero or positive, got {value}")
    return value


def _check_calendar(value):
    if not isinstance(value, HolidayCalendar):
        raise ValueError(f"calendar must be a HolidayCalendar, got {value!r}")
    return value


def _parse_year(value):
    # The control panel may serialise years as strings (JSON object keys).
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"holiday year must be an integer, got {value!r}")
    if not 1 <= value <= 9999:
        raise ValueError(f"holiday year out of range: {value}")
    return value


def _parse_holiday_date(value):
    # Accept ISO strings for the same serialisation reason as _parse_year.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"holiday date must be an ISO date (YYYY-MM-DD), got {value!r}"
            ) from None
    return _check_date(value, "holiday date")


class HolidayCalendar:
    """Non-business days of one administration, year by year.

    Art. 30.7 LPAC: each administration publishes, before the start of each
    year, the calendar of non-business days that applies to its terms. This
    object holds that calendar as an explicit mapping::

        HolidayCalendar({
            2026: {date(2026, 1, 1): "Cap d'Any", ...},
            2027: {...},
        })

    Years may be ints or digit strings and dates may be ``date`` objects or
    ISO strings, so the mapping can come straight from JSON. Every date must
    belong to the year it is listed under; a mismatch is almost always a
    data-entry error and raises ValueError.

    Saturdays and Sundays are always non-business days (art. 30.2) and need
    not be listed.

    A year that is not configured has no holidays at all, which would
    silently shorten terms; pass ``fallback`` (a callable ``year -> {date:
    name}``, typically :func:`default_holidays`) to fill such years on
    demand, and use :meth:`has_year` to warn editors about missing years.

    Art. 30.6 (a day that is a holiday where the interested party lives but
    not where the authority sits, or vice versa, is non-business in all
    cases) can be honoured by merging both sets of holidays into the
    mapping.

    Membership tests are O(1): dates are kept in a set.
    """

    def __init__(self, holidays_by_year=None, fallback=None):
        if fallback is not None and not callable(fallback):
            raise ValueError(f"fallback must be callable, got {fallback!r}")
        self._fallback = fallback
        self._names = {}
        self._dates = set()
        self._configured_years = set()
        # Years whose holidays are known (configured or produced by the
        # fallback), so the fallback runs at most once per year.
        self._loaded_years = set()
        for year, entries in dict(holidays_by_year or {}).items():
            year = _parse_year(year)
            self._add_year(year, entries)
            self._configured_years.add(year)

    def _add_year(self, year, entries):
        for raw_day, name in dict(entries or {}).items():
            day = _parse_holiday_date(raw_day)
            if day.year != year:
                raise ValueError(
                    f"holiday {day.isoformat()} is listed under year {year}"
                )
            self._names[day] = "" if name is None else str(name)
            self._dates.add(day)
        self._loaded_years.add(year)

    def _ensure_year(self, year):
        if year not in self._loaded_years and self._fallback is not None:
            self._add_year(year, self._fallback(year))

    @property
    def years(self):
        """Sorted tuple of the years given explicitly to the constructor."""
        return tuple(sorted(self._configured_years))

    def has_year(self, year):
        """Whether ``year`` was configured explicitly (fallback not counted)."""
        return year in self._configured_years

    def is_holiday(self, day):
        """Whether ``day`` is a declared holiday (weekends are not listed)."""
        _check_date(day, "day")
        self._ensure_year(day.year)
        return day in self._dates

    def holiday_name(self, day):
        """Name of the holiday on ``day``, or None if it is not a holiday."""
        if not self.is_holiday(day):
            return None
        return self._names[day]

    def is_business_day(self, day):
        """Whether ``day`` is a business day (art. 30.2 LPAC)."""
        _check_date(day, "day")
        return day.weekday() not in _WEEKEND and not self.is_holiday(day)

    def holidays_for(self, year):
        """Holidays of ``year`` as a new ``{date: name}`` dict, date order."""
        year = _parse_year(year)
        self._ensure_year(year)
        return {
            day: self._names[day] for day in sorted(self._dates) if day.year == year
        }

    def to_mapping(self):
        """Explicitly configured years as ``{year: {date: name}}``.

        The inverse of the constructor, for storing back what was loaded.
        Years filled in by the fallback are not included.
        """
        return {year: self.holidays_for(year) for year in self.years}

    def __contains__(self, day):
        return self.is_holiday(day)

    def __repr__(self):
        years = ", ".join(str(year) for year in self.years) or "none"
        return f"<HolidayCalendar years: {years}>"


def default_holidays(
    year,
    subdiv="CT",
    municipal=LLEIDA_MUNICIPAL_HOLIDAYS,
    *,
    country="ES",
    language="ca",
):
    """Proposed holidays of ``year`` as a ``{date: name}`` dict, date order.

    Combines the national and autonomous community holidays known to the
    ``holidays`` library (``subdiv`` is its region code: "CT" for Catalonia,
    None for national holidays only) with the ``municipal`` ones, given as
    ``(month, day)`` or ``(month, day, name)`` tuples.

    This is a pre-fill for the control panel, not a source of truth:
    art. 30.7 LPAC makes the published calendar of non-business days
    authoritative, and councils choose their two local holidays every year
    (moving them when they fall on a Sunday, for instance), so the result
    must be reviewed by an officer.

    When two holidays share a date their names are joined with " / ".
    """
    year = _parse_year(year)
    try:
        known = holidays.country_holidays(
            country, subdiv=subdiv, years=year, language=language
        )
    except NotImplementedError as exc:
        raise ValueError(
            f"unknown country/subdivision for holidays: {country!r}/{subdiv!r}"
        ) from exc
    result = dict(known.items())
    default_name = _DEFAULT_MUNICIPAL_NAMES.get(language, "Local holiday")
    for entry in municipal or ():
        if not isinstance(entry, (tuple, list)) or len(entry) not in (2, 3):
            raise ValueError(
                f"municipal holiday must be (month, day) or (month, day, name),"
                f" got {entry!r}"
            )
        month, day_number = entry[0], entry[1]
        name = entry[2] if len(entry) == 3 else default_name
        try:
            day = date(year, month, day_number)
        except (TypeError, ValueError):
            raise ValueError(
                f"invalid municipal holiday {entry!r} for year {year}"
            ) from None
        if day in result and result[day] != name:
            name = f"{result[day]} / {name}"
        result[day] = name
    return dict(sorted(result.items()))


def is_business_day(day, calendar):
    """Whether ``day`` is a business day ("día hábil").

    Art. 30.2 LPAC: "se entiende que éstos son hábiles, excluyéndose del
    cómputo los sábados, los domingos y los declarados festivos".
    """
    return _check_calendar(calendar).is_business_day(_check_date(day, "day"))


def next_business_day(day, calendar):
    """First business day strictly after ``day``."""
    _check_calendar(calendar)
    current = _check_date(day, "day") + _ONE_DAY
    while not calendar.is_business_day(current):
        current += _ONE_DAY
    return current


def business_day_on_or_after(day, calendar):
    """``day`` itself if it is a business day, else the next business day.

    Art. 30.5 LPAC: "Cuando el último día del plazo sea inhábil, se
    entenderá prorrogado al primer día hábil siguiente."
    """
    if is_business_day(day, calendar):
        return day
    return next_business_day(day, calendar)


def business_days_between(start, end, calendar):
    """Number of business days ``d`` with ``start < d <= end``.

    Uses the same convention as :func:`add_business_days` (the day of
    ``start`` is not counted, art. 30.3 LPAC), so
    ``business_days_between(s, add_business_days(s, n, cal), cal) == n``
    for every ``n > 0``. For "days left", pass today as ``start`` and the
    deadline as ``end``: the deadline day itself counts, today does not.

    If ``end`` is before ``start`` the result is negative (minus the
    business days in ``end < d <= start``), which reads as "overdue by".
    """
    _check_date(start, "start")
    _check_date(end, "end")
    _check_calendar(calendar)
    if end < start:
        return -business_days_between(end, start, calendar)
    count = 0
    current = start + _ONE_DAY
    while current <= end:
        if calendar.is_business_day(current):
            count += 1
        current += _ONE_DAY
    return count


def _nth_business_day(start, n, calendar):
    current = start
    remaining = n
    while remaining:
        current += _ONE_DAY
        if calendar.is_business_day(current):
            remaining -= 1
    return current


def _shift_months(day, n):
    index = day.year * 12 + (day.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last_day = (first_of_next - _ONE_DAY).day
    return date(year, month, min(day.day, last_day))


def add_business_days(start, n, calendar):
    """Last day of a term of ``n`` business days starting after ``start``.

    Art. 30.2 LPAC: terms in days are business days unless a law says
    otherwise. Art. 30.3: "Los plazos expresados por días se contarán a
    partir del día siguiente a aquel en que tenga lugar la notificación o
    publicación del acto de que se trate". So ``start`` (the notification,
    publication or silence date) is never counted, and the result is the
    n-th business day after it.

    ``n == 0`` is a term of no days: it ends on ``start``, moved to the next
    business day if ``start`` is not one (art. 30.5).
    """
    _check_date(start, "start")
    _check_count(n, "n")
    _check_calendar(calendar)
    if n == 0:
        return business_day_on_or_after(start, calendar)
    return _nth_business_day(start, n, calendar)


def add_calendar_days(start, n, calendar):
    """Last day of a term of ``n`` calendar days starting after ``start``.

    Art. 30.2 LPAC, second paragraph: calendar ("naturales") days apply only
    when a law or EU law says so. They are counted from the day after
    ``start`` (art. 30.3), so the term ends on ``start + n`` days, and if
    that day is not a business day the term ends on the next business day
    (art. 30.5: "Cuando el último día del plazo sea inhábil, se entenderá
    prorrogado al primer día hábil siguiente").
    """
    _check_date(start, "start")
    _check_count(n, "n")
    _check_calendar(calendar)
    return business_day_on_or_after(_add_days(start, n), calendar)


def add_months(start, n, calendar):
    """Last day of a term of ``n`` months starting after ``start``.

    Art. 30.4 LPAC: "El plazo concluirá el mismo día en que se produjo la
    notificación, publicación o silencio administrativo en el mes o el año
    de vencimiento. Si en el mes de vencimiento no hubiera día equivalente a
    aquel en que comienza el cómputo, se entenderá que el plazo expira el
    último día del mes." So 15 March + 1 month is 15 April and 31 January +
    1 month is 28 (or 29) February. The result is then moved to the next
    business day if needed (art. 30.5).
    """
    _check_date(start, "start")
    _check_count(n, "n")
    _check_calendar(calendar)
    return business_day_on_or_after(_add_months(start, n), calendar)


def _add_days(start, n):
    try:
        return start + timedelta(days=n)
    except OverflowError:
        raise ValueError(f"{n} days after {start} is out of range") from None


def _add_months(start, n):
    try:
        return _shift_months(start, n)
    except (OverflowError, ValueError):
        raise ValueError(f"{n} months after {start} is out of range") from None


def suspension_days(suspensions, today=None):
    """Total length in calendar days of the suspension periods.

    Each period is a ``(from_date, to_date)`` pair, where ``to_date`` is None
    while the suspension is still open (art. 22 LPAC: e.g. "por el tiempo
    que medie entre la notificación del requerimiento y su efectivo
    cumplimiento"); an open period lasts until ``today`` (default: today in
    Europe/Madrid).

    Convention: a period suspends the days *after* ``from_date`` up to and
    *including* ``to_date``, so its length is ``(to_date - from_date).days``.
    This mirrors art. 30.3 (the term runs from the day after the triggering
    act): a requirement notified on the 10th and answered on the 20th
    suspends 10 days (11th-20th), and one answered on the same day suspends
    none. An open period starting after ``today`` has suspended nothing yet.

    Overlapping periods are merged, so no day is counted twice; adjacent
    ones (one ends on the day the next starts) simply add up.
    """
    if today is None:
        today = clock.today()
    _check_date(today, "today")
    if isinstance(suspensions, (str, bytes)):
        raise ValueError(f"suspensions must be (from, to) pairs, got {suspensions!r}")
    intervals = []
    for period in suspensions or ():
        if not isinstance(period, (tuple, list)) or len(period) != 2:
            raise ValueError(
                f"suspension must be a (from_date, to_date_or_None) pair,"
                f" got {period!r}"
            )
        begin, end = period
        _check_date(begin, "suspension start")
        if end is None:
            end = max(begin, today)
        else:
            _check_date(end, "suspension end")
            if end < begin:
                raise ValueError(f"suspension ends before it starts: {period!r}")
        intervals.append((begin, end))
    total = 0
    current_begin = current_end = None
    for begin, end in sorted(intervals):
        if current_end is None or begin >= current_end:
            if current_end is not None:
                total += (current_end - current_begin).days
            current_begin, current_end = begin, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_begin).days
    return total


def compute_deadline(start, amount, unit, calendar, suspensions=(), today=None):
    """Last day of a term, the single entry point for deadlines.

    ``start`` is the date of the notification, publication or
    administrative silence the term runs from (arts. 30.3 and 30.4 LPAC; it
    is never counted). ``amount`` is the length of the term in ``unit``,
    one of :data:`BUSINESS_DAYS` (art. 30.2), :data:`CALENDAR_DAYS`
    (art. 30.2, second paragraph), :data:`MONTHS` or :data:`YEARS`
    (art. 30.4).

    ``suspensions`` are the periods during which the term was suspended
    (art. 22 LPAC), as ``(from_date, to_date_or_None)`` pairs; see
    :func:`suspension_days` for how their length is counted. Suspended days
    extend the term's last day, before any art. 30.5 adjustment, by that
    many calendar days; the result is then moved to the next business day
    if it is not one (art. 30.5). Open periods count until ``today``
    (default: today in Europe/Madrid), so such a deadline keeps moving
    until the suspension is lifted.
    """
    _check_date(start, "start")
    _check_count(amount, "amount")
    _check_calendar(calendar)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    # The suspension is added to the unadjusted last day: art. 30.5 only
    # applies to the real last day of the term, after the extension.
    if unit == BUSINESS_DAYS:
        last_day = _nth_business_day(start, amount, calendar)
    elif unit == CALENDAR_DAYS:
        last_day = _add_days(start, amount)
    elif unit == MONTHS:
        last_day = _add_months(start, amount)
    else:
        last_day = _add_months(start, amount * 12)
    extra = suspension_days(suspensions, today=today)
    if extra:
        last_day = _add_days(last_day, extra)
    return business_day_on_or_after(last_day, calendar)


def effective_filing_datetime(moment, calendar, *, tz=OFFICE_ZONE):
    """When a filing in the electronic registry counts as made.

    Art. 31.2.b LPAC: "la presentación en un día inhábil se entenderá
    realizada en la primera hora del primer día hábil siguiente salvo que
    una norma permita expresamente la recepción en día inhábil". The day is
    judged in the official time of the electronic office (art. 31.1),
    Europe/Madrid by default.

    ``moment`` must be a timezone-aware datetime. The result is aware and
    expressed in ``tz``: the same instant if that local day is a business
    day, otherwise 00:00 local time of the next business day (midnight is
    never skipped or repeated by Spanish DST changes, which happen at 02:00
    and 03:00).

    Art. 31.2.b also keeps filings made on a non-business day in their
    actual order, ahead of those made on the next business day; since they
    all map to 00:00, sort by ``(effective, moment)`` to honour it. When a
    rule allows filing on non-business days, do not call this function.
    """
    if not isinstance(moment, datetime):
        raise ValueError(f"filing moment must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            "filing moment must be a timezone-aware datetime, got a naive one"
            f" ({moment.isoformat()}); attach a tzinfo, e.g."
            " ZoneInfo('Europe/Madrid'), so the local day is unambiguous"
        )
    _check_calendar(calendar)
    local = moment.astimezone(tz)
    if calendar.is_business_day(local.date()):
        return local
    next_day = next_business_day(local.date(), calendar)
    return datetime.combine(next_day, time(0), tzinfo=tz)
