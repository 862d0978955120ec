"""A proposed year of holidays for the control panel (national, Catalan and
Lleida's municipal ones), to be reviewed by an officer against the official
bulletins."""

from datetime import date
from paeria.egov.calendar.holiday_calendar import parse_year
import holidays


#: Municipal holidays of Lleida as ``(month, day, name)``: Sant Anastasi
#: and Sant Miquel. Only a default for :func:`default_holidays`; the council
#: may move them (e.g. when one falls on a Sunday), so the per-year
#: configuration always prevails.
LLEIDA_MUNICIPAL_HOLIDAYS = (
    (5, 11, "Sant Anastasi"),
    (9, 29, "Sant Miquel"),
)

_DEFAULT_MUNICIPAL_NAMES = {
    "ca": "Festa local",
    "es": "Fiesta local",
}


def default_holidays(
    year,
    subdiv="CT",
    municipal=LLEIDA_MUNICIPAL_HOLIDAYS,
    *,
    country="ES",
    language="ca",
):
    """Proposed holidays of ``year`` as a ``{date: name}`` dict, date order.

    Combines the national and autonomous community holidays known to the
    ``holidays`` library (``subdiv`` is its region code: "CT" for Catalonia,
    None for national holidays only) with the ``municipal`` ones, given as
    ``(month, day)`` or ``(month, day, name)`` tuples.

    This is a pre-fill for the control panel, not a source of truth:
    art. 30.7 LPAC makes the published calendar of non-business days
    authoritative, and councils choose their two local holidays every year
    (moving them when they fall on a Sunday, for instance), so the result
    must be reviewed by an officer.

    When two holidays share a date their names are joined with " / ".
    """
    year = parse_year(year)
    try:
        known = holidays.country_holidays(
            country, subdiv=subdiv, years=year, language=language
        )
    except NotImplementedError as exc:
        raise ValueError(
            f"unknown country/subdivision for holidays: {country!r}/{subdiv!r}"
        ) from exc
    result = dict(known.items())
    default_name = _DEFAULT_MUNICIPAL_NAMES.get(language, "Local holiday")
    for entry in municipal or ():
        if not isinstance(entry, (tuple, list)) or len(entry) not in (2, 3):
            raise ValueError(
                f"municipal holiday must be (month, day) or (month, day, name),"
                f" got {entry!r}"
            )
        month, day_number = entry[0], entry[1]
        name = entry[2] if len(entry) == 3 else default_name
        try:
            day = date(year, month, day_number)
        except (TypeError, ValueError):
            raise ValueError(
                f"invalid municipal holiday {entry!r} for year {year}"
            ) from None
        if day in result and result[day] != name:
            name = f"{result[day]} / {name}"
        result[day] = name
    return dict(sorted(result.items()))
