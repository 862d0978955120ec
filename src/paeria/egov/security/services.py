"""``@search`` answers a query it cannot read with a 400 naming the parameter:
plone.restapi's own service answers 500 to a batch position, size or
``sort_limit`` that is not a whole number, to an index option of the wrong type
(``path.depth=x``) and to a date that does not exist, all the caller's
mistakes."""

from DateTime.interfaces import DateTimeError
from paeria.egov import _
from paeria.egov.restapi.service import error_body
from plone.restapi.exceptions import QueryParsingError
from plone.restapi.services.search.get import SearchGet


#: Parameters of the search itself (not of an index) that must be whole numbers.
WHOLE_NUMBER_PARAMETERS = ("b_start", "b_size", "sort_limit")


def not_a_whole_number(form):
    """The first of WHOLE_NUMBER_PARAMETERS in ``form`` that is not a whole
    number, or None."""
    for name in WHOLE_NUMBER_PARAMETERS:
        value = form.get(name)
        if value is not None and not (
            isinstance(value, str) and value.strip().isdigit()
        ):
            return name
    return None


class CheckedSearchGet(SearchGet):
    def reply(self):
        name = not_a_whole_number(self.request.form)
        if name is not None:
            message = _(
                "error_search_batch",
                default="${name} must be a whole number.",
                mapping={"name": name},
            )
            return self.refuse(message, {name: message})
        try:
            return super().reply()
        except (QueryParsingError, DateTimeError) as error:
            # Raised while the query is parsed, before the catalog is searched:
            # its text names the index and the value (plone.restapi's words),
            # or the date DateTime could not read (which plone.restapi's
            # parser lets through when it is a DateError, "2026-13-45").
            message = _(
                "error_search_query",
                default="The search cannot be read: ${reason}",
                mapping={"reason": str(error)},
            )
            return self.refuse(message)

    def refuse(self, message, fields=None):
        self.request.response.setStatus(400)
        return error_body(self.request, "BadRequest", message, fields)
