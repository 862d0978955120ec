"""A citizen's NIF/NIE on their Plone user: asked on the registration form,
validated, normalised, one account per NIF/NIE, and never changed by the
citizen once set.

The NIF is the member property ``nif`` (profiles/default/
memberdata_properties.xml). Whatever door writes it (the registration form,
"Mi perfil", plone.restapi's ``POST``/``PATCH @users``, Python),
``setMemberProperties`` notifies PAS's ``PropertiesUpdated`` and
:func:`guard_nif_property` checks the new value there: a valid NIF or NIE,
normalised, not another account's, and not replacing the account's own one
unless a user manager does it. A refusal raises ``BadRequest``, which aborts
the whole request (a REST client gets a 400 and no account is created). The
forms check the same first, so that a citizen sees the message under the field.

Uniqueness is kept in :class:`NifIndex`, two OOBTrees in the site's
annotations (NIF -> user id, user id -> NIF): PAS property sheets cannot be
searched by value without reading every user. Two accounts claiming the same
NIF at once write the same BTree key: ZODB refuses to merge that, the later
request is retried and then refused; different NIFs merge without conflict.
"""

from AccessControl import getSecurityManager
from BTrees.OOBTree import OOBTree
from paeria.egov import _
from paeria.egov.validators.constraints import FieldValueError
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import guess_identifier_type
from paeria.egov.validators.identifiers import NIE
from paeria.egov.validators.identifiers import NIF
from paeria.egov.validators.identifiers import validate_identifier
from persistent import Persistent
from plone import api
from plone.app.users.browser.account import AccountPanelSchemaAdapter
from plone.z3cform.fieldsets.extensible import FormExtender
from z3c.form import field
from z3c.form.interfaces import DISPLAY_MODE
from zExceptions import BadRequest
from zope import schema
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import Interface
import contextlib
import copy


NIF_PROPERTY = "nif"
ANNOTATION_KEY = "paeria.egov.sede.nif_index"
# Who may set another NIF on an account that has one (a typo at the counter).
MANAGE_USERS = "Manage users"

NIF_KIND = _(
    "error_nif_kind",
    default="Give a NIF (8 digits and a letter, e.g. 12345678Z) or a NIE (X, Y or "
    "Z, 7 digits and a letter).",
)
NIF_TAKEN = _(
    "error_nif_taken",
    default="An account with this NIF/NIE already exists. If it is yours, log in "
    "or ask for a new password.",
)
NIF_IMMUTABLE = _(
    "error_nif_immutable",
    default="The NIF/NIE of an account cannot be changed once registered; ask the "
    "council if it is wrong.",
)


def normalise_nif(value):
    """The canonical NIF or NIE (``12345678Z``, ``X1234567L``), None when
    empty; raises InvalidIdentifier for anything else (a CIF or a passport
    number is not a citizen's account identifier)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidIdentifier(NIF_KIND, kind=NIF)
    if not value.strip():
        return None
    kind = guess_identifier_type(value)
    if kind not in (NIF, NIE):
        raise InvalidIdentifier(NIF_KIND, kind=NIF)
    return validate_identifier(kind, value)


def identifier_type(nif):
    return guess_identifier_type(nif)


class NifIndex(Persistent):
    """NIF -> user id and user id -> NIF."""

    def __init__(self):
        self.by_nif = OOBTree()
        self.by_user = OOBTree()


def nif_index(create=False):
    annotations = IAnnotations(api.portal.get())
    index = annotations.get(ANNOTATION_KEY)
    if index is None and create:
        index = annotations[ANNOTATION_KEY] = NifIndex()
    return index


def owner_of(nif):
    """The user id registered with ``nif`` (canonical), or None."""
    index = nif_index()
    return index.by_nif.get(nif) if index is not None and nif else None


def nif_of(userid):
    """The NIF of ``userid``, as the index knows it."""
    index = nif_index()
    return index.by_user.get(userid) if index is not None and userid else None


def _refuse(message):
    raise BadRequest(translate(message, context=getRequest()))


def guard_nif_property(event):
    """PAS ``PropertiesUpdated``: the ``nif`` just written must be a valid NIF or
    NIE, nobody else's, and, once an account has one, only a user manager
    replaces it. Stores the canonical form and keeps the index."""
    if NIF_PROPERTY not in (event.properties or {}):
        return
    member = event.principal
    userid = member.getId()
    raw = event.properties[NIF_PROPERTY]
    try:
        new = normalise_nif(raw)
    except InvalidIdentifier as error:
        _refuse(error.args[0])
    index = nif_index(create=True)
    old = index.by_user.get(userid)
    if new != old:
        _change_nif(index, userid, old, new)
    if raw != (new or ""):
        # Store the canonical form; this notifies again and finds it unchanged.
        member.setMemberProperties({NIF_PROPERTY: new or ""}, force_empty=True)


def _change_nif(index, userid, old, new):
    """Move ``userid`` from NIF ``old`` to ``new`` (either may be None) in the
    index; refuses replacing a NIF without user-manager rights and taking
    someone else's."""
    portal = api.portal.get()
    if old is not None and not getSecurityManager().checkPermission(
        MANAGE_USERS, portal
    ):
        _refuse(NIF_IMMUTABLE)
    if new is not None:
        owner = index.by_nif.get(new)
        if owner is not None and owner != userid:
            _refuse(NIF_TAKEN)
        index.by_nif[new] = userid
        index.by_user[userid] = new
    if old is not None:
        if index.by_nif.get(old) == userid:
            del index.by_nif[old]
        if new is None:
            del index.by_user[userid]


def forget_deleted_user(event):
    """PAS ``PrincipalDeleted`` (its principal is the id): free the NIF."""
    userid = event.principal
    index = nif_index()
    if index is None or not isinstance(userid, str):
        return
    nif = index.by_user.get(userid)
    if nif is None:
        return
    del index.by_user[userid]
    if index.by_nif.get(nif) == userid:
        del index.by_nif[nif]


# -- forms ------------------------------------------------------------------------


def check_nif(value):
    """Field constraint: a valid NIF/NIE that no account has yet."""
    try:
        nif = normalise_nif(value)
    except InvalidIdentifier as error:
        raise FieldValueError(error.args[0]) from None
    if nif is not None and owner_of(nif) is not None:
        raise FieldValueError(NIF_TAKEN)
    return True


class INifSchema(Interface):
    nif = schema.TextLine(
        title=_("label_nif", default="NIF / NIE"),
        description=_(
            "help_nif",
            default="Your DNI number with its letter, or your NIE. One account per "
            "NIF/NIE; it cannot be changed once registered.",
        ),
        max_length=20,
        constraint=check_nif,
        required=True,
    )


class NifPanelAdapter(AccountPanelSchemaAdapter):
    """Reads and writes ``nif`` on the member, canonical (the forms' content;
    plone.app.users' registration form sets ``context`` to the new member)."""

    schema = INifSchema

    @property
    def nif(self):
        return self._getProperty(NIF_PROPERTY)

    @nif.setter
    def nif(self, value):
        # An invalid one is refused by guard_nif_property with its message.
        with contextlib.suppress(InvalidIdentifier):
            value = normalise_nif(value)
        self._setProperty(NIF_PROPERTY, value or "")


def _nif_field(required):
    nif = copy.copy(INifSchema[NIF_PROPERTY])
    nif.required = required
    return field.Fields(nif)


class RegistrationNifExtender(FormExtender):
    """plone.app.users' @@register (and the managers' @@new-user): the NIF,
    after the e-mail; required when a citizen registers, and their full name
    too (it is the interested party's name in what they file)."""

    def update(self):
        citizen_form = self.form.__name__ == "register"
        self.add(_nif_field(required=citizen_form))
        if "email" in self.form.fields:
            self.move(NIF_PROPERTY, after="email")
        if citizen_form and "fullname" in self.form.fields:
            # The schema's fields are copies made for this request.
            self.form.fields["fullname"].field.required = True


class ProfileNifExtender(FormExtender):
    """ "Mi perfil" (@@personal-information, and the managers' @@user-information):
    the NIF is shown, read-only once the account has one; an account without
    one may set it once."""

    def update(self):
        fields = _nif_field(required=False)
        if nif_of(self._member_id()) or self._member_nif():
            fields[NIF_PROPERTY].mode = DISPLAY_MODE
        self.add(fields)
        if "email" in self.form.fields:
            self.move(NIF_PROPERTY, after="email")

    def _member(self):
        return getattr(self.form, "member", None)

    def _member_id(self):
        member = self._member()
        return member.getId() if member is not None else None

    def _member_nif(self):
        member = self._member()
        return member.getProperty(NIF_PROPERTY, "") if member is not None else ""


# -- who is filing ----------------------------------------------------------------


class Citizen:
    """The logged-in user as an interested party."""

    def __init__(self, user):
        self.user = user
        self.userid = user.getId()
        self.nif = (user.getProperty(NIF_PROPERTY, "") or "").strip().upper() or None
        self.identifier_type = identifier_type(self.nif) if self.nif else None
        self.fullname = (user.getProperty("fullname", "") or "").strip() or None
        self.email = (user.getProperty("email", "") or "").strip() or None


def current_citizen():
    """The current user as a :class:`Citizen`, or None when anonymous."""
    if api.user.is_anonymous():
        return None
    return Citizen(api.user.get_current())
