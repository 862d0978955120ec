"""The problems found in ENI data: English sentences that can be translated.

A :class:`Problem` is the English sentence itself, a ``str`` (so the console,
the logs and ``str(error)`` read it as they always did), and it carries what a
translation needs: its msgid, its English template with ``${name}``
placeholders and the values that fill them, already rendered as text. A value
may itself be a Problem (a label: "Document ${identifier}") or a validator's
message; it is translated with the sentence around it. Text that comes from
libxml2 or an XSD validation is put in as it came: the frame is translated,
the parser's words are not.

Plone-free: :meth:`Problem.message` gives the ``zope.i18nmessageid`` Message
that the portal translates for the person reading it.
"""

from paeria.egov.validators.errors import render_message
from zope.i18nmessageid import Message
import re


DOMAIN = "paeria.egov"

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _english(value) -> str:
    return render_message(value) if isinstance(value, Message) else str(value)


class Problem(str):
    """An English sentence with its msgid, template and mapping."""

    def __new__(cls, msgid, default, mapping=None):
        mapping = dict(mapping or {})
        text = _PLACEHOLDER.sub(
            lambda match: _english(mapping[match.group(1)]), str(default)
        )
        self = super().__new__(cls, text)
        self.msgid = str(msgid)
        self.default = str(default)
        self.mapping = mapping
        return self

    def __getnewargs__(self):
        return (self.msgid, self.default, self.mapping)

    def message(self) -> Message:
        """The translatable message; nested problems become messages too."""
        return Message(
            self.msgid,
            domain=DOMAIN,
            default=self.default,
            mapping={
                name: _translatable(value) for name, value in self.mapping.items()
            },
        )


def _translatable(value):
    """A mapping value for a Message: a nested problem's message, a message
    as it is, anything else as text."""
    if isinstance(value, Problem):
        return value.message()
    return value if isinstance(value, Message) else str(value)


def problem(message: Message, /, **mapping) -> Problem:
    """The Problem of ``message``, a ``_("eni_problem_…", default="…")`` of
    paeria.egov's MessageFactory (so the catalogue's extractor finds it),
    with the values of its placeholders."""
    return Problem(message, message.default, mapping)


def as_problem(text) -> str:
    """``text`` as it is when already a Problem; any other value as a plain
    English ``str`` (shown untranslated)."""
    return text if isinstance(text, Problem) else str(text)


def of_error(error: Exception) -> str:
    """The Problem an exception was raised with (its first argument), or its
    English text when it carries none."""
    first = error.args[0] if len(error.args) == 1 else None
    return first if isinstance(first, Problem) else str(error)
