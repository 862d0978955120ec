"""ENI identifiers of documents and expedientes: NTI de Documento electrónico
and NTI de Expediente electrónico (BOE-A-2011-13169 and BOE-A-2011-13170),
annex I.  The ENI v1.0 XSDs declare ``Identificador`` as a plain
``xsd:string`` without a pattern, so the format is the one the NTIs describe."""

from paeria.egov import _
from paeria.egov.validators.codes import DIR3_CONTROL_DIGIT
from paeria.egov.validators.codes import DIR3_RE
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.errors import describe_char
from paeria.egov.validators.errors import fail
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.errors import require_text
from typing import NamedTuple
from zope.i18nmessageid import Message
import re


ENI_SPECIFIC_ID_MAX_LENGTH = 30


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
    text = require_text(value, messages, kind).strip()
    if not text:
        fail(messages.missing, kind)
    if not text.startswith(_ENI_PREFIX):
        fail(messages.format, kind)
    body, sep_body, rest = text[len(_ENI_PREFIX) :].partition("_")
    year, sep_year, rest = rest.partition("_")
    if not (sep_body and sep_year):
        fail(messages.format, kind)
    _check_eni_body(body, messages, kind)
    if not _YEAR_RE.fullmatch(year):
        fail(messages.year, kind)
    _check_eni_specific(_eni_specific(rest, messages, kind, expediente), messages, kind)
    return text


def _check_eni_body(body, messages, kind):
    """The DIR3 code of an ENI identifier: canonical and valid."""
    if not DIR3_RE.fullmatch(body):
        # Inside an identifier the code must already be in canonical form.
        fail(messages.format, kind)
    try:
        validate_dir3(body)
    except InvalidIdentifier as error:
        # Flat messages (no message nested in another's mapping): zope.i18n
        # renders nested messages by msgid when the domain has no catalog.
        if error.message == DIR3_CONTROL_DIGIT:
            message = Message(
                messages.body_control_digit,
                mapping={"code": body, "expected": error.message.mapping["expected"]},
            )
        else:
            message = Message(messages.body, mapping={"code": body})
        raise InvalidIdentifier(message, kind=kind) from error


def _eni_specific(rest, messages, kind, expediente):
    """The specific id after the year: an expediente's follows ``EXP_``, a
    document's must not start with it."""
    if expediente:
        if not rest.startswith(_ENI_EXPEDIENTE_MARK):
            fail(messages.wrong_kind, kind)
        return rest[len(_ENI_EXPEDIENTE_MARK) :]
    if rest.startswith(_ENI_EXPEDIENTE_MARK):
        fail(messages.wrong_kind, kind)
    return rest


def _check_eni_specific(specific, messages, kind):
    """The specific id: 1 to 30 characters of ``[A-Za-z0-9_]``."""
    if not specific:
        fail(messages.specific_missing, kind)
    bad = _NOT_ENI_SPECIFIC_RE.search(specific)
    if bad is not None:
        fail(messages.specific_bad_char, kind, char=describe_char(bad.group()))
    if len(specific) > ENI_SPECIFIC_ID_MAX_LENGTH:
        fail(messages.specific_length, kind, length=str(len(specific)))


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
