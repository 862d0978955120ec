"""Free text: no C0 control characters but tab, LF and CR (XML 1.0 cannot
carry them) and a maximum length."""

from paeria.egov import _
from paeria.egov.validators.errors import describe_char
from paeria.egov.validators.errors import InvalidText
from zope.i18nmessageid import Message
import re


# C0 controls except tab (09), line feed (0A) and carriage return (0D): the
# characters XML 1.0 cannot carry at all.
# Lone surrogates (a JSON "\ud800") are not characters: no UTF-8 can carry
# them, so neither the catalog nor the XML export could store the text.
_CONTROL_CHAR_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

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
    """True if ``text`` has a C0 control character other than tab, LF and CR,
    or a lone surrogate."""
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
                    "char": describe_char(bad.group()),
                    "position": str(bad.start() + 1),
                },
            ),
            kind="text",
        )
    return text
