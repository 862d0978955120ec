"""The last day of a term in business days, calendar days, months or years
(arts. 30.2 to 30.5 LPAC), suspensions included: :func:`compute_deadline`."""

from datetime import date
from datetime import timedelta
from paeria.egov.calendar.arguments import check_count
from paeria.egov.calendar.arguments import check_date
from paeria.egov.calendar.business_days import business_day_on_or_after
from paeria.egov.calendar.business_days import nth_business_day
from paeria.egov.calendar.business_days import ONE_DAY
from paeria.egov.calendar.holiday_calendar import check_calendar
from paeria.egov.calendar.suspensions import suspension_days


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


def _shift_months(day, n):
    index = day.year * 12 + (day.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last_day = (first_of_next - ONE_DAY).day
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
    check_date(start, "start")
    check_count(n, "n")
    check_calendar(calendar)
    if n == 0:
        return business_day_on_or_after(start, calendar)
    return nth_business_day(start, n, calendar)


def add_calendar_days(start, n, calendar):
    """Last day of a term of ``n`` calendar days starting after ``start``.

    Art. 30.2 LPAC, second paragraph: calendar ("naturales") days apply only
    when a law or EU law says so. They are counted from the day after
    ``start`` (art. 30.3), so the term ends on ``start + n`` days, and if
    that day is not a business day the term ends on the next business day
    (art. 30.5: "Cuando el último día del plazo sea inhábil, se entenderá
    prorrogado al primer día hábil siguiente").
    """
    check_date(start, "start")
    check_count(n, "n")
    check_calendar(calendar)
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
    check_date(start, "start")
    check_count(n, "n")
    check_calendar(calendar)
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
    check_date(start, "start")
    check_count(amount, "amount")
    check_calendar(calendar)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    # The suspension is added to the unadjusted last day: art. 30.5 only
    # applies to the real last day of the term, after the extension.
    if unit == BUSINESS_DAYS:
        last_day = nth_business_day(start, amount, calendar)
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
