"""The values of an ENI file: xsd:dateTime, xsd:boolean and base64.

Independent of Plone.
"""

from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import tzinfo
from datetime import UTC
from paeria.egov.eni.messages import reading as messages
from paeria.egov.eni.problems import problem
import binascii
import re
import zoneinfo


_DEFAULT_LOCAL_ZONE = "Europe/Madrid"
_DATETIME_RE = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
_B64_CHARS_RE = re.compile(r"[A-Za-z0-9+/=]*\Z")
_HAS_SPACE_RE = re.compile(r"\s")


def default_zone():
    """Europe/Madrid, or None without a tz database (naive dates are refused)."""
    try:
        return zoneinfo.ZoneInfo(_DEFAULT_LOCAL_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _value(message, text):
    """The problem ``message`` about the value ``text`` (shown as its repr)."""
    return problem(message, value=repr(text))


def parse_datetime(text: str, local_timezone: tzinfo | None = None) -> datetime:
    """An aware datetime from an xsd:dateTime.

    Values without an offset (allowed by xsd:dateTime) are taken in
    ``local_timezone``; raises ValueError when that is None or the value is
    not a valid xsd:dateTime in the years 1..9999.
    """
    match = _DATETIME_RE.match(text.strip())
    if not match:
        raise ValueError(_value(messages.NOT_DATETIME_VALUE, text[:60]))
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    if len(year) > 4 or year.startswith("-"):
        raise ValueError(_value(messages.YEAR_RANGE, text[:60]))
    extra = timedelta(0)
    if hour == "24":
        if minute != "00" or second != "00" or micro:
            raise ValueError(_value(messages.NOT_DATETIME_VALUE, text[:60]))
        hour, extra = "00", timedelta(days=1)
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
        value += extra
        if offset == "Z":
            value = value.replace(tzinfo=UTC)
        elif offset:
            sign = -1 if offset[0] == "-" else 1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            if hours > 14 or minutes > 59 or (hours == 14 and minutes):
                raise ValueError(
                    _value(
                        messages.OFFSET_RANGE,
                        text[:60],
                    )
                )
            delta = sign * timedelta(hours=hours, minutes=minutes)
            value = value.replace(tzinfo=timezone(delta))
        elif local_timezone is not None:
            value = value.replace(tzinfo=local_timezone)
        else:
            raise ValueError(
                _value(
                    messages.NO_OFFSET,
                    text[:60],
                )
            )
    except OverflowError:
        raise ValueError(_value(messages.DATE_RANGE, text[:60]))
    return value


def parse_boolean(text: str) -> bool:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(_value(messages.NOT_BOOLEAN, text[:40]))


def parse_base64(text: str) -> bytes:
    # A document's content is most of an ENI file: no copy of it is made
    # unless it has line breaks to remove, and binascii decodes the ASCII
    # text as it is (base64.b64decode would first copy it into bytes).
    compact = "".join(text.split()) if _HAS_SPACE_RE.search(text) else text
    if not _B64_CHARS_RE.match(compact):
        raise ValueError(problem(messages.BASE64_CHARACTERS))
    try:
        return binascii.a2b_base64(compact, strict_mode=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(problem(messages.BASE64, error=str(error)))
