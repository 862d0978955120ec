"""The legal calendar of this site: the pure deadline calculator fed with the
holidays kept in the registry."""

from datetime import date
from paeria.egov.calendar.defaults import default_holidays
from paeria.egov.calendar.holiday_calendar import HolidayCalendar
from paeria.egov.settings.interfaces import IPaeriaSettings
from plone import api
from plone.registry.interfaces import IRegistry
from zope.component import getUtility


PREFIX = "paeria.egov"


def settings():
    return getUtility(IRegistry).forInterface(IPaeriaSettings, prefix=PREFIX)


def parse_holiday_lines(lines):
    """``["2026-01-01 Cap d'Any", …]`` → ``{2026: {date(2026, 1, 1): "Cap d'Any"}}``."""
    by_year = {}
    for line in lines or ():
        text = line.strip()
        if not text:
            continue
        day_text, _, name = text.partition(" ")
        day = date.fromisoformat(day_text)
        by_year.setdefault(day.year, {})[day] = name.strip()
    return by_year


def format_holiday_lines(by_year):
    return [
        f"{day.isoformat()} {name}".strip()
        for year in sorted(by_year)
        for day, name in sorted(by_year[year].items())
    ]


def municipal_pairs(lines):
    pairs = []
    for line in lines or ():
        text = line.strip()
        if not text:
            continue
        day_text, _, name = text.partition(" ")
        month, day = (int(part) for part in day_text.split("-"))
        pairs.append((month, day, name.strip()))
    return tuple(pairs)


_cache = {}


def site_calendar():
    """The HolidayCalendar of the registry's holidays, rebuilt only when they change."""
    lines = tuple(api.portal.get_registry_record(f"{PREFIX}.holidays") or ())
    calendar = _cache.get(lines)
    if calendar is None:
        _cache.clear()
        calendar = _cache[lines] = HolidayCalendar(parse_holiday_lines(lines))
    return calendar


def prefill_years(years):
    """Add the holidays of ``years`` that the registry lacks (national, regional
    from ``holidays``, and the municipal ones); years present are left alone."""
    record = settings()
    by_year = parse_holiday_lines(record.holidays)
    municipal = municipal_pairs(record.municipal_holidays)
    for year in years:
        if year not in by_year:
            by_year[year] = default_holidays(
                year, subdiv=record.holiday_subdivision, municipal=municipal
            )
    record.holidays = format_holiday_lines(by_year)
