"""How a refusal reaches the user, whatever door the request came through.

Plone's content_status_modify (the state menu, the "Advanced…" form), the
delete and rename forms let the exception through; Plone's error page would
say "there seems to be an error" (with a traceback to managers), and Zope
would answer 500: it derives the status from the exception class's name,
which it knows only for its own classes. This exception view, registered for
:mod:`paeria.egov.workflow.errors`' refusals only (nothing of Plone is
overridden), takes a browser back to the object with the messages as error
messages, and answers a JSON client with a 400/403 carrying them in the one
error body of the REST toolkit (restapi/service.py), whichever endpoint,
plone.restapi's own included, the refusal came through. The publisher has
aborted the transaction: nothing changed.
"""

from paeria.egov.restapi.service import error_body
from plone import api
from plone.rest.interfaces import IAPIRequest
from Products.Five import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
import json


class RefusalView(BrowserView):
    def __call__(self):
        refusal = self.context
        response = self.request.response
        if IAPIRequest.providedBy(self.request):
            data = error_body(
                self.request, refusal.error_type, refusal.text(self.request)
            )
            # Locked: later error handling would set Zope's status for the class.
            response.setHeader("Content-Type", "application/json")
            response.setStatus(refusal.status, lock=True)
            response.setBody(json.dumps(data, indent=2, sort_keys=True), lock=True)
            return None
        messages = IStatusMessage(self.request)
        for message in refusal.messages:
            messages.add(message, type="error")
        response.redirect(refusal.url or api.portal.get().absolute_url(), lock=True)
        return ""
