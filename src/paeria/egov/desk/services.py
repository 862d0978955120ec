"""``GET <portal>/@mi-mesa``: the staff's desk as JSON, every list batched.

``?b_size=`` (default 10, at most 100) and ``?b_start=`` apply to every
list; ``?list=<id>`` answers that list alone (to page through it). Each list
is ``{"id", "title", "items_total", "b_start", "b_size", "items": [...]}``
with items from brains: ``@id``, ``@type``, ``title``, ``review_state``,
``numero``, ``deadline`` and the list's own date. 401 for anonymous, 403 for
someone who is not staff of any unit, 400 for an unknown ``list`` or a
``b_start``/``b_size`` that is not a whole number."""

from paeria.egov import _
from paeria.egov.desk.desk import desk_lists
from paeria.egov.desk.desk import LIST_IDS
from paeria.egov.desk.desk import NOT_STAFF
from paeria.egov.desk.desk import UNKNOWN_LIST
from paeria.egov.restapi.service import NOT_A_WHOLE_NUMBER
from paeria.egov.restapi.service import not_a_whole_number
from paeria.egov.restapi.service import Service
from plone import api
from plone.restapi.serializer.converters import json_compatible
from zope.i18n import translate
from zope.i18nmessageid import Message


LOG_IN = _("error_desk_log_in", default="Log in to see your desk.")


class MiMesaGet(Service):
    def reply(self):
        if api.user.is_anonymous():
            return self.refuse(401, "Unauthorized", LOG_IN)
        name = not_a_whole_number(self.request.form)
        if name is not None:
            message = Message(NOT_A_WHOLE_NUMBER, mapping={"name": name})
            return self.refuse(400, "BadRequest", message, {name: message})
        only = self.request.form.get("list")
        if only is not None and only not in LIST_IDS:
            message = Message(
                UNKNOWN_LIST, mapping={"list": str(only), "lists": ", ".join(LIST_IDS)}
            )
            return self.refuse(400, "BadRequest", message, {"list": message})
        user_id = api.user.get_current().getId()
        lists = desk_lists(self.request.form, user_id, only=only)
        if lists is None:
            return self.refuse(403, "Forbidden", NOT_STAFF)
        for desk_list in lists:
            desk_list["title"] = translate(desk_list["title"], context=self.request)
        return json_compatible(
            {"@id": f"{api.portal.get().absolute_url()}/@mi-mesa", "lists": lists}
        )
