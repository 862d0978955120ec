"""How long a term was suspended (art. 22 LPAC): overlapping periods merged,
open ones counted until today."""

from paeria.egov import clock
from paeria.egov.calendar.arguments import check_date


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
    check_date(today, "today")
    if isinstance(suspensions, (str, bytes)):
        raise ValueError(f"suspensions must be (from, to) pairs, got {suspensions!r}")
    intervals = [_interval(period, today) for period in suspensions or ()]
    return _merged_days(intervals)


def _interval(period, today):
    """The checked ``(begin, end)`` of one period, an open one ending today."""
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        raise ValueError(
            f"suspension must be a (from_date, to_date_or_None) pair, got {period!r}"
        )
    begin, end = period
    check_date(begin, "suspension start")
    if end is None:
        return begin, max(begin, today)
    check_date(end, "suspension end")
    if end < begin:
        raise ValueError(f"suspension ends before it starts: {period!r}")
    return begin, end


def _merged_days(intervals):
    """Days covered by ``intervals``, overlapping ones merged."""
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
