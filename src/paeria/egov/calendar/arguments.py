"""The checks of what callers pass: a day is a ``date`` (never a ``datetime``),
a count a non-negative ``int`` (never a ``bool``)."""

from datetime import date
from datetime import datetime


def check_date(value, name):
    # datetime is a subclass of date. Accepting it would mix a timestamp
    # into day arithmetic and, for values not in local time, silently pick
    # the wrong day around midnight; callers must choose the local day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(
            f"{name} must be a datetime.date (not a datetime), got {value!r}"
        )
    return value


def check_count(value, name):
    # bool is a subclass of int, but True as "1 month" is always a bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be zero or positive, got {value}")
    return value
