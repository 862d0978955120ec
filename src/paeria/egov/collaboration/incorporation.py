"""Documents received from outside the unit, incorporated as presented.

The citizen's documents added during subsanacion and another unit's report
are not the unit's to sign: the Documento transition ``incorporar`` (borrador
→ incorporado) takes them into the expediente as they were received. From
then on they are records like a signed document: the workflow gives nobody
Modify or Delete (Manager included), and these subscribers refuse what
reaches the object by another path — a new file (the bytes are those of the
fingerprint recorded when incorporated), a delete, a move or a rename. They
may be annulled (kept, with the reason).

Incorporation happens by itself, as the system (the user who caused it stays
the actor in the workflow history): ``emitir`` incorporates the report
document (requests.py), and the expediente leaving subsanacion incorporates
the drafts the Interesado added.
"""

from Acquisition import aq_base
from paeria.egov import _
from paeria.egov.content.documento import IDocumento
from paeria.egov.fingerprints import fingerprint_of
from paeria.egov.fingerprints import matches_fingerprint
from paeria.egov.states import Documento
from paeria.egov.states import Expediente
from paeria.egov.workflow.errors import RecordImmutable
from paeria.egov.workflow.rules import documents_of
from paeria.egov.workflow.rules import ITransitionPrecondition
from paeria.egov.workflow.rules import Preconditions
from plone import api
from zope.component import adapter
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import implementer


CITIZEN_ROLE = "Interesado"


def state_of(obj):
    return api.content.get_state(obj, default=None)


def incorporate(documento, comment=""):
    """Take the draft ``documento`` into its expediente as presented, whoever
    the current user is (as the system: the transition's guard is the unit's,
    the cause is not). Documents in any other state are left alone."""
    if state_of(documento) != Documento.BORRADOR:
        return False
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(
            obj=documento, transition=Documento.INCORPORAR, comment=comment
        )
    return True


def owner_id(obj):
    owner = obj.getOwnerTuple()
    return owner[1] if owner else None


def incorporate_citizen_documents(expediente, event):
    """IAfterTransitionEvent of an expediente: leaving subsanacion (``subsanar``,
    or ``resolver`` straight from it) incorporates the drafts the citizen
    added, so they neither stay editable by staff nor block ``cerrar``."""
    if event.transition is None or event.old_state is None:
        return
    if event.old_state.getId() != Expediente.SUBSANACION:
        return
    citizens = {
        principal
        for principal, roles in expediente.get_local_roles()
        if CITIZEN_ROLE in roles
    }
    if not citizens:
        return
    comment = translate(
        _(
            "comment_incorporated_on_subsanar",
            default="Document presented by the interested party during the "
            "correction period, incorporated as presented.",
        ),
        context=getRequest(),
    )
    for brain in documents_of(
        expediente, review_state=Documento.BORRADOR, sort_on="orden"
    ):
        documento = brain._unrestrictedGetObject()
        if owner_id(documento) in citizens:
            incorporate(documento, comment)


# -- what no transition may undo ---------------------------------------------------


def record_incorporated_bytes(documento, event):
    """IAfterTransitionEvent: the fingerprint of the bytes as incorporated."""
    if event.new_state is not None and event.new_state.getId() == Documento.INCORPORADO:
        documento.huella_incorporada = fingerprint_of(documento)


def protect_incorporated_bytes(documento, event):
    """IObjectModifiedEvent: an incorporated document's bytes are those it was
    received with, whatever path the change took."""
    recorded = getattr(aq_base(documento), "huella_incorporada", None)
    if recorded is None:
        return
    current = fingerprint_of(documento)
    if current != recorded:
        raise RecordImmutable(
            _(
                "error_documento_incorporated_bytes",
                default="The document “${title}” was incorporated as presented: "
                "its file cannot change.",
                mapping={"title": documento.Title()},
            ),
            url=documento.absolute_url(),
        )


def forget_incorporation_of_copy(documento, event):
    """IObjectCopiedEvent: the copy is a new draft."""
    if "huella_incorporada" in documento.__dict__:
        del documento.huella_incorporada


@implementer(ITransitionPrecondition)
@adapter(IDocumento)
class IncorporationPreconditions(Preconditions):
    def check_incorporar(self, comment):
        documento = self.context
        if documento.file is None:
            yield _(
                "error_incorporar_without_file",
                default="The document has no file to incorporate.",
            )
        elif not matches_fingerprint(documento):
            yield _(
                "error_incorporar_fingerprint_mismatch",
                default="The document's file does not match its recorded "
                "fingerprint: it cannot be incorporated.",
            )
