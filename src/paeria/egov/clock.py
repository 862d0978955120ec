"""The portal's one clock: the only place paeria.egov reads the system time.

Legal time is the electronic office's official time, Europe/Madrid (art. 31.1
LPAC): deadlines count in its days, register entries are stamped in it. Every
"now" and "today" the portal uses comes from here, so that

- tests state the instant they run at (``travel``, or time-machine, which this
  module follows because it asks :func:`datetime.datetime.now`);
- an operator can re-run a scheduled task *as of* a date (``PAERIA_AS_OF`` or
  ``--as-of`` on the console commands, see docs/operations.md).

Durations and throttling use :func:`time.monotonic` directly: they measure how
long something took, not what time it is.
"""

from contextlib import contextmanager
from datetime import date
from datetime import datetime
from datetime import UTC
from zoneinfo import ZoneInfo
import os
import pytz
import threading


OFFICE_TIMEZONE = "Europe/Madrid"

#: The office's zone for computations (the legal calendar, ENI dates).
OFFICE_ZONE = ZoneInfo(OFFICE_TIMEZONE)

#: The same zone as pytz, for the aware values stored on content: Zope's
#: DateTime and the catalog's date indexes name a pytz zone by its ``zone``,
#: and the values already in the ZODB carry it.
MADRID = pytz.timezone(OFFICE_TIMEZONE)

#: The environment variable the console commands read to run as of an instant.
AS_OF_ENVIRONMENT = "PAERIA_AS_OF"

# How far the portal's clock is from the system's: None, or a timedelta
# (travel with ticking) or a fixed aware datetime (frozen). One value for the
# whole process, not per thread: the server's worker threads must see the
# instant a test or an as-of command chose.
_shift = None
_lock = threading.Lock()


def now():
    """The current instant: aware, in UTC."""
    shift = _shift
    if isinstance(shift, datetime):
        return shift
    current = datetime.now(UTC)
    return current if shift is None else current + shift


def office_now():
    """The current instant in the office's official time, to the second: how
    the portal stamps what happens (register entries, signatures, notices)."""
    return now().astimezone(MADRID).replace(microsecond=0)


def today():
    """The current day in the office's official time."""
    return now().astimezone(OFFICE_ZONE).date()


def parse_instant(text):
    """An aware instant from ISO 8601 text: ``2026-12-31T23:30:00Z``, with an
    offset, or local to the office (``2026-12-31T09:00``, ``2026-12-31``: the
    day's start in Europe/Madrid). Raises ValueError with a readable message."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date or date-time "
            "(e.g. 2026-12-31, 2026-12-31T09:00 or 2026-12-31T23:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=OFFICE_ZONE)
    return moment.astimezone(UTC)


def set_instant(instant, tick=True):
    """Move the portal's clock to ``instant`` (aware) for the rest of the
    process; with ``tick`` it keeps running from there, otherwise it stays."""
    global _shift
    if instant.tzinfo is None:
        raise ValueError("the clock takes aware instants only")
    with _lock:
        if tick:
            _shift = instant.astimezone(UTC) - datetime.now(UTC)
        else:
            _shift = instant.astimezone(UTC)


def reset():
    """Back to the system's time."""
    global _shift
    with _lock:
        _shift = None


@contextmanager
def travel(instant, tick=True):
    """Run the block with the portal's clock at ``instant`` (an aware
    datetime, or ISO text as :func:`parse_instant` reads it)."""
    global _shift
    if isinstance(instant, str):
        instant = parse_instant(instant)
    previous = _shift
    set_instant(instant, tick=tick)
    try:
        yield
    finally:
        with _lock:
            _shift = previous


def apply_as_of(text=None, environ=None):
    """For console commands: move the clock to ``text`` or, without it, to
    the instant in ``PAERIA_AS_OF``. Returns the instant (UTC) or None."""
    environ = os.environ if environ is None else environ
    text = text or environ.get(AS_OF_ENVIRONMENT)
    if not text:
        return None
    instant = parse_instant(text)
    set_instant(instant, tick=True)
    return instant
