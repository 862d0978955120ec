"""What the workflows' transitions do to the content, and what no transition
may undo: event subscribers only (registered in configure.zcml).

- The ENI state of an expediente follows its workflow state: its index is
  updated after every transition.
- ``firmar`` records the document's TF01 signature and gives it its CSV.
- A signed or annulled document is never removed, moved or renamed, and its
  bytes never change, whoever asks (Manager included): the workflow takes the
  permissions away, these subscribers refuse what reaches the objects by any
  other path. A closed or archived expediente is never removed.
- A copy of a signed document is a new, unsigned document.

(What a suspension does to an expediente's deadline is computed with the
deadline, in expedientes/subscribers.py.)
"""

from Acquisition import aq_base
from paeria.egov import _
from paeria.egov.fingerprints import fingerprint_of
from paeria.egov.states import CLOSED_EXPEDIENTE_STATES
from paeria.egov.states import Documento
from paeria.egov.states import IMMUTABLE_DOCUMENT_STATES
from paeria.egov.workflow.errors import RecordImmutable
from paeria.egov.workflow.signing import add_signature
from paeria.egov.workflow.signing import CSV_SIGNATURE
from paeria.egov.workflow.signing import signatures_of
from plone import api


def state_of(obj):
    return api.content.get_state(obj, default=None)


def transition_id(event):
    return event.transition.getId() if event.transition is not None else None


# -- Expediente -------------------------------------------------------------------


def reindex_eni_state(expediente, event):
    """IActionSucceededEvent: the ENI state is derived from the workflow state
    (E02 once closed); CMF reindexes only the workflow's own variables."""
    expediente.reindexObject(idxs=["eni_state"])


def protect_closed_expediente(expediente, event):
    """IObjectWillBeRemovedEvent: a closed or archived expediente is kept."""
    if state_of(expediente) in CLOSED_EXPEDIENTE_STATES:
        raise RecordImmutable(
            _(
                "error_expediente_closed_not_removed",
                default="The expediente ${numero} is closed: it cannot be deleted.",
                mapping={"numero": expediente.numero or expediente.getId()},
            ),
            url=expediente.absolute_url(),
        )


# -- Documento --------------------------------------------------------------------


def sign_on_firmar(documento, event):
    """IAfterTransitionEvent: ``firmar`` records the TF01 signature (signer,
    date-time, fingerprint) and gives the document its CSV."""
    if transition_id(event) == Documento.FIRMAR:
        add_signature(documento, CSV_SIGNATURE)


def protect_documento_placement(documento, event):
    """IObjectWillBeMovedEvent (removal included): a signed, incorporated or
    annulled document is never deleted, moved or renamed. It moves only with
    its expediente (a case file handed to another unit keeps its documents and
    their order); deleting the expediente would delete it, and is refused
    too."""
    if event.oldParent is None:
        return  # being added
    if state_of(documento) not in IMMUTABLE_DOCUMENT_STATES:
        return
    moved_with_container = aq_base(event.object) is not aq_base(documento)
    if event.newParent is not None and moved_with_container:
        return
    if event.newParent is None:
        message = _(
            "error_documento_record_not_removed",
            default="The document “${title}” is a record (signed, incorporated or "
            "annulled): it is kept and cannot be deleted.",
            mapping={"title": documento.Title()},
        )
    else:
        message = _(
            "error_documento_record_not_moved",
            default="The document “${title}” is a record (signed, incorporated or "
            "annulled): it cannot be moved or renamed.",
            mapping={"title": documento.Title()},
        )
    raise RecordImmutable(message, url=documento.absolute_url())


def protect_signed_bytes(documento, event):
    """IObjectModifiedEvent: a signed document's bytes are those it was signed
    with; a change that reached the object by a path that skips permissions
    is refused, and the transaction with it."""
    records = signatures_of(documento)
    if not records:
        return
    # The latest signature's: a later signer's PAdES signature is an
    # incremental update, which the earlier signatures still validate.
    signed = records[-1].huella
    current = fingerprint_of(documento)
    if current != signed:
        raise RecordImmutable(
            _(
                "error_documento_signed_bytes",
                default="The document “${title}” is signed: its file cannot change.",
                mapping={"title": documento.Title()},
            ),
            url=documento.absolute_url(),
        )


def forget_signatures_of_copy(documento, event):
    """IObjectCopiedEvent: the copy starts unsigned, in the workflow's initial
    state, and must not carry the original's signatures or CSV (which is
    unique and identifies the original)."""
    for name in ("signatures", "csv"):
        if name in documento.__dict__:
            delattr(documento, name)
