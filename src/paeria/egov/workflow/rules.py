"""Business preconditions of the workflows' transitions, and their guard.

The DCWorkflow guards check permissions only (who may); whether the case file
allows the transition now (what must hold) is checked here, in Python, and
comes back as readable, translatable violations. Each precondition is a
subscription adapter providing :class:`ITransitionPrecondition` for a type, so
that later features add their own without touching these (the report requests
of another unit will add one refusing ``cerrar`` while a request is pending).

:func:`refuse_violating_transition` enforces them on every door (Classic UI,
plone.restapi, Python) from DCWorkflow's before-transition event:
:class:`TransitionRefused` is a ``BadRequest``, so plone.restapi's @workflow
answers 400 with the violations, and the Classic UI shows them (browser.py).
"""

from paeria.egov import _
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.fingerprints import matches_fingerprint
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Documento
from paeria.egov.states import UNFINISHED_DOCUMENT_STATES
from paeria.egov.workflow.errors import TransitionRefused
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.component import adapter
from zope.component import subscribers
from zope.globalrequest import getRequest
from zope.interface import implementer
from zope.interface import Interface
import transaction


# ENI TipoDocumental of a resolution.
RESOLUTION_TYPE = "TD01"
# Titles named in a violation, at most: the message must stay readable.
MAX_NAMED = 10

REFUSED_KEY = "paeria.egov.workflow.transition_refused"


class ITransitionPrecondition(Interface):
    """A subscription adapter of the content object: called with a transition id
    and the transition's comment, it returns the violations (a list of
    translatable messages; empty when the transition may go ahead)."""

    def __call__(transition_id, comment=""):
        """The list of violations."""


def transition_violations(obj, transition_id, comment=""):
    """Every violation of ``transition_id`` on ``obj`` now: [] when it may go on."""
    violations = []
    for precondition in subscribers((obj,), ITransitionPrecondition):
        violations.extend(precondition(transition_id, comment=comment))
    return violations


def documents_of(expediente, **query):
    """The expediente's documents, whoever asks: a precondition is about the
    case file, not about what the current user may see in it."""
    catalog = api.portal.get_tool("portal_catalog")
    return catalog.unrestrictedSearchResults(
        portal_type="Documento",
        path={"query": "/".join(expediente.getPhysicalPath())},
        **query,
    )


def named(brains):
    titles = [f"“{brain.Title or brain.getId}”" for brain in brains[:MAX_NAMED]]
    if len(brains) > MAX_NAMED:
        titles.append("…")
    return ", ".join(titles)


def has_comment(comment):
    return bool((comment or "").strip())


class Preconditions:
    """Dispatches to ``check_<transition id>`` methods; transitions without one
    have no precondition."""

    def __init__(self, context):
        self.context = context

    def __call__(self, transition_id, comment=""):
        violations = list(self.check_every_transition(transition_id, comment))
        check = getattr(self, f"check_{transition_id}", None)
        if check is not None:
            violations.extend(check(comment))
        return violations

    def check_every_transition(self, transition_id, comment):
        return ()


@implementer(ITransitionPrecondition)
@adapter(IExpediente)
class ExpedientePreconditions(Preconditions):
    def check_resolver(self, comment):
        signed_resolutions = documents_of(
            self.context,
            tipo_documental=RESOLUTION_TYPE,
            review_state=Documento.FIRMADO,
        )
        if not signed_resolutions:
            yield _(
                "error_resolver_without_signed_resolution",
                default="The expediente cannot be resolved without a signed "
                "resolution document (document type TD01).",
            )

    def check_cerrar(self, comment):
        unfinished = documents_of(
            self.context,
            review_state=UNFINISHED_DOCUMENT_STATES,
            sort_on="orden",
        )
        if unfinished:
            yield _(
                "error_cerrar_with_unfinished_documents",
                default="The expediente cannot be closed while documents are drafts "
                "or awaiting signature: ${documents}. Sign, annul or delete them "
                "first.",
                mapping={"documents": named(unfinished)},
            )

    def check_reabrir(self, comment):
        if not has_comment(comment):
            yield _(
                "error_reabrir_without_comment",
                default="Reopening a closed expediente needs a comment saying why.",
            )


@implementer(ITransitionPrecondition)
@adapter(IDocumento)
class DocumentoPreconditions(Preconditions):
    def check_every_transition(self, transition_id, comment):
        expediente = enclosing_expediente(self.context)
        if expediente is None:
            return
        if api.content.get_state(expediente, default=None) in CLOSED_EXPEDIENTE_STATES:
            yield _(
                "error_documento_in_closed_expediente",
                default="The expediente ${numero} is closed: its documents cannot "
                "change state.",
                mapping={"numero": expediente.numero or expediente.getId()},
            )

    def check_firmar(self, comment):
        documento = self.context
        if documento.file is None:
            yield _(
                "error_firmar_without_file",
                default="The document has no file to sign.",
            )
        elif not matches_fingerprint(documento):
            # The recorded fingerprint is what the signature vouches for.
            yield _(
                "error_firmar_fingerprint_mismatch",
                default="The document's file does not match its recorded "
                "fingerprint: it cannot be signed.",
            )

    def check_anular(self, comment):
        if not has_comment(comment):
            yield _(
                "error_anular_without_comment",
                default="Annulling a document needs a comment saying why.",
            )


# -- the guard ------------------------------------------------------------------


def refuse_violating_transition(obj, event):
    """IBeforeTransitionEvent: refuse a transition whose preconditions do not
    hold, before anything changes. Creation (no transition) is not checked."""
    if event.transition is None:
        return
    comment = (event.kwargs or {}).get("comment", "")
    violations = transition_violations(obj, event.transition.getId(), comment=comment)
    if violations:
        mark_refused(getRequest())
        raise TransitionRefused(
            violations, url=obj.absolute_url(), transition=event.transition.getId()
        )


def mark_refused(request):
    if request is not None:
        IAnnotations(request)[REFUSED_KEY] = True


def commit_nothing_after_refusal(event):
    """IPubBeforeCommit: a request in which a transition was refused commits
    nothing. plone.restapi's @workflow answers the refusal with a 400 itself
    (so the publisher would commit), after stamping the object's effective
    date, and with ``include_children`` it may have moved other objects
    already: a refused request must leave everything as it was."""
    if IAnnotations(event.request).get(REFUSED_KEY):
        transaction.doom()
