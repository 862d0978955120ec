"""When a filing in the electronic registry counts as made (art. 31.2.b
LPAC)."""

from datetime import datetime
from datetime import time
from paeria.egov.calendar.business_days import next_business_day
from paeria.egov.calendar.holiday_calendar import check_calendar
from paeria.egov.clock import OFFICE_ZONE


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
    check_calendar(calendar)
    local = moment.astimezone(tz)
    if calendar.is_business_day(local.date()):
        return local
    next_day = next_business_day(local.date(), calendar)
    return datetime.combine(next_day, time(0), tzinfo=tz)
