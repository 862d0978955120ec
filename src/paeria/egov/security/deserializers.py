"""plone.restapi field deserializers that check the JSON type first.

The stock ones trust it: a list for a Choice fails deep in the vocabulary
lookup (500), a number for a file or a date too, text for a list of rows
(interested parties) too, a file object without data is taken as "no change"
even when there is nothing to keep, an unknown file ``encoding`` fails while
decoding, and a TextLine takes control characters and lone surrogates (which
then break the ENI XML export and the catalog). These subclasses, registered
for our browser layer, refuse such values with a ``ValueError`` naming what is
wrong, which plone.restapi answers as a 400 for that field; the rest is the
stock behaviour. Whatever they let through that still fails while being read
is refused the same way (:func:`never_crashing`), not answered with a 500. A
date its schema sets once (a document's capture date) is refused when a client
tries to change it, or when it is implausible (before 1900, in the future).
"""

from datetime import timedelta
from datetime import UTC
from paeria.egov import _
from paeria.egov import clock
from paeria.egov import spooling
from paeria.egov import uploads
from paeria.egov.content.documento import SET_ONCE
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.expediente import procedure_problem
from paeria.egov.validators.text import has_control_chars
from plone.dexterity.utils import iterSchemata
from plone.restapi.deserializer import json_body
from plone.restapi.deserializer.dxcontent import DeserializeFromJson
from plone.restapi.deserializer.dxfields import ChoiceFieldDeserializer
from plone.restapi.deserializer.dxfields import CollectionFieldDeserializer
from plone.restapi.deserializer.dxfields import DatetimeFieldDeserializer
from plone.restapi.deserializer.dxfields import DefaultFieldDeserializer
from plone.restapi.deserializer.dxfields import NamedFieldDeserializer
from plone.restapi.deserializer.dxfields import TextLineFieldDeserializer
from plone.restapi.interfaces import IFieldSerializer
from plone.restapi.serializer.converters import json_compatible
from zExceptions import BadRequest
from zope.component import queryMultiAdapter
from zope.i18n import translate
from zope.schema import getFields
from zope.schema import getFieldsInOrder
from zope.schema.interfaces import ValidationError
import codecs
import functools


SCALARS = (str, int, float, bool)


# Dates the portal takes: older ones are typing mistakes (0001-01-01) that
# overflow time zone arithmetic and date indexes further on.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
# A capture date a client gives may run ahead of the server's clock by this much.
CLOCK_SKEW = timedelta(minutes=5)
COMPUTED = _(
    "error_json_computed",
    default="The portal computes this value; it cannot be set.",
)
UNREADABLE = _(
    "error_json_unreadable",
    default="This value cannot be read for this field.",
)


class Refusing:
    def refuse(self, message):
        raise ValueError(translate(message, context=self.request))


def never_crashing(cls):
    """``cls`` whose deserializing refuses (400 for the field) a value that
    makes the stock code fail with a programming error instead of a
    ValueError: what a client sends is never a 500."""
    call = cls.__call__

    @functools.wraps(call)
    def deserialize(self, value):
        try:
            return call(self, value)
        except (ValueError, ValidationError):
            raise
        except (AttributeError, TypeError, LookupError, OverflowError):
            self.refuse(UNREADABLE)

    cls.__call__ = deserialize
    return cls


@never_crashing
class GuardedChoiceDeserializer(Refusing, ChoiceFieldDeserializer):
    def __call__(self, value):
        if isinstance(value, dict) and "token" not in value:
            token = value  # an object is only accepted as {"token": …}
        else:
            token = value.get("token") if isinstance(value, dict) else value
        if token is not None and not isinstance(token, SCALARS):
            self.refuse(
                _(
                    "error_json_choice",
                    default="Give one of the accepted values, as text.",
                )
            )
        return super().__call__(value)


def _instant(value):
    """An aware datetime; a naive one is UTC, as plone.restapi reads it."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value


@never_crashing
class GuardedDatetimeDeserializer(Refusing, DatetimeFieldDeserializer):
    def __call__(self, value):
        if value is not None and not isinstance(value, str):
            self.refuse(
                _(
                    "error_json_datetime",
                    default="Give the date and time as text (ISO 8601).",
                )
            )
        result = super().__call__(value)
        if result is not None and not EARLIEST_YEAR <= result.year <= LATEST_YEAR:
            self.refuse(
                _(
                    "error_json_datetime_range",
                    default="Give a date between the years ${earliest} and ${latest}.",
                    mapping={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
                )
            )
        self.refuse_changing_set_once(result)
        return result

    def refuse_changing_set_once(self, result):
        """A field its schema sets once (``SET_ONCE``, the capture date) may be
        sent back as it is, never changed: a 400 naming it, rather than a
        change silently ignored that the client would believe made."""
        name = self.field.__name__
        interface = getattr(self.field, "interface", None)
        if interface is None or name not in (
            interface.queryTaggedValue(SET_ONCE) or ()
        ):
            return
        stored = getattr(self.context, "__dict__", {}).get(name)
        if stored is None:
            # Creation: a door that knows when the document was captured may
            # say so, never a moment still to come.
            if result is not None and _instant(result) > clock.now() + CLOCK_SKEW:
                self.refuse(
                    _(
                        "error_set_once_future",
                        default="A document cannot have been captured in the future.",
                    )
                )
            return
        if result is None or _instant(result) != _instant(stored):
            self.refuse(
                _(
                    "error_set_once",
                    default="It was set when the document was added and cannot "
                    "be changed.",
                )
            )


def decodes_bytes(encoding) -> bool:
    """Whether a file's ``encoding`` is a codec that decodes bytes, as
    plone.restapi applies it (base64, latin-1…): not an unknown name, nor a
    text-to-text codec such as rot13."""
    if encoding is None:
        return True
    try:
        codecs.decode(b"", encoding)
    except (LookupError, TypeError, ValueError):
        return False
    return isinstance(encoding, str)


@never_crashing
class GuardedNamedFieldDeserializer(Refusing, NamedFieldDeserializer):
    def __call__(self, value):
        spooled = (
            uploads.spooled_data(self.request, value.get("data"))
            if isinstance(value, dict)
            else None
        )
        if spooled is not None:
            return self.spooled_file(value, spooled)
        if isinstance(value, dict):
            current = getattr(self.field.context, self.field.__name__, None)
            if "data" not in value and current is None:
                self.refuse(
                    _(
                        "error_json_file_data",
                        default="The file needs its data (and filename and "
                        "content type).",
                    )
                )
            if "data" in value and not isinstance(value["data"], str):
                self.refuse(
                    _("error_json_file_shape", default="The file's data must be text.")
                )
            if not decodes_bytes(value.get("encoding")):
                self.refuse(
                    _(
                        "error_json_file_encoding",
                        default='Unknown file encoding: use "base64" (or leave it '
                        "out for text sent as it is).",
                    )
                )
        elif value is not None and not hasattr(value, "metadata"):
            # Anything but an object or a TUS upload.
            self.refuse(
                _(
                    "error_json_file_shape_object",
                    default="Give the file as an object with data, encoding, "
                    "filename and content-type.",
                )
            )
        return super().__call__(value)

    def spooled_file(self, value, spooled):
        """The file whose data was spooled while the body was read
        (security/subscribers.py): decoded by chunks into the blob, as
        plone.restapi decodes it (base64, lenient; or the text itself)."""
        encoding = value.get("encoding")
        try:
            if encoding == "base64":
                data = spooling.decode_base64(spooled, strict=False)
            elif encoding in (None, "utf-8", "utf8"):
                data = spooling.copy_text(spooled)
            else:
                raise spooling.BadBody()
        except spooling.BadBody:
            self.refuse(
                _(
                    "error_eni_upload_base64",
                    default="The file data is not valid base64.",
                )
            )
        named = self.field._type(
            data=data,
            contentType=value.get("content-type", "application/octet-stream"),
            filename=value.get("filename"),
        )
        self.field.validate(named)
        return named


class RefusingControlCharacters(Refusing):
    def __call__(self, value):
        if isinstance(value, str) and has_control_chars(value):
            self.refuse(
                _(
                    "error_json_control_characters",
                    default="The text has control characters or characters that "
                    "are not valid Unicode; remove them.",
                )
            )
        return super().__call__(value)


@never_crashing
class GuardedTextLineDeserializer(RefusingControlCharacters, TextLineFieldDeserializer):
    """One line of text (titles, codes)."""


@never_crashing
class GuardedTextDeserializer(RefusingControlCharacters, DefaultFieldDeserializer):
    """Text of several lines: tab, line feed and carriage return stay."""


@never_crashing
class GuardedCollectionDeserializer(Refusing, CollectionFieldDeserializer):
    """A list; of objects when its items are rows (interested parties), each
    with the row's required members, named when one is missing."""

    def __call__(self, value):
        if value is not None and not isinstance(value, list):
            self.refuse(_("error_json_list", default="Give a list."))
        row_schema = getattr(self.field.value_type, "schema", None)
        if row_schema is not None and value:
            for position, row in enumerate(value, start=1):
                self.check_row(row_schema, position, row)
        return super().__call__(value)

    def check_row(self, row_schema, position, row):
        if not isinstance(row, dict):
            self.refuse(
                _(
                    "error_json_row_object",
                    default="Item ${position} must be an object.",
                    mapping={"position": position},
                )
            )
        for name, field in getFieldsInOrder(row_schema):
            if field.required and row.get(name) in (None, ""):
                self.refuse(
                    _(
                        "error_json_row_required",
                        default="Item ${position}: ${name} (${title}) is required.",
                        mapping={
                            "position": position,
                            "name": name,
                            "title": translate(field.title, context=self.request),
                        },
                    )
                )


class RefusingComputedFields(DeserializeFromJson):
    """A field the portal computes (``readonly`` in the schema: an expediente's
    number, a document's fingerprint or order) sent with another value than
    the one stored is refused with a 400 naming it, as ``@registrar`` refuses
    a forged number; stock plone.restapi skips it silently, so the client
    would believe it set it. Sending back what a GET gave is accepted. An
    expediente's procedure must be published and of its unit
    (:func:`paeria.egov.content.expediente.procedure_problem`)."""

    def __call__(self, validate_all=False, data=None, create=False, **options):
        if data is None:
            data = json_body(self.request)
        refusals = [(name, COMPUTED) for name in self.forged(data)]
        refusals += self.procedure_refusal(data, create)
        if refusals:
            raise BadRequest(
                [
                    {
                        "field": name,
                        "message": translate(message, context=self.request),
                        "error": "ValidationError",
                    }
                    for name, message in refusals
                ]
            )
        return super().__call__(validate_all, data, create, **options)

    def procedure_refusal(self, data, create):
        """An expediente opened for (or moved to) a procedure that is not
        published or not its unit's: [("procedimiento", why)]."""
        if not IExpediente.providedBy(self.context) or not isinstance(data, dict):
            return []
        uid = data.get("procedimiento")
        if isinstance(uid, dict):
            uid = uid.get("token")
        if not isinstance(uid, str) or (
            not create and uid == getattr(self.context, "procedimiento", None)
        ):
            return []
        problem = procedure_problem(uid, self.context)
        return [("procedimiento", problem)] if problem is not None else []

    def forged(self, data):
        """Names of computed fields in ``data`` with a value that is not the
        stored one, as the field's serializer gives it."""
        if not isinstance(data, dict):
            return []
        names = []
        for schema in iterSchemata(self.context):
            for name, field in getFields(schema).items():
                if not field.readonly or data.get(name) is None:
                    continue
                serializer = queryMultiAdapter(
                    (field, self.context, self.request), IFieldSerializer
                )
                stored = json_compatible(serializer()) if serializer else None
                if data[name] != stored:
                    names.append(name)
        return sorted(set(names))
