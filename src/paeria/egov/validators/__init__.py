"""Validators for the identifiers and codes of Spanish e-administration.

Pure Python: no Plone, no component registry.  Every validator takes the raw
value (normally a string from a form or a web service), returns the value in its
canonical form and raises :class:`InvalidIdentifier` (a
:class:`zope.interface.Invalid`) when it is not acceptable.  The exception's
only argument is a translatable message (domain ``paeria.egov``) whose English
default names the kind of value and what is wrong with it, e.g. "The NIF check
letter is wrong: expected Z.", so z3c.form can show it as the field's error.
``str(error)`` gives the English text with its variables filled in.

Check characters of NIF, NIE and CIF are computed by ``python-stdnum``; the
rule of which CIF entity letters take a control letter and which a digit, the
INE municipality control digit (the last digit of a municipality's DIR3 code)
and the ENI identifier formats are implemented here.

Sources:

- NIF/NIE: Real Decreto 1065/2007 arts. 19-20; Orden EHA/451/2008 (CIF
  entity letters).
- DIR3: Directorio Común de Unidades Orgánicas y Oficinas; a municipality's
  code is ``L01`` + its 5-digit INE code + the INE control digit
  (``L01251207`` Lleida, ``L01080193`` Barcelona, ``L01280796`` Madrid).
- ENI identifiers: NTI de Documento electrónico and NTI de Expediente
  electrónico (BOE-A-2011-13169 and BOE-A-2011-13170), annex I.  The ENI v1.0
  XSDs declare ``Identificador`` as a plain ``xsd:string`` without a pattern,
  so the format is the one the NTIs describe.
"""

from paeria.egov import _
from stdnum.es import cif as stdnum_cif
from stdnum.es import dni as stdnum_dni
from stdnum.es import nie as stdnum_nie
from typing import NamedTuple
from zope.i18nmessageid import Message
from zope.interface import Invalid
import re


__all__ = (
    "CIF",
    "DIR3_LENGTH",
    "ENI_SPECIFIC_ID_MAX_LENGTH",
    "IDENTIFIER_TYPES",
    "NIE",
    "NIF",
    "PASAPORTE",
    "PASSPORT_MAX_LENGTH",
    "PASSPORT_MIN_LENGTH",
    "SIA_MAX_LENGTH",
    "InvalidIdentifier",
    "InvalidText",
    "guess_identifier_type",
    "has_control_chars",
    "ine_control_digit",
    "render_message",
    "validate_cif",
    "validate_dir3",
    "validate_eni_document_id",
    "validate_eni_expediente_id",
    "validate_identifier",
    "validate_nie",
    "validate_nif",
    "validate_passport",
    "validate_plain_text",
    "validate_sia",
)

NIF = "NIF"
NIE = "NIE"
CIF = "CIF"
PASAPORTE = "PASAPORTE"
IDENTIFIER_TYPES = (NIF, NIE, CIF, PASAPORTE)

PASSPORT_MIN_LENGTH = 5
PASSPORT_MAX_LENGTH = 20
SIA_MAX_LENGTH = 8
ENI_SPECIFIC_ID_MAX_LENGTH = 30


# --------------------------------------------------------------------------
# The exception and message rendering
# --------------------------------------------------------------------------

_VARIABLE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render_message(message):
    """Return ``message`` as plain English text with its ``${variables}`` filled.

    Works for :class:`zope.i18nmessageid.Message` objects (using their default
    text), including messages nested in another message's mapping, and for
    plain strings.  Meant for logs, ``str(error)`` and tests; user interfaces
    should translate the message instead.
    """
    if isinstance(message, Message):
        text = message.default if message.default is not None else str(message)
        mapping = message.mapping or {}
    else:
        return str(message)

    def replace(match):
        name = match.group(1)
        if name not in mapping:
            return match.group(0)
        return render_message(mapping[name])

    return _VARIABLE_RE.sub(replace, str(text))


class InvalidIdentifier(Invalid):
    """An identifier or code is not valid.

    ``args[0]`` (also ``message``) is the translatable message;
    ``kind`` names what was being validated (``"NIF"``, ``"DIR3"``, ...).
    """

    def __init__(self, message, kind=None):
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self):
        return render_message(self.message)


class InvalidText(InvalidIdentifier):
    """A free-text value is not acceptable (control characters, too long).

    A subclass of :class:`InvalidIdentifier` so that callers can catch every
    error of this module with one ``except`` clause.
    """


def _fail(message, kind, /, **mapping):
    if mapping:
        message = Message(message, mapping=mapping)
    raise InvalidIdentifier(message, kind=kind)


def _describe_char(char):
    """Name one character for a message: its glyph (if printable) and code point."""
    code = f"U+{ord(char):04X}"
    if char.isprintable() and not char.isspace():
        return f'"{char}" ({code})'
    return code


def _describe_kind(kind):
    text = kind if isinstance(kind, str) else repr(kind)
    return text if len(text) <= 40 else text[:39] + "…"


# --------------------------------------------------------------------------
# Shared normalisation of personal identifiers
# --------------------------------------------------------------------------


class _Messages(NamedTuple):
    missing: Message
    not_text: Message
    bad_char: Message


_NIF_MESSAGES = _Messages(
    _("error_nif_missing", default="The NIF is empty."),
    _("error_nif_not_text", default="The NIF must be text."),
    _(
        "error_nif_bad_char",
        default="The NIF contains ${char}, which is not allowed: use only the "
        "letters A to Z and the digits 0 to 9.",
    ),
)
_NIE_MESSAGES = _Messages(
    _("error_nie_missing", default="The NIE is empty."),
    _("error_nie_not_text", default="The NIE must be text."),
    _(
        "error_nie_bad_char",
        default="The NIE contains ${char}, which is not allowed: use only the "
        "letters A to Z and the digits 0 to 9.",
    ),
)
_CIF_MESSAGES = _Messages(
    _("error_cif_missing", default="The CIF is empty."),
    _("error_cif_not_text", default="The CIF must be text."),
    _(
        "error_cif_bad_char",
        default="The CIF contains ${char}, which is not allowed: use only the "
        "letters A to Z and the digits 0 to 9.",
    ),
)
_PASSPORT_MESSAGES = _Messages(
    _("error_passport_missing", default="The passport number is empty."),
    _("error_passport_not_text", default="The passport number must be text."),
    _(
        "error_passport_bad_char",
        default="The passport number contains ${char}, which is not allowed: use "
        "only the letters A to Z and the digits 0 to 9.",
    ),
)

# Separators people type inside identifiers ("12.345.678-Z", "X 1234567 L").
_SEPARATORS = str.maketrans("", "", " -.")
# Explicit ASCII ranges: "\d" and str.isdigit() would accept "１２３".
_NOT_ALPHANUMERIC_RE = re.compile(r"[^0-9A-Za-z]")


def _require_text(value, messages, kind):
    if value is None:
        _fail(messages.missing, kind)
    if not isinstance(value, str):
        _fail(messages.not_text, kind)
    return value


def _compact(value, messages, kind):
    """Strip, drop separators, refuse non-ASCII-alphanumerics, upper-case."""
    text = _require_text(value, messages, kind).strip().translate(_SEPARATORS)
    if not text:
        _fail(messages.missing, kind)
    bad = _NOT_ALPHANUMERIC_RE.search(text)
    if bad is not None:
        _fail(messages.bad_char, kind, char=_describe_char(bad.group()))
    # Only ASCII letters and digits are left, so upper() cannot change the length.
    return text.upper()


# --------------------------------------------------------------------------
# NIF, NIE, CIF, passport
# --------------------------------------------------------------------------

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
    nif = _compact(value, _NIF_MESSAGES, NIF)
    if _DNI_RE.fullmatch(nif):
        expected = stdnum_dni.calc_check_digit(nif[:8])
    elif _NIF_KLM_RE.fullmatch(nif):
        # K (under 14), L (resident abroad), M (foreigner without NIE) use the
        # DNI letter of their 7 digits.
        expected = stdnum_dni.calc_check_digit(nif[1:8])
    else:
        _fail(_NIF_FORMAT, NIF)
    if nif[-1] != expected:
        _fail(_NIF_CHECK_LETTER, NIF, expected=expected)
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
    nie = _compact(value, _NIE_MESSAGES, NIE)
    if not _NIE_RE.fullmatch(nie):
        _fail(_NIE_FORMAT, NIE)
    expected = stdnum_nie.calc_check_digit(nie[:8])
    if nie[-1] != expected:
        _fail(_NIE_CHECK_LETTER, NIE, expected=expected)
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
    cif = _compact(value, _CIF_MESSAGES, CIF)
    if not _CIF_SHAPE_RE.fullmatch(cif):
        _fail(_CIF_FORMAT, CIF)
    entity, control = cif[0], cif[-1]
    if entity not in _CIF_ENTITY_LETTERS:
        _fail(_CIF_ENTITY_LETTER, CIF, letter=entity)
    digit, letter = stdnum_cif.calc_check_digits(cif[:8])
    province = cif[1:3]
    if entity in _CIF_LETTER_CONTROL or province == _CIF_NON_RESIDENT_PROVINCE:
        if control == digit:
            _fail(_CIF_CONTROL_MUST_BE_LETTER, CIF, expected=letter)
        if control != letter:
            _fail(_CIF_CONTROL_LETTER, CIF, expected=letter)
    elif entity in _CIF_DIGIT_CONTROL:
        if control == letter:
            _fail(_CIF_CONTROL_MUST_BE_DIGIT, CIF, expected=digit)
        if control != digit:
            _fail(_CIF_CONTROL_DIGIT, CIF, expected=digit)
    elif control not in (digit, letter):
        _fail(_CIF_CONTROL_EITHER, CIF, digit=digit, letter=letter)
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
    passport = _compact(value, _PASSPORT_MESSAGES, PASAPORTE)
    if not PASSPORT_MIN_LENGTH <= len(passport) <= PASSPORT_MAX_LENGTH:
        _fail(_PASSPORT_LENGTH, PASAPORTE, length=str(len(passport)))
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
        _fail(_UNKNOWN_TYPE, None, kind=_describe_kind(kind))
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
    text = value.strip().translate(_SEPARATORS)
    if _NOT_ALPHANUMERIC_RE.search(text):
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


# --------------------------------------------------------------------------
# DIR3 and SIA codes
# --------------------------------------------------------------------------

# 9 characters: a letter (E, A, L, U, I, J, O, GE, EA, LA, ...) then letters
# and digits.  "^[A-Z]{1,2}[0-9A-Z]{7,8}$" restricted to length 9 is the same.
_DIR3_RE = re.compile(r"[A-Z][0-9A-Z]{8}")
DIR3_LENGTH = 9
_DIR3_MUNICIPALITY_PREFIX = "L01"
_DIR3_MUNICIPALITY_RE = re.compile(r"L01([0-9]{2})([0-9]{3})([0-9])")

_DIR3_MESSAGES = _Messages(
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
_DIR3_CONTROL_DIGIT = _(
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
    text = _require_text(value, _DIR3_MESSAGES, "DIR3").strip()
    if not text:
        _fail(_DIR3_MESSAGES.missing, "DIR3")
    bad = _NOT_ALPHANUMERIC_RE.search(text)
    if bad is not None:
        _fail(_DIR3_MESSAGES.bad_char, "DIR3", char=_describe_char(bad.group()))
    code = text.upper()
    if len(code) != DIR3_LENGTH:
        _fail(_DIR3_LENGTH, "DIR3", length=str(len(code)))
    if not _DIR3_RE.fullmatch(code):
        _fail(_DIR3_FIRST_CHAR, "DIR3")
    if code.startswith(_DIR3_MUNICIPALITY_PREFIX):
        match = _DIR3_MUNICIPALITY_RE.fullmatch(code)
        if match is None:
            _fail(_DIR3_MUNICIPALITY_FORMAT, "DIR3")
        province, municipality, control = match.groups()
        if not 1 <= int(province) <= 52:
            _fail(_DIR3_PROVINCE, "DIR3", province=province)
        expected = ine_control_digit(province + municipality)
        if control != expected:
            _fail(_DIR3_CONTROL_DIGIT, "DIR3", expected=expected)
    return code


_SIA_MESSAGES = _Messages(
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
    code = _require_text(value, _SIA_MESSAGES, "SIA").strip()
    if not code:
        _fail(_SIA_MESSAGES.missing, "SIA")
    bad = _NOT_DIGIT_RE.search(code)
    if bad is not None:
        _fail(_SIA_MESSAGES.bad_char, "SIA", char=_describe_char(bad.group()))
    if len(code) > SIA_MAX_LENGTH:
        _fail(_SIA_LENGTH, "SIA", length=str(len(code)))
    return code


# --------------------------------------------------------------------------
# ENI identifiers
# --------------------------------------------------------------------------


class _EniMessages(NamedTuple):
    missing: Message
    not_text: Message
    format: Message
    body: Message
    body_control_digit: Message
    year: Message
    specific_missing: Message
    specific_bad_char: Message
    specific_length: Message
    wrong_kind: Message


_ENI_DOCUMENT_MESSAGES = _EniMessages(
    missing=_(
        "error_eni_document_id_missing", default="The ENI document identifier is empty."
    ),
    not_text=_(
        "error_eni_document_id_not_text",
        default="The ENI document identifier must be text.",
    ),
    format=_(
        "error_eni_document_id_format",
        default="The ENI document identifier has the wrong format: it must read "
        "ES_<DIR3 code>_<year>_<specific id> (ES_L01251207_2024_REG000123).",
    ),
    body=_(
        "error_eni_document_id_body",
        default="The body code ${code} in the ENI document identifier is not a "
        "valid DIR3 code.",
    ),
    body_control_digit=_(
        "error_eni_document_id_body_control_digit",
        default="The body code ${code} in the ENI document identifier has a wrong "
        "INE control digit: expected ${expected}.",
    ),
    year=_(
        "error_eni_document_id_year",
        default="The year in the ENI document identifier must have 4 digits.",
    ),
    specific_missing=_(
        "error_eni_document_id_specific_missing",
        default="The ENI document identifier has no specific id after the year.",
    ),
    specific_bad_char=_(
        "error_eni_document_id_specific_bad_char",
        default="The specific id of the ENI document identifier contains ${char}, "
        "which is not allowed: use only letters A to Z, digits and underscores.",
    ),
    specific_length=_(
        "error_eni_document_id_specific_length",
        default="The specific id of the ENI document identifier must have at most "
        "30 characters; this one has ${length}.",
    ),
    wrong_kind=_(
        "error_eni_document_id_is_expediente",
        default="The ENI document identifier must not have EXP_ after the year: "
        "that is the form of an ENI expediente identifier.",
    ),
)
_ENI_EXPEDIENTE_MESSAGES = _EniMessages(
    missing=_(
        "error_eni_expediente_id_missing",
        default="The ENI expediente identifier is empty.",
    ),
    not_text=_(
        "error_eni_expediente_id_not_text",
        default="The ENI expediente identifier must be text.",
    ),
    format=_(
        "error_eni_expediente_id_format",
        default="The ENI expediente identifier has the wrong format: it must read "
        "ES_<DIR3 code>_<year>_EXP_<specific id> (ES_L01251207_2024_EXP_000123).",
    ),
    body=_(
        "error_eni_expediente_id_body",
        default="The body code ${code} in the ENI expediente identifier is not a "
        "valid DIR3 code.",
    ),
    body_control_digit=_(
        "error_eni_expediente_id_body_control_digit",
        default="The body code ${code} in the ENI expediente identifier has a wrong "
        "INE control digit: expected ${expected}.",
    ),
    year=_(
        "error_eni_expediente_id_year",
        default="The year in the ENI expediente identifier must have 4 digits.",
    ),
    specific_missing=_(
        "error_eni_expediente_id_specific_missing",
        default="The ENI expediente identifier has no specific id after EXP_.",
    ),
    specific_bad_char=_(
        "error_eni_expediente_id_specific_bad_char",
        default="The specific id of the ENI expediente identifier contains "
        "${char}, which is not allowed: use only letters A to Z, digits and "
        "underscores.",
    ),
    specific_length=_(
        "error_eni_expediente_id_specific_length",
        default="The specific id of the ENI expediente identifier must have at "
        "most 30 characters; this one has ${length}.",
    ),
    wrong_kind=_(
        "error_eni_expediente_id_no_exp",
        default="The ENI expediente identifier must have EXP_ after the year "
        "(ES_<DIR3 code>_<year>_EXP_<specific id>).",
    ),
)

_ENI_PREFIX = "ES_"
_ENI_EXPEDIENTE_MARK = "EXP_"
_YEAR_RE = re.compile(r"[0-9]{4}")
_NOT_ENI_SPECIFIC_RE = re.compile(r"[^0-9A-Za-z_]")


def _validate_eni_id(value, messages, kind, expediente):
    text = _require_text(value, messages, kind).strip()
    if not text:
        _fail(messages.missing, kind)
    if not text.startswith(_ENI_PREFIX):
        _fail(messages.format, kind)
    body, sep_body, rest = text[len(_ENI_PREFIX) :].partition("_")
    year, sep_year, rest = rest.partition("_")
    if not (sep_body and sep_year):
        _fail(messages.format, kind)
    if not _DIR3_RE.fullmatch(body):
        # Inside an identifier the code must already be in canonical form.
        _fail(messages.format, kind)
    try:
        validate_dir3(body)
    except InvalidIdentifier as error:
        # Flat messages (no message nested in another's mapping): zope.i18n
        # renders nested messages by msgid when the domain has no catalog.
        if error.message == _DIR3_CONTROL_DIGIT:
            message = Message(
                messages.body_control_digit,
                mapping={"code": body, "expected": error.message.mapping["expected"]},
            )
        else:
            message = Message(messages.body, mapping={"code": body})
        raise InvalidIdentifier(message, kind=kind) from error
    if not _YEAR_RE.fullmatch(year):
        _fail(messages.year, kind)
    if expediente:
        if not rest.startswith(_ENI_EXPEDIENTE_MARK):
            _fail(messages.wrong_kind, kind)
        specific = rest[len(_ENI_EXPEDIENTE_MARK) :]
    else:
        if rest.startswith(_ENI_EXPEDIENTE_MARK):
            _fail(messages.wrong_kind, kind)
        specific = rest
    if not specific:
        _fail(messages.specific_missing, kind)
    bad = _NOT_ENI_SPECIFIC_RE.search(specific)
    if bad is not None:
        _fail(messages.specific_bad_char, kind, char=_describe_char(bad.group()))
    if len(specific) > ENI_SPECIFIC_ID_MAX_LENGTH:
        _fail(messages.specific_length, kind, length=str(len(specific)))
    return text


def validate_eni_document_id(value):
    """Validate an ENI document identifier ``ES_<DIR3>_<AAAA>_<specific id>``.

    The DIR3 code is checked with :func:`validate_dir3` (and must already be
    upper case), the year is 4 digits, the specific id 1 to 30 characters of
    ``[A-Za-z0-9_]`` not starting with ``EXP_`` (that would be an expediente).
    Returns the identifier stripped of surrounding whitespace; it is not
    otherwise changed (identifiers are compared exactly).
    """
    return _validate_eni_id(
        value, _ENI_DOCUMENT_MESSAGES, "ENI document identifier", expediente=False
    )


def validate_eni_expediente_id(value):
    """Validate an ENI expediente identifier ``ES_<DIR3>_<AAAA>_EXP_<specific id>``.

    Same rules as :func:`validate_eni_document_id`, with ``EXP_`` between the
    year and the specific id.
    """
    return _validate_eni_id(
        value, _ENI_EXPEDIENTE_MESSAGES, "ENI expediente identifier", expediente=True
    )


# --------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------

# C0 controls except tab (09), line feed (0A) and carriage return (0D): the
# characters XML 1.0 cannot carry at all.
_CONTROL_CHAR_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_TEXT_NOT_TEXT = _("error_text_not_text", default="The text must be text.")
_TEXT_TOO_LONG = _(
    "error_text_too_long",
    default="The text is too long: ${length} characters, at most ${max_length} "
    "are allowed.",
)
_TEXT_CONTROL_CHAR = _(
    "error_text_control_char",
    default="The text contains the control character ${char} at position "
    "${position}; only tab, line feed and carriage return are allowed.",
)


def has_control_chars(text):
    """True if ``text`` has a C0 control character other than tab, LF and CR."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return _CONTROL_CHAR_RE.search(text) is not None


def validate_plain_text(text, max_length):
    """Validate free text: no C0 control characters except tab, LF and CR, and
    at most ``max_length`` characters (``None`` means no limit).

    Returns ``text`` unchanged (the empty string is valid).  Raises
    :class:`InvalidText`.
    """
    if max_length is not None and (
        isinstance(max_length, bool) or not isinstance(max_length, int)
    ):
        raise TypeError("max_length must be an int or None")
    if max_length is not None and max_length < 0:
        raise ValueError("max_length must not be negative")
    if not isinstance(text, str):
        raise InvalidText(_TEXT_NOT_TEXT, kind="text")
    if max_length is not None and len(text) > max_length:
        raise InvalidText(
            Message(
                _TEXT_TOO_LONG,
                mapping={"length": str(len(text)), "max_length": str(max_length)},
            ),
            kind="text",
        )
    bad = _CONTROL_CHAR_RE.search(text)
    if bad is not None:
        raise InvalidText(
            Message(
                _TEXT_CONTROL_CHAR,
                mapping={
                    "char": _describe_char(bad.group()),
                    "position": str(bad.start() + 1),
                },
            ),
            kind="text",
        )
    return text
