"""Personal identifiers: NIF, NIE, CIF and passport numbers (Real Decreto
1065/2007 arts. 19-20; Orden EHA/451/2008 for the CIF entity letters). Check
characters are computed by ``python-stdnum``."""

from paeria.egov import _
from paeria.egov.validators.errors import compact
from paeria.egov.validators.errors import describe_kind
from paeria.egov.validators.errors import fail
from paeria.egov.validators.errors import Messages
from paeria.egov.validators.errors import NOT_ALPHANUMERIC_RE
from paeria.egov.validators.errors import SEPARATORS
from stdnum.es import cif as stdnum_cif
from stdnum.es import dni as stdnum_dni
from stdnum.es import nie as stdnum_nie
import re


NIF = "NIF"
NIE = "NIE"
CIF = "CIF"
PASAPORTE = "PASAPORTE"
IDENTIFIER_TYPES = (NIF, NIE, CIF, PASAPORTE)

PASSPORT_MIN_LENGTH = 5
PASSPORT_MAX_LENGTH = 20

_NIF_MESSAGES = Messages(
    _("error_nif_missing", default="The NIF is empty."),
    _("error_nif_not_text", default="The NIF must be text."),
    _(
        "error_nif_bad_char",
        default="The NIF contains ${char}, which is not allowed: use only the "
        "letters A to Z and the digits 0 to 9.",
    ),
)
_NIE_MESSAGES = Messages(
    _("error_nie_missing", default="The NIE is empty."),
    _("error_nie_not_text", default="The NIE must be text."),
    _(
        "error_nie_bad_char",
        default="The NIE contains ${char}, which is not allowed: use only the "
        "letters A to Z and the digits 0 to 9.",
    ),
)
_CIF_MESSAGES = Messages(
    _("error_cif_missing", default="The CIF is empty."),
    _("error_cif_not_text", default="The CIF must be text."),
    _(
        "error_cif_bad_char",
        default="The CIF contains ${char}, which is not allowed: use only the "
        "letters A to Z and the digits 0 to 9.",
    ),
)
_PASSPORT_MESSAGES = Messages(
    _("error_passport_missing", default="The passport number is empty."),
    _("error_passport_not_text", default="The passport number must be text."),
    _(
        "error_passport_bad_char",
        default="The passport number contains ${char}, which is not allowed: use "
        "only the letters A to Z and the digits 0 to 9.",
    ),
)


_DNI_RE = re.compile(r"[0-9]{8}[A-Z]")
_NIF_KLM_RE = re.compile(r"[KLM][0-9]{7}[A-Z]")
_NIE_RE = re.compile(r"[XYZ][0-9]{7}[A-Z]")
_CIF_SHAPE_RE = re.compile(r"[A-Z][0-9]{7}[0-9A-Z]")

_NIF_FORMAT = _(
    "error_nif_format",
    default="The NIF has the wrong format: it must be 8 digits and a letter "
    "(12345678Z), or K, L or M, 7 digits and a letter.",
)
_NIF_CHECK_LETTER = _(
    "error_nif_check_letter",
    default="The NIF check letter is wrong: expected ${expected}.",
)


def validate_nif(value):
    """Validate a NIF of a natural person: a DNI number or a K, L or M NIF.

    Returns the NIF upper-cased without spaces, dots or hyphens, e.g.
    ``"12.345.678-z"`` -> ``"12345678Z"``.  NIEs and CIFs are refused (use
    :func:`validate_nie`, :func:`validate_cif` or :func:`validate_identifier`).
    """
    nif = compact(value, _NIF_MESSAGES, NIF)
    if _DNI_RE.fullmatch(nif):
        expected = stdnum_dni.calc_check_digit(nif[:8])
    elif _NIF_KLM_RE.fullmatch(nif):
        # K (under 14), L (resident abroad), M (foreigner without NIE) use the
        # DNI letter of their 7 digits.
        expected = stdnum_dni.calc_check_digit(nif[1:8])
    else:
        fail(_NIF_FORMAT, NIF)
    if nif[-1] != expected:
        fail(_NIF_CHECK_LETTER, NIF, expected=expected)
    return nif


_NIE_FORMAT = _(
    "error_nie_format",
    default="The NIE has the wrong format: it must be X, Y or Z, 7 digits and a "
    "letter (X1234567L).",
)
_NIE_CHECK_LETTER = _(
    "error_nie_check_letter",
    default="The NIE check letter is wrong: expected ${expected}.",
)


def validate_nie(value):
    """Validate a NIE (foreigner's identity number): X/Y/Z + 7 digits + letter.

    Returns it upper-cased without spaces, dots or hyphens.
    """
    nie = compact(value, _NIE_MESSAGES, NIE)
    if not _NIE_RE.fullmatch(nie):
        fail(_NIE_FORMAT, NIE)
    expected = stdnum_nie.calc_check_digit(nie[:8])
    if nie[-1] != expected:
        fail(_NIE_CHECK_LETTER, NIE, expected=expected)
    return nie


# Orden EHA/451/2008 entity letters.  K, L, M are natural persons (NIF) and
# X, Y, Z foreigners (NIE); I, O, T are not used.
_CIF_ENTITY_LETTERS = "ABCDEFGHJNPQRSUVW"
# Control is a letter for public bodies, religious bodies and non-residents
# (and for any entity whose province digits are 00, i.e. non-resident) ...
_CIF_LETTER_CONTROL = "NPQRSW"
_CIF_NON_RESIDENT_PROVINCE = "00"
# ... a digit for these; either for the remaining letters.
_CIF_DIGIT_CONTROL = "ABEH"

_CIF_FORMAT = _(
    "error_cif_format",
    default="The CIF has the wrong format: it must be an entity letter, 7 digits "
    "and a control digit or letter (B12345674).",
)
_CIF_ENTITY_LETTER = _(
    "error_cif_entity_letter",
    default="The CIF entity letter ${letter} does not exist: it must be one of "
    "A, B, C, D, E, F, G, H, J, N, P, Q, R, S, U, V or W.",
)
_CIF_CONTROL_LETTER = _(
    "error_cif_control_letter",
    default="The CIF control letter is wrong: expected ${expected}.",
)
_CIF_CONTROL_DIGIT = _(
    "error_cif_control_digit",
    default="The CIF control digit is wrong: expected ${expected}.",
)
_CIF_CONTROL_EITHER = _(
    "error_cif_control_character",
    default="The CIF control character is wrong: expected ${digit} or ${letter}.",
)
_CIF_CONTROL_MUST_BE_LETTER = _(
    "error_cif_control_must_be_letter",
    default="The CIF control character must be a letter for this kind of entity: "
    "expected ${expected}.",
)
_CIF_CONTROL_MUST_BE_DIGIT = _(
    "error_cif_control_must_be_digit",
    default="The CIF control character must be a digit for this kind of entity: "
    "expected ${expected}.",
)


def validate_cif(value):
    """Validate the CIF (NIF) of a legal entity: letter + 7 digits + control.

    The control is a letter for entity letters N, P, Q, R, S, W and for
    non-residents (province digits ``00``), a digit for A, B, E, H, and either
    for C, D, F, G, J, U, V.  Returns it upper-cased without spaces, dots or
    hyphens.
    """
    cif = compact(value, _CIF_MESSAGES, CIF)
    if not _CIF_SHAPE_RE.fullmatch(cif):
        fail(_CIF_FORMAT, CIF)
    entity, control = cif[0], cif[-1]
    if entity not in _CIF_ENTITY_LETTERS:
        fail(_CIF_ENTITY_LETTER, CIF, letter=entity)
    digit, letter = stdnum_cif.calc_check_digits(cif[:8])
    province = cif[1:3]
    if entity in _CIF_LETTER_CONTROL or province == _CIF_NON_RESIDENT_PROVINCE:
        if control == digit:
            fail(_CIF_CONTROL_MUST_BE_LETTER, CIF, expected=letter)
        if control != letter:
            fail(_CIF_CONTROL_LETTER, CIF, expected=letter)
    elif entity in _CIF_DIGIT_CONTROL:
        if control == letter:
            fail(_CIF_CONTROL_MUST_BE_DIGIT, CIF, expected=digit)
        if control != digit:
            fail(_CIF_CONTROL_DIGIT, CIF, expected=digit)
    elif control not in (digit, letter):
        fail(_CIF_CONTROL_EITHER, CIF, digit=digit, letter=letter)
    return cif


_PASSPORT_LENGTH = _(
    "error_passport_length",
    default="The passport number must have 5 to 20 letters and digits; this one "
    "has ${length}.",
)


def validate_passport(value):
    """Validate a passport number: 5 to 20 letters and digits, no check digit.

    Returns it upper-cased without spaces, dots or hyphens.
    """
    passport = compact(value, _PASSPORT_MESSAGES, PASAPORTE)
    if not PASSPORT_MIN_LENGTH <= len(passport) <= PASSPORT_MAX_LENGTH:
        fail(_PASSPORT_LENGTH, PASAPORTE, length=str(len(passport)))
    return passport


_VALIDATORS = {
    NIF: validate_nif,
    NIE: validate_nie,
    CIF: validate_cif,
    PASAPORTE: validate_passport,
}

_UNKNOWN_TYPE = _(
    "error_identifier_unknown_type",
    default="Unknown identifier type ${kind}: it must be NIF, NIE, CIF or PASAPORTE.",
)


def validate_identifier(kind, value):
    """Validate ``value`` as an identifier of type ``kind`` (see IDENTIFIER_TYPES).

    An unknown ``kind`` raises :class:`InvalidIdentifier` too.
    """
    validator = _VALIDATORS.get(kind) if isinstance(kind, str) else None
    if validator is None:
        fail(_UNKNOWN_TYPE, None, kind=describe_kind(kind))
    return validator(value)


_PASSPORT_RE = re.compile(r"[0-9A-Z]{5,20}")


def guess_identifier_type(value):
    """Guess which kind of identifier ``value`` is from its shape.

    Returns NIF, NIE or CIF when the value has that shape (even if its check
    character is wrong, so that :func:`validate_identifier` then reports the
    precise error), PASAPORTE for any other 5 to 20 letters and digits, and
    None when it cannot be any of them.  Never raises.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().translate(SEPARATORS)
    if NOT_ALPHANUMERIC_RE.search(text):
        return None
    text = text.upper()
    if _DNI_RE.fullmatch(text) or _NIF_KLM_RE.fullmatch(text):
        return NIF
    if _NIE_RE.fullmatch(text):
        return NIE
    if _CIF_SHAPE_RE.fullmatch(text) and text[0] in _CIF_ENTITY_LETTERS:
        return CIF
    if _PASSPORT_RE.fullmatch(text):
        return PASAPORTE
    return None
