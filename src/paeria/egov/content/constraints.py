"""Turn the validators' errors into schema validation errors that both the
Classic UI forms (a message under the field) and plone.restapi (a 400 naming
the field) understand."""

from paeria.egov.validators import InvalidIdentifier
from zope.schema import ValidationError


class FieldValueError(ValidationError):
    """A value refused with a readable, translatable message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def doc(self):
        return self.message

    def __str__(self):
        from paeria.egov.validators import render_message

        return render_message(self.message)


def checked(validator):
    """A zope.schema constraint running ``validator`` (which raises
    InvalidIdentifier) and failing with its message."""

    def constraint(value):
        try:
            validator(value)
        except InvalidIdentifier as error:
            raise FieldValueError(error.args[0]) from None
        return True

    constraint.__name__ = getattr(validator, "__name__", "constraint")
    return constraint
