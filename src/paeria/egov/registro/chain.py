"""The documents of a register entry follow the entry's workflow.

A Documento is bound to ``paeria_documento_workflow`` (a draft that the unit's
staff may edit); one registered inside an Asiento (marked
:class:`IRegisteredDocument` before it is added) is a record of what was filed
and takes ``paeria_asiento_workflow`` instead, where nobody may modify or
delete it. Plone asks this adapter, more specific than its own for every
object, for the chain of such documents only.
"""

from paeria.egov import _
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.states import Asiento
from plone import api
from plone.base.interfaces import IWorkflowChain
from Products.CMFCore.interfaces import IWorkflowTool
from zope.component import adapter
from zope.interface import implementer


ASIENTO_WORKFLOW = "paeria_asiento_workflow"


@adapter(IRegisteredDocument, IWorkflowTool)
@implementer(IWorkflowChain)
def registered_document_chain(context, workflow_tool):
    return (ASIENTO_WORKFLOW,)


class AsientoPreconditions:
    """``distribuir`` needs a unit to distribute to (a subscription adapter of
    paeria.egov.workflow.rules.ITransitionPrecondition)."""

    def __init__(self, context):
        self.context = context

    def __call__(self, transition_id, comment=""):
        if transition_id != Asiento.DISTRIBUIR:
            return []
        if self.context.unidad_distribucion or self.context.unidad_destino:
            return []
        return [
            _(
                "error_distribuir_without_unit",
                default="The entry ${numero} has no destination unit: name the "
                "unit to distribute it to.",
                mapping={"numero": self.context.numero},
            )
        ]


class RegisteredDocumentPreconditions:
    """A registered document moves only with its entry: after it."""

    def __init__(self, context):
        self.context = context

    def __call__(self, transition_id, comment=""):
        entry = self.context.__parent__
        if IAsiento.providedBy(entry) and (
            api.content.get_state(entry, default=None) == Asiento.DISTRIBUIDO
        ):
            return []
        return [
            _(
                "error_registered_document_transition",
                default="The documents of a register entry follow their entry: "
                "distribute the entry instead.",
            )
        ]
