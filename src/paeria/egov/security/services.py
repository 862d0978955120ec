"""``@search`` refuses a batch position or size that is not a whole number
with a 400 naming it (plone.restapi's own service answers 500)."""

from paeria.egov import _
from plone.restapi.services.search.get import SearchGet
from zope.i18n import translate


BATCH_PARAMETERS = ("b_start", "b_size")


class CheckedSearchGet(SearchGet):
    def reply(self):
        for name in BATCH_PARAMETERS:
            value = self.request.form.get(name)
            if value is not None and not (
                isinstance(value, str) and value.strip().isdigit()
            ):
                message = translate(
                    _(
                        "error_search_batch",
                        default="${name} must be a whole number.",
                        mapping={"name": name},
                    ),
                    context=self.request,
                )
                self.request.response.setStatus(400)
                return {
                    "error": {
                        "type": "BadRequest",
                        "message": message,
                        "fields": {name: message},
                    }
                }
        return super().reply()
