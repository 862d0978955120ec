"""Turn the validators' errors into schema validation errors that both the
Classic UI forms (a message under the field) and plone.restapi (a 400 naming
the field) understand."""

from paeria.egov import _
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.errors import render_message
from paeria.egov.vocabularies.codes import CODE_LISTS
from zope.schema import ValidationError


class FieldValueError(ValidationError):
    """A value refused with a readable, translatable message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def doc(self):
        return self.message

    def __str__(self):
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


def known_code(vocabulary_name):
    """A constraint for a Choice of one of the ENI code lists (vocabularies/codes.py).

    zope.schema refuses a value outside the vocabulary with a bare "Constraint
    not satisfied"; a constraint runs before that check, so an unknown code
    (``TD77``) is refused here with a message that lists the accepted ones."""
    codes = tuple(code for code, title in CODE_LISTS[vocabulary_name])

    def constraint(value):
        if value not in codes:
            raise FieldValueError(
                _(
                    "error_unknown_code",
                    default="${value} is not an accepted value: use one of ${codes}.",
                    mapping={"value": str(value)[:40], "codes": ", ".join(codes)},
                )
            )
        return True

    constraint.__name__ = "known_code"
    return constraint
