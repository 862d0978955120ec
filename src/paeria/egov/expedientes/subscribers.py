"""The subscribers that give an expediente and its documents their computed
metadata (metadata.py), and the only writers of it: the expediente's number,
ENI identifier, opening date and deadline (recomputed when the term is
suspended), a document's identifier, fingerprint and order in its expediente
(foliado)."""

from Acquisition import aq_base
from paeria.egov import clock
from paeria.egov.content.documento import default_organo
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.expedientes.assignment import assign_on_opening
from paeria.egov.expedientes.metadata import compute_expediente_deadline
from paeria.egov.expedientes.metadata import document_identifier
from paeria.egov.expedientes.metadata import update_expediente_derived
from paeria.egov.expedientes.metadata import update_fingerprint
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import format_expediente_number
from paeria.egov.numbering import next_number
from paeria.egov.states import Expediente
from paeria.egov.validators.codes import canonical_dir3
from plone import api
from zope.container.interfaces import IContainerModifiedEvent


# Expediente ---------------------------------------------------------------


def expediente_added(expediente, event):
    """Number (AAAA/NNNNNN, gapless per year), ENI identifier, opening date;
    whoever opens it handles it, when staff of its unit."""
    assign_on_opening(expediente, api.user.get_current().getId())
    if expediente.numero is None:
        opened = clock.office_now()
        year = opened.year
        number = next_number(api.portal.get(), EXPEDIENTE, year)
        expediente.numero = format_expediente_number(year, number)
        unidad = enclosing_unidad(expediente)
        organo = (
            unidad.dir3_code
            if unidad is not None
            else api.portal.get_registry_record("paeria.egov.organo_dir3")
        )
        expediente.eni_identifier = f"ES_{organo}_{year}_EXP_{number:06d}"
        expediente.fecha_apertura = opened
    update_expediente_derived(expediente)
    expediente.reindexObject()


def expediente_copied(expediente, event):
    """A copy is a new expediente: it gets its own number when added. Its
    documents keep their order (see documento_added), so the order counter is
    kept too and the next document follows the last copied one."""
    expediente.numero = None
    expediente.eni_identifier = None
    expediente.fecha_apertura = None
    expediente.fecha_inicio_computo = None
    expediente.suspensions = ()
    expediente.index_closed = False
    expediente.tramitador_asignado = None
    expediente.subsanacion_respondida = None


def expediente_modified(expediente, event):
    if IContainerModifiedEvent.providedBy(event):
        # A document added, removed or reordered: nothing derived changes.
        return
    update_expediente_derived(expediente)
    # Plone queued a reindex for this modification, but looking the procedure
    # up searches the catalog, which runs that queue before the derived values
    # above changed: queue another one so the catalog gets them.
    expediente.reindexObject()


def track_suspension(expediente, event):
    """IAfterTransitionEvent: entering ``subsanacion`` opens a suspension period
    (start, None), leaving it closes it (start, end); the deadline is recomputed
    (LPAC art. 22.1.a)."""
    if event.transition is None or event.old_state is event.new_state:
        return
    periods = list(expediente.suspensions or ())
    if event.new_state.getId() == Expediente.SUBSANACION:
        periods.append((clock.today(), None))
    elif event.old_state.getId() == Expediente.SUBSANACION:
        if not periods or periods[-1][1] is not None:
            return
        start = periods[-1][0]
        periods[-1] = (start, max(start, clock.today()))
    else:
        return
    expediente.suspensions = tuple(periods)
    expediente.fecha_limite = compute_expediente_deadline(expediente)
    expediente.reindexObject(idxs=["fecha_limite"])


def track_answer(expediente, event):
    """IAfterTransitionEvent: ``subsanar`` (the citizen answered the
    requirement) stamps ``subsanacion_respondida``, which the staff's desk
    lists; any later transition clears it."""
    if event.transition is None:
        return
    if event.transition.getId() == Expediente.SUBSANAR:
        expediente.subsanacion_respondida = clock.office_now()
    elif expediente.subsanacion_respondida is not None:
        expediente.subsanacion_respondida = None
    else:
        return
    expediente.reindexObject(idxs=["subsanacion_respondida"])


# Documento ----------------------------------------------------------------


def added_with_its_container(documento, event):
    """Whether the event is about an ancestor (the expediente copied or moved
    as a whole) and reaches the document as one of its sublocations. Then the
    document keeps its place in its expediente's index: dispatching to
    sublocations follows the ids, not the order (foliado)."""
    return aq_base(event.object) is not aq_base(documento)


def documento_added(documento, event):
    """Capture date, fingerprint, identifier and — inside an expediente — the
    next order number (foliado) and incorporation date. A copy pasted
    elsewhere gets its own, but keeps its capture date."""
    if "organo" not in documento.__dict__:
        # Only now, inside its container, does the default know the unit.
        documento.organo = default_organo(documento)
    documento.organo = canonical_dir3(documento.organo)
    if documento.__dict__.get("fecha_captura") is None:
        # Stored once, when it enters the portal (docs/domain-model.md,
        # "Capture date"); a door that knows better gave it already.
        documento.fecha_captura = clock.office_now()
    captured = documento.fecha_captura
    documento.eni_identifier = document_identifier(documento, captured.year)
    update_fingerprint(documento)
    expediente = enclosing_expediente(documento)
    if expediente is not None:
        if not (added_with_its_container(documento, event) and documento.orden):
            documento.orden = expediente.take_order_number()
        documento.fecha_incorporacion = clock.office_now()
    else:
        documento.orden = None
        documento.fecha_incorporacion = None
    documento.reindexObject()


def documento_moved(documento, event):
    """Moved to another expediente: it takes that expediente's next number."""
    if event.oldParent is None or event.newParent is None:
        return  # added or removed: handled elsewhere
    if event.oldParent is event.newParent:
        return  # renamed
    if added_with_its_container(documento, event):
        return  # its expediente moved (to another unit) and its index with it
    expediente = enclosing_expediente(documento)
    if expediente is not None:
        documento.orden = expediente.take_order_number()
        documento.fecha_incorporacion = clock.office_now()
        documento.reindexObject(idxs=["orden", "expediente_numero", "unidad_uid"])


def documento_modified(documento, event):
    """A new file means a new fingerprint; the hash is always of the stored bytes.
    Reindexed here, as the queued reindex may already have run (see
    expediente_modified)."""
    documento.organo = canonical_dir3(documento.organo)
    update_fingerprint(documento)
    documento.reindexObject()
