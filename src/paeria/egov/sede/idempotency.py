"""Double submission of the same application files it once.

Each application form carries a client token (the Classic UI form a hidden
``idempotency_key`` made when the form is shown; a REST client the
``Idempotency-Key`` header or the ``idempotency_key`` field). A successful
filing remembers ``(user id, token)`` -> (when, what was filed for, the
receipt) for :data:`KEEP`; the same user sending the same token again gets the
first receipt back and nothing is registered. A refused filing is not
remembered: the citizen corrects it and sends it again with the same token.

The records live in one OOBTree in the site's annotations, keyed by
``(user id, token)``: different citizens filing at once write different keys,
which ZODB's BTree conflict resolution merges; the same citizen sending the
same token twice at once writes the same key, which it refuses, so the later
request is retried whole and then finds the first one's receipt. Expired
records of a user are dropped when that user files again.
"""

from BTrees.OOBTree import OOBTree
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.sede.errors import IdempotencyKeyReused
from plone import api
from zope.annotation.interfaces import IAnnotations


ANNOTATION_KEY = "paeria.egov.sede.idempotency"
KEEP = 24 * 60 * 60  # seconds
TOKEN_MAX_LENGTH = 200
HEADER = "Idempotency-Key"


class InvalidToken(ValueError):
    message = _(
        "error_idempotency_key",
        default="The Idempotency-Key must be at most 200 letters, digits, dots, "
        "colons, hyphens or underscores.",
    )


def clean_token(value):
    """The token, or None when absent; InvalidToken when malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidToken()
    value = value.strip()
    if not value:
        return None
    if len(value) > TOKEN_MAX_LENGTH or not all(
        char.isascii() and (char.isalnum() or char in "-_.:") for char in value
    ):
        raise InvalidToken()
    return value


def _records(create=False):
    annotations = IAnnotations(api.portal.get())
    records = annotations.get(ANNOTATION_KEY)
    if records is None and create:
        records = annotations[ANNOTATION_KEY] = OOBTree()
    return records


def remembered(userid, token, target, now=None):
    """The receipt of ``userid``'s earlier filing with ``token``, or None.
    Raises IdempotencyKeyReused when that filing was for another target."""
    if token is None:
        return None
    records = _records()
    if records is None:
        return None
    record = records.get((userid, token))
    if record is None:
        return None
    moment, first_target, result = record
    if (now or clock.now().timestamp()) - moment > KEEP:
        return None
    if first_target != target:
        raise IdempotencyKeyReused()
    return dict(result, replayed=True)


def remember(userid, token, target, result, now=None):
    if token is None:
        return
    now = now or clock.now().timestamp()
    records = _records(create=True)
    expired = [
        key
        for key, (moment, _target, _result) in records.items(
            min=(userid, ""), max=(userid, "\U0010ffff")
        )
        if now - moment > KEEP
    ]
    for key in expired:
        del records[key]
    records[(userid, token)] = (now, target, dict(result))
