"""``@search`` answers a query it cannot read with a 400 naming the parameter:
plone.restapi's own service answers 500 to a batch position, size or
``sort_limit`` that is not a whole number, to an index option of the wrong type
(``path.depth=x``) and to a date that does not exist, all the caller's
mistakes; and to search text that is only operators or symbols."""

from DateTime.interfaces import DateTimeError
from paeria.egov import _
from paeria.egov.restapi.service import error_body
from paeria.egov.restapi.service import NOT_A_WHOLE_NUMBER
from paeria.egov.restapi.service import not_a_whole_number
from plone.restapi.exceptions import QueryParsingError
from plone.restapi.interfaces import IZCatalogCompatibleQuery
from plone.restapi.search.utils import unflatten_dotted_dict
from plone.restapi.services.search.get import SearchGet
from Products.ZCTextIndex.ParseTree import ParseError
from zope.component import getMultiAdapter
from zope.i18nmessageid import Message


#: What parsing a query raises on a value of the wrong type: plone.restapi's
#: QueryParsingError, and DateTime's DateError, which its parser lets through
#: ("2026-13-45"). Both come before the catalog is searched.
UNREADABLE_QUERY = (QueryParsingError, DateTimeError)

#: Text indexes, whose query is parsed as words and operators when searched:
#: a lone operator (``" OR 1=1 --"``) or no word at all raises ParseError.
TEXT_INDEXES = ("SearchableText", "Title", "Description")


class CheckedSearchGet(SearchGet):
    def reply(self):
        name = not_a_whole_number(self.request.form)
        if name is not None:
            message = Message(NOT_A_WHOLE_NUMBER, mapping={"name": name})
            return self.refuse(message, {name: message})
        try:
            return super().reply()
        except ParseError:
            name = next((n for n in TEXT_INDEXES if n in self.request.form), None)
            message = _(
                "error_search_words",
                default="${name} cannot be read as words to search: give words, "
                "not only operators (AND, OR, NOT) or symbols.",
                mapping={"name": name or "SearchableText"},
            )
            return self.refuse(message, {name: message} if name else None)
        except UNREADABLE_QUERY:
            name = self.unreadable_parameter()
            if name is None:
                return self.refuse(
                    _(
                        "error_search_unreadable",
                        default="The search cannot be read: a value is not of "
                        "the type it needs.",
                    )
                )
            message = _(
                "error_search_query",
                default="${name} cannot be read: its value is not of the type "
                "the search needs.",
                mapping={"name": name},
            )
            return self.refuse(message, {name: message})

    def unreadable_parameter(self):
        """The first parameter of the query that cannot be parsed alone, or
        None. Named by trying each, since plone.restapi's error names the
        index by its object's representation, which must not be shown."""
        parse = getMultiAdapter((self.context, self.request), IZCatalogCompatibleQuery)
        query = unflatten_dotted_dict(self.request.form.copy())
        for name, value in query.items():
            try:
                parse({name: value})
            except UNREADABLE_QUERY:
                return name
        return None

    def refuse(self, message, fields=None):
        self.request.response.setStatus(400)
        return error_body(self.request, "BadRequest", message, fields)
