"""Refusals that carry readable, translatable messages for the user.

Both are shown by the exception view in browser.py: the Classic UI goes back
to the object with the messages, a JSON client gets them in a 400/403. (Zope
derives a response's status from the exception class's name, which it knows
only for its own classes: without that view these would be 500s.)
"""

from zExceptions import BadRequest
from zExceptions import Forbidden
from zope.globalrequest import getRequest
from zope.i18n import translate


class Refusal:
    """``messages`` (translatable), ``url`` of the object refused, if any."""

    status = 400
    error_type = "BadRequest"

    def _setup(self, messages, url):
        self.messages = list(messages)
        self.url = url
        return self.text()

    def text(self, request=None):
        request = request if request is not None else getRequest()
        return " ".join(
            translate(message, context=request) for message in self.messages
        )


class TransitionRefused(Refusal, BadRequest):
    """A transition refused by its business preconditions (workflow/rules.py).

    A ``BadRequest`` so that plone.restapi's @workflow answers 400 with its
    text (the violations translated for the request and joined).
    """

    def __init__(self, violations, url=None, transition=None):
        if isinstance(violations, TransitionRefused):
            # CMF's WorkflowTool re-raises an exception as ``type(exc)(exc)``.
            url = violations.url
            transition = violations.transition
            violations = violations.violations
        self.transition = transition
        super().__init__(self._setup(violations, url))

    @property
    def violations(self):
        return self.messages


class RecordImmutable(Refusal, Forbidden):
    """A change refused to a record (a signed or annulled document, a closed
    expediente), whoever asks: 403."""

    status = 403
    error_type = "Forbidden"

    def __init__(self, message, url=None):
        if isinstance(message, RecordImmutable):
            message, url = message.messages[0], message.url
        super().__init__(self._setup([message], url))


def refuse_record_change(obj, message):
    """What a subscriber guarding a record raises: ``RecordImmutable`` naming
    the record, so the answer links back to it."""
    raise RecordImmutable(message, url=obj.absolute_url())
