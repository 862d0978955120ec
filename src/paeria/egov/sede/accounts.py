"""``POST @users``: the whole body checked before any account is created or
any mail sent, and nothing kept when the creation fails; ``PATCH
@users/<id>`` checked the same way.

plone.restapi's ``UsersPost`` checks a few names (username, email, password)
and hands every other key to ``portal_registration.addMember`` as a member
property: a list for the NIF, a number for the full name or an object for the
description failed only once the account existed (a 400 that left it
behind), and a NUL in the full name or a ``javascript:`` home page went as
far as the mail. :class:`CheckedUsersPost` refuses all of that first, every
field by name in the one error shape
(:func:`paeria.egov.restapi.service.error_body`), and dooms the transaction
of any creation that still answers an error, so a refusal never leaves an
account, a NIF or a queued mail behind. When the mail with the link to set
the password cannot be sent (no mail server), the answer is a 503 with
``Retry-After`` and no account is kept: without that mail the citizen could
never log in.
"""

from paeria.egov import _
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.restapi.service import error_body
from paeria.egov.sede.nif import NIF_PROPERTY
from paeria.egov.sede.nif import NIF_TAKEN
from paeria.egov.sede.nif import normalise_nif
from paeria.egov.sede.nif import owner_of
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.text import validate_plain_text
from plone.restapi.deserializer import json_body
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.user import SerializeUserToJson
from plone.restapi.services.users.add import UsersPost
from plone.restapi.services.users.update import UsersPatch
from Products.CMFCore.interfaces import IMemberData
from urllib.parse import urlsplit
from zope.component import adapter
from zope.i18nmessageid import Message
from zope.interface import implementer
import logging
import smtplib
import transaction


logger = logging.getLogger("paeria.egov.sede")
MAIL_RETRY_SECONDS = 300
MAIL_UNAVAILABLE = _(
    "error_account_mail_unavailable",
    default="The account was not created: the portal cannot send the mail with "
    "the link to set your password right now. Nothing was stored; try again "
    "later.",
)


#: Longest value of each field; a field not named here takes DEFAULT_LENGTH.
MAX_LENGTHS = {
    "username": 100,
    "email": 254,
    "fullname": 200,
    "location": 200,
    "home_page": 2000,
    "description": 2000,
    "password": 200,
}
DEFAULT_LENGTH = 200
#: Fields that may span lines; the others are one line.
MULTILINE = frozenset(("description",))
#: Fields that are not text: what each must be.
FLAGS = frozenset(("sendPasswordReset", "mail_me"))
LISTS = frozenset(("roles", "groups"))

BODY_NOT_OBJECT = _(
    "error_account_body",
    default="The account's data must be an object of fields.",
)
NOT_CREATED = _(
    "error_account_not_created",
    default="The account was not created; nothing was stored and no mail was "
    "sent. Problems: ${fields}.",
)
NOT_CHANGED = _(
    "error_account_not_changed",
    default="The account was not changed; nothing was stored. Problems: ${fields}.",
)
ONE_LINE = _(
    "error_account_one_line",
    default="The text must be one line, without tabs or line breaks.",
)
NOT_FLAG = _("error_account_flag", default="Give true or false.")
NOT_LIST = _("error_account_list", default="Give a list of names, as text.")
NOT_WEB_ADDRESS = _(
    "error_account_url",
    default="Give a web address that starts with http:// or https://.",
)


def check_text(name, value):
    """The message refusing ``value`` for the text field ``name``, or None."""
    try:
        validate_plain_text(value, MAX_LENGTHS.get(name, DEFAULT_LENGTH))
    except InvalidIdentifier as error:
        return error.args[0]
    if name not in MULTILINE and any(char in value for char in "\t\r\n"):
        return ONE_LINE
    return None


def check_web_address(value):
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return NOT_WEB_ADDRESS
    return None


def check_nif(value, taken=True):
    """The NIF's refusal, or None; ``taken``: also refuse one an account has
    (when creating; on a change the NIF guard knows whose it is)."""
    try:
        nif = normalise_nif(value)
    except InvalidIdentifier as error:
        return error.args[0]
    if taken and nif is not None and owner_of(nif) is not None:
        return NIF_TAKEN
    return None


def check_field(name, value):
    """The message refusing ``value`` for the account field ``name``, or None."""
    if name in FLAGS:
        return None if isinstance(value, bool) or value is None else NOT_FLAG
    if name in LISTS:
        valid = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if valid else NOT_LIST
    if name == NIF_PROPERTY and not isinstance(value, str) and value is not None:
        return check_nif(value)
    if value is None:
        return None
    message = check_text(name, value)
    if message is None and name == "home_page" and value.strip():
        message = check_web_address(value)
    if message is None and name == NIF_PROPERTY:
        message = check_nif(value)
    return message


def account_errors(data, prefix=""):
    """{field: message} of what is wrong in one account's ``data``."""
    if not isinstance(data, dict):
        return {prefix.rstrip(".") or "body": BODY_NOT_OBJECT}
    errors = {}
    for name, value in data.items():
        message = check_field(str(name), value)
        if message is not None:
            errors[f"{prefix}{name}"] = message
    return errors


def body_errors(data):
    """{field: message} of a body of one account or (for user managers) a
    list of them, the fields of the n-th named ``[n].field``."""
    if not isinstance(data, list):
        return account_errors(data)
    errors = {}
    if not data:
        return {"body": BODY_NOT_OBJECT}
    for position, item in enumerate(data):
        errors.update(account_errors(item, prefix=f"[{position}]."))
    return errors


def change_errors(data):
    """{field: message} of a ``PATCH @users/<id>`` body: its text properties
    and NIF as on creation (roles and portrait are plone.restapi's)."""
    if not isinstance(data, dict):
        return {"body": BODY_NOT_OBJECT}
    errors = {}
    for name, value in data.items():
        if name in ("roles", "portrait", "groups"):
            continue
        if name == NIF_PROPERTY:
            message = check_nif(value, taken=False)
        else:
            message = check_field(str(name), value)
        if message is not None:
            errors[name] = message
    return errors


def refuse(request, errors, message=None):
    request.response.setStatus(400)
    message = message or Message(NOT_CREATED, mapping={"fields": ", ".join(errors)})
    return error_body(request, "BadRequest", message, errors)


class CheckedUsersPost(UsersPost):
    """plone.restapi's ``POST @users``, all or nothing."""

    def reply(self):
        if not self.params and not self.request.form:
            errors = body_errors(json_body(self.request))
            if errors:
                return refuse(self.request, errors)
        try:
            result = super().reply()
        except (OSError, smtplib.SMTPException):
            # The mail with the link to set the password could not be sent
            # (no mail server, or it refused): without it the citizen could
            # never log in, so no account is kept either.
            transaction.doom()
            logger.exception("self-registration: the mail could not be sent")
            self.request.response.setStatus(503)
            self.request.response.setHeader("Retry-After", str(MAIL_RETRY_SECONDS))
            return error_body(self.request, "ServiceUnavailable", MAIL_UNAVAILABLE)
        if self.request.response.getStatus() >= 400:
            transaction.doom()
        return result


class CheckedUsersPatch(UsersPatch):
    """plone.restapi's ``PATCH @users/<id>``: the same checks, all or
    nothing."""

    def reply(self):
        errors = change_errors(json_body(self.request))
        if errors:
            message = Message(NOT_CHANGED, mapping={"fields": ", ".join(errors)})
            return refuse(self.request, errors, message)
        result = super().reply()
        if self.request.response.getStatus() >= 400:
            transaction.doom()
        return result


@implementer(ISerializeToJson)
@adapter(IMemberData, IPaeriaEgovLayer)
class SerializeUserWithNif(SerializeUserToJson):
    """``GET @users/<id>``: plone.restapi's user JSON, plus the NIF/NIE (a
    member property, not a field of Plone's user data schema), for whoever
    may read the account: the citizen and the site's user managers."""

    def __call__(self):
        data = super().__call__()
        data[NIF_PROPERTY] = self.context.getProperty(NIF_PROPERTY, "") or None
        return data
