"""``@search`` refuses a batch position or size that is not a whole number
with a 400 naming it (plone.restapi's own service answers 500)."""

from paeria.egov import _
from paeria.egov.restapi.service import error_body
from plone.restapi.services.search.get import SearchGet


BATCH_PARAMETERS = ("b_start", "b_size")


class CheckedSearchGet(SearchGet):
    def reply(self):
        for name in BATCH_PARAMETERS:
            value = self.request.form.get(name)
            if value is not None and not (
                isinstance(value, str) and value.strip().isdigit()
            ):
                message = _(
                    "error_search_batch",
                    default="${name} must be a whole number.",
                    mapping={"name": name},
                )
                self.request.response.setStatus(400)
                return error_body(self.request, "BadRequest", message, {name: message})
        return super().reply()
