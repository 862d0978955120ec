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
*data*: a :class:`.holiday_calendar.HolidayCalendar` is built from an
explicit ``{year: {date: name}}`` mapping (what the site control panel
stores), and :func:`.defaults.default_holidays` only proposes a pre-filled
year that an officer must review against the official bulletins (BOE, DOGC,
BOP).

The modules: :mod:`.holiday_calendar` (the non-business days of each year),
:mod:`.defaults` (a proposed year), :mod:`.business_days` (art. 30.2 and
30.5), :mod:`.terms` (the last day of a term, arts. 30.3 and 30.4, and the
single entry point :func:`.terms.compute_deadline`), :mod:`.suspensions`
(art. 22), :mod:`.filing` (art. 31.2.b) and :mod:`.arguments` (the checks of
what callers pass).

Typical use::

    calendar = HolidayCalendar({2026: default_holidays(2026)})
    compute_deadline(date(2026, 3, 30), 10, BUSINESS_DAYS, calendar)
"""
