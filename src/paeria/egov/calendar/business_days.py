"""Business days (art. 30.2 LPAC) and the move of a last day to the next one
(art. 30.5)."""

from datetime import timedelta
from paeria.egov.calendar.arguments import check_date
from paeria.egov.calendar.holiday_calendar import check_calendar


ONE_DAY = timedelta(days=1)


def is_business_day(day, calendar):
    """Whether ``day`` is a business day ("día hábil").

    Art. 30.2 LPAC: "se entiende que éstos son hábiles, excluyéndose del
    cómputo los sábados, los domingos y los declarados festivos".
    """
    return check_calendar(calendar).is_business_day(check_date(day, "day"))


def next_business_day(day, calendar):
    """First business day strictly after ``day``."""
    check_calendar(calendar)
    current = check_date(day, "day") + ONE_DAY
    while not calendar.is_business_day(current):
        current += ONE_DAY
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
    check_date(start, "start")
    check_date(end, "end")
    check_calendar(calendar)
    if end < start:
        return -business_days_between(end, start, calendar)
    count = 0
    current = start + ONE_DAY
    while current <= end:
        if calendar.is_business_day(current):
            count += 1
        current += ONE_DAY
    return count


def nth_business_day(start, n, calendar):
    current = start
    remaining = n
    while remaining:
        current += ONE_DAY
        if calendar.is_business_day(current):
            remaining -= 1
    return current
