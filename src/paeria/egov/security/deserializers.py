"""plone.restapi field deserializers that check the JSON type first.

The stock ones trust it: a list for a Choice fails deep in the vocabulary
lookup (500), a number for a file or a date too, a file object without data
is taken as "no change" even when there is nothing to keep, and a TextLine
takes control characters (which then break the ENI XML export). These
subclasses, registered for our browser layer, refuse such values with a
``ValueError`` naming what is wrong, which plone.restapi answers as a 400 for
that field; the rest is the stock behaviour. A date its schema sets once (a
document's capture date) is refused when a client tries to change it.
"""

from datetime import UTC
from paeria.egov import _
from paeria.egov import spooling
from paeria.egov import uploads
from paeria.egov.content.documento import SET_ONCE
from paeria.egov.validators.text import has_control_chars
from plone.restapi.deserializer.dxfields import ChoiceFieldDeserializer
from plone.restapi.deserializer.dxfields import DatetimeFieldDeserializer
from plone.restapi.deserializer.dxfields import DefaultFieldDeserializer
from plone.restapi.deserializer.dxfields import NamedFieldDeserializer
from plone.restapi.deserializer.dxfields import TextLineFieldDeserializer
from zope.i18n import translate


SCALARS = (str, int, float, bool)


class Refusing:
    def refuse(self, message):
        raise ValueError(translate(message, context=self.request))


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
            return  # creation: not set yet
        if result is None or _instant(result) != _instant(stored):
            self.refuse(
                _(
                    "error_set_once",
                    default="It was set when the document was added and cannot "
                    "be changed.",
                )
            )


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
                    default="The text has control characters; remove them.",
                )
            )
        return super().__call__(value)


class GuardedTextLineDeserializer(RefusingControlCharacters, TextLineFieldDeserializer):
    """One line of text (titles, codes)."""


class GuardedTextDeserializer(RefusingControlCharacters, DefaultFieldDeserializer):
    """Text of several lines: tab, line feed and carriage return stay."""
