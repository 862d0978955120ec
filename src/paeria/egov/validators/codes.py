"""Codes of the administration: DIR3 (Directorio Común de Unidades Orgánicas y
Oficinas; a municipality's code is ``L01`` + its 5-digit INE code + the INE
control digit: ``L01251207`` Lleida) and SIA procedure codes."""

from paeria.egov import _
from paeria.egov.validators.errors import describe_char
from paeria.egov.validators.errors import fail
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.errors import Messages
from paeria.egov.validators.errors import NOT_ALPHANUMERIC_RE
from paeria.egov.validators.errors import require_text
import re


SIA_MAX_LENGTH = 8

# 9 characters: a letter (E, A, L, U, I, J, O, GE, EA, LA, ...) then letters
# and digits.  "^[A-Z]{1,2}[0-9A-Z]{7,8}$" restricted to length 9 is the same.
DIR3_RE = re.compile(r"[A-Z][0-9A-Z]{8}")
DIR3_LENGTH = 9
_DIR3_MUNICIPALITY_PREFIX = "L01"
_DIR3_MUNICIPALITY_RE = re.compile(r"L01([0-9]{2})([0-9]{3})([0-9])")

_DIR3_MESSAGES = Messages(
    _("error_dir3_missing", default="The DIR3 code is empty."),
    _("error_dir3_not_text", default="The DIR3 code must be text."),
    _(
        "error_dir3_bad_char",
        default="The DIR3 code contains ${char}, which is not allowed: use only "
        "the letters A to Z and the digits 0 to 9.",
    ),
)
_DIR3_LENGTH = _(
    "error_dir3_length",
    default="The DIR3 code must have 9 characters; this one has ${length}.",
)
_DIR3_FIRST_CHAR = _(
    "error_dir3_first_char",
    default="The DIR3 code must start with a letter (L01251207, E00003801).",
)
_DIR3_MUNICIPALITY_FORMAT = _(
    "error_dir3_municipality_format",
    default="The DIR3 code of a municipality must be L01, the 5-digit INE "
    "municipality code and its control digit (L01251207).",
)
_DIR3_PROVINCE = _(
    "error_dir3_province",
    default="The DIR3 code contains the province code ${province}, which does not "
    "exist: INE province codes run from 01 to 52.",
)
DIR3_CONTROL_DIGIT = _(
    "error_dir3_control_digit",
    default="The DIR3 code's INE control digit is wrong: expected ${expected}.",
)

# INE "dígito de control" of a municipality code PPMMM: each digit goes through
# one of three substitution tables (C, B, A, C, B), the control digit
# completes the sum to a multiple of 10.
_INE_TABLE_A = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
_INE_TABLE_B = (0, 3, 8, 2, 7, 4, 1, 5, 9, 6)
_INE_TABLE_C = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
_INE_TABLES = (_INE_TABLE_C, _INE_TABLE_B, _INE_TABLE_A, _INE_TABLE_C, _INE_TABLE_B)
_FIVE_DIGITS_RE = re.compile(r"[0-9]{5}")


def ine_control_digit(municipality_code):
    """Return the INE control digit of a 5-digit municipality code, as a string.

    ``"25120"`` (Lleida) -> ``"7"``, ``"08019"`` (Barcelona) -> ``"3"``,
    ``"28079"`` (Madrid) -> ``"6"``.  Raises ValueError for anything but 5
    ASCII digits.
    """
    if not isinstance(municipality_code, str) or not _FIVE_DIGITS_RE.fullmatch(
        municipality_code
    ):
        raise ValueError(
            f"an INE municipality code is 5 digits, not {municipality_code!r}"
        )
    total = sum(
        table[int(digit)]
        for table, digit in zip(_INE_TABLES, municipality_code, strict=True)
    )
    return str(-total % 10)


def validate_dir3(value):
    """Validate the DIR3 code of a Spanish public body or office.

    Checks the general shape (9 characters: a letter, then letters and digits)
    and, for municipalities (``L01`` + INE code + control digit), the province
    and the INE control digit.  Returns the code stripped and upper-cased.
    """
    text = require_text(value, _DIR3_MESSAGES, "DIR3").strip()
    if not text:
        fail(_DIR3_MESSAGES.missing, "DIR3")
    bad = NOT_ALPHANUMERIC_RE.search(text)
    if bad is not None:
        fail(_DIR3_MESSAGES.bad_char, "DIR3", char=describe_char(bad.group()))
    code = text.upper()
    if len(code) != DIR3_LENGTH:
        fail(_DIR3_LENGTH, "DIR3", length=str(len(code)))
    if not DIR3_RE.fullmatch(code):
        fail(_DIR3_FIRST_CHAR, "DIR3")
    if code.startswith(_DIR3_MUNICIPALITY_PREFIX):
        match = _DIR3_MUNICIPALITY_RE.fullmatch(code)
        if match is None:
            fail(_DIR3_MUNICIPALITY_FORMAT, "DIR3")
        province, municipality, control = match.groups()
        if not 1 <= int(province) <= 52:
            fail(_DIR3_PROVINCE, "DIR3", province=province)
        expected = ine_control_digit(province + municipality)
        if control != expected:
            fail(DIR3_CONTROL_DIGIT, "DIR3", expected=expected)
    return code


def canonical_dir3(code):
    """DIR3 codes are stored as validated (upper case, no spaces): they go into
    ENI identifiers, which are compared exactly, and are searched as such. An
    invalid one was refused at the form or API already and is left as it is."""
    try:
        return validate_dir3(code)
    except InvalidIdentifier:
        return code


_SIA_MESSAGES = Messages(
    _("error_sia_missing", default="The SIA code is empty."),
    _("error_sia_not_text", default="The SIA code must be text."),
    _(
        "error_sia_bad_char",
        default="The SIA code contains ${char}, which is not allowed: it has only "
        "the digits 0 to 9.",
    ),
)
_SIA_LENGTH = _(
    "error_sia_length",
    default="The SIA code must have at most 8 digits; this one has ${length}.",
)
_NOT_DIGIT_RE = re.compile(r"[^0-9]")


def validate_sia(value):
    """Validate a SIA procedure code: 1 to 8 ASCII digits. Returns it stripped."""
    code = require_text(value, _SIA_MESSAGES, "SIA").strip()
    if not code:
        fail(_SIA_MESSAGES.missing, "SIA")
    bad = _NOT_DIGIT_RE.search(code)
    if bad is not None:
        fail(_SIA_MESSAGES.bad_char, "SIA", char=describe_char(bad.group()))
    if len(code) > SIA_MAX_LENGTH:
        fail(_SIA_LENGTH, "SIA", length=str(len(code)))
    return code
