"""The non-business days of one administration, year by year (art. 30.7
LPAC): :class:`HolidayCalendar`, built from an explicit mapping."""

from datetime import date
from paeria.egov.calendar.arguments import check_date


_WEEKEND = frozenset((5, 6))  # date.weekday(): Saturday, Sunday


def parse_year(value):
    # The control panel may serialise years as strings (JSON object keys).
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"holiday year must be an integer, got {value!r}")
    if not 1 <= value <= 9999:
        raise ValueError(f"holiday year out of range: {value}")
    return value


def _parse_holiday_date(value):
    # Accept ISO strings for the same serialisation reason as parse_year.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"holiday date must be an ISO date (YYYY-MM-DD), got {value!r}"
            ) from None
    return check_date(value, "holiday date")


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
            year = parse_year(year)
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
        check_date(day, "day")
        self._ensure_year(day.year)
        return day in self._dates

    def holiday_name(self, day):
        """Name of the holiday on ``day``, or None if it is not a holiday."""
        if not self.is_holiday(day):
            return None
        return self._names[day]

    def is_business_day(self, day):
        """Whether ``day`` is a business day (art. 30.2 LPAC)."""
        check_date(day, "day")
        return day.weekday() not in _WEEKEND and not self.is_holiday(day)

    def holidays_for(self, year):
        """Holidays of ``year`` as a new ``{date: name}`` dict, date order."""
        year = parse_year(year)
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


def check_calendar(value):
    if not isinstance(value, HolidayCalendar):
        raise ValueError(f"calendar must be a HolidayCalendar, got {value!r}")
    return value
