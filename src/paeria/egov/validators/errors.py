"""How the validators fail: :class:`InvalidIdentifier` and :class:`InvalidText`
(:class:`zope.interface.Invalid`), their messages rendered as English text, and
the normalisation every identifier shares (strip, drop separators, refuse
what is not an ASCII letter or digit)."""

from typing import NamedTuple
from zope.i18nmessageid import Message
from zope.interface import Invalid
import re


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
    error of the validators with one ``except`` clause.
    """


def fail(message, kind, /, **mapping):
    if mapping:
        message = Message(message, mapping=mapping)
    raise InvalidIdentifier(message, kind=kind)


def describe_char(char):
    """Name one character for a message: its glyph (if printable) and code point."""
    code = f"U+{ord(char):04X}"
    if char.isprintable() and not char.isspace():
        return f'"{char}" ({code})'
    return code


def describe_kind(kind):
    text = kind if isinstance(kind, str) else repr(kind)
    return text if len(text) <= 40 else text[:39] + "…"


class Messages(NamedTuple):
    missing: Message
    not_text: Message
    bad_char: Message


# Separators people type inside identifiers ("12.345.678-Z", "X 1234567 L").
SEPARATORS = str.maketrans("", "", " -.")
# Explicit ASCII ranges: "\d" and str.isdigit() would accept "１２３".
NOT_ALPHANUMERIC_RE = re.compile(r"[^0-9A-Za-z]")


def require_text(value, messages, kind):
    if value is None:
        fail(messages.missing, kind)
    if not isinstance(value, str):
        fail(messages.not_text, kind)
    return value


def compact(value, messages, kind):
    """Strip, drop separators, refuse non-ASCII-alphanumerics, upper-case."""
    text = require_text(value, messages, kind).strip().translate(SEPARATORS)
    if not text:
        fail(messages.missing, kind)
    bad = NOT_ALPHANUMERIC_RE.search(text)
    if bad is not None:
        fail(messages.bad_char, kind, char=describe_char(bad.group()))
    # Only ASCII letters and digits are left, so upper() cannot change the length.
    return text.upper()
