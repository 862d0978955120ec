"""POST @workflow/<transition> answering who may not with a 401/403.

plone.restapi answers every transition the workflow does not offer the user
with a 400 ``WorkflowException`` ("No workflow provides the '…' action"),
whether the transition does not leave the object's state or the user's role
lacks it. A client cannot tell "not now" from "not you", and a permission
refusal is not a bad request. Here, before anything is touched:

- a transition the object's workflows do not have, or that does not leave its
  current state, is a 400 saying so;
- one whose guard the user does not pass is a 401 (anonymous) or 403;
- a business-rule refusal (:class:`paeria.egov.workflow.errors.
  TransitionRefused`, raised by the preconditions while transitioning) stays
  the 400 plone.restapi gives it, with the violations.

The user must see the object to reach the service at all (zope2.View), so
naming its state tells them nothing new. Any refusal dooms the transaction:
plone.restapi stamps the effective date before transitioning and, with
``include_children``, may have moved children already.
"""

from paeria.egov import _
from paeria.egov.restapi.service import error_body
from plone import api
from plone.restapi.services.workflow.transition import (
    WorkflowTransition as BaseWorkflowTransition,
)
from zope.i18n import translate
import transaction


class WorkflowTransition(BaseWorkflowTransition):
    def reply(self):
        if self.transition is not None:
            refusal = self.refusal()
            if refusal is not None:
                return self.refuse(*refusal)
        result = super().reply()
        if self.request.response.getStatus() >= 400:
            transaction.doom()
        return result

    def refuse(self, status, error_type, message):
        transaction.doom()
        self.request.response.setStatus(status)
        return error_body(self.request, error_type, message)

    def refusal(self):
        """(status, error type, message) when the transition may not be taken
        on the context by this user; None when the workflow allows it (its
        business rules are checked while transitioning)."""
        obj = self.context
        workflows = self.wftool.getWorkflowsFor(obj)
        if not workflows:
            return None  # plone.restapi's answer: no workflow, no transition
        for workflow in workflows:
            definition = workflow.transitions.get(self.transition)
            if definition is None:
                continue
            state = workflow._getWorkflowStateOf(obj)
            if state is None or self.transition not in state.transitions:
                return (
                    400,
                    "WorkflowException",
                    _(
                        "error_transition_not_from_state",
                        default="The transition “${transition}” cannot be taken "
                        "from the state “${state}”.",
                        mapping={
                            "transition": self.title_of(definition),
                            "state": self.title_of(state),
                        },
                    ),
                )
            if workflow.isActionSupported(obj, self.transition):
                return None
            anonymous = api.user.is_anonymous()
            return (
                401 if anonymous else 403,
                "Unauthorized" if anonymous else "Forbidden",
                _(
                    "error_transition_not_permitted",
                    default="You are not allowed to take the transition "
                    "“${transition}” on “${title}”.",
                    mapping={
                        "transition": self.title_of(definition),
                        "title": obj.Title() or obj.getId(),
                    },
                ),
            )
        return (
            400,
            "WorkflowException",
            _(
                "error_transition_unknown",
                default="There is no transition “${transition}” in the workflow "
                "of “${title}”.",
                mapping={
                    "transition": self.transition,
                    "title": obj.Title() or obj.getId(),
                },
            ),
        )

    def title_of(self, definition):
        """A state's or transition's title in the user's language (workflow
        titles are translated in the plone domain, as Plone's menus do)."""
        title = definition.title or definition.getId()
        return translate(title, domain="plone", context=self.request)
