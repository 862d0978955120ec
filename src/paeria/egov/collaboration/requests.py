"""Report requests: their computed fields, what they grant and withdraw, and
the preconditions of the transitions they take part in.

Security. A request grants, on the expediente, the Colaborador role to the
requested unit's two groups (``<unit>-tramitadores``, ``<unit>-responsables``)
for as long as at least one request of that unit on that expediente is
pending; :func:`sync_collaborators` recomputes those grants from the
requests themselves after every change (creation, emitir, cancelar,
removal), so several units collaborate at once and a unit asked twice keeps
its access until its last request is answered. Only the groups of units that
requests named are touched: a Colaborador role given by hand (sharing) stays.

A request does not inherit local roles (``__ac_local_roles_block__``): it
carries its own, the owning unit's groups as Tramitador and Responsable and
the requested unit's as Colaborador (:func:`grant_request_roles`), so the
Interesado and the other units asked on the same expediente do not see it.
"""

from Acquisition import aq_base
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.collaboration.incorporation import incorporate
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.content.solicitudinforme import default_deadline
from paeria.egov.content.solicitudinforme import ISolicitudInforme
from paeria.egov.events import LocalRolesSetByCode
from paeria.egov.states import Documento
from paeria.egov.states import SolicitudInforme
from paeria.egov.workflow.rules import ITransitionPrecondition
from paeria.egov.workflow.rules import MAX_NAMED
from paeria.egov.workflow.rules import Preconditions
from persistent.mapping import PersistentMapping
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.uuid.interfaces import IUUID
from zope.annotation.interfaces import IAnnotations
from zope.component import adapter
from zope.event import notify
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import implementer


REQUEST_TYPE = "SolicitudInforme"
COLLABORATOR = "Colaborador"
# Documents that may answer a request: the collaborator's draft (incorporated
# by emitir) or a document already incorporated as received.
ANSWER_STATES = (Documento.BORRADOR, Documento.INCORPORADO)
# Groups this expediente's requests granted Colaborador to (annotation), so
# that a grant is withdrawn even if the request that caused it changed unit.
GRANTED_KEY = "paeria.egov.collaboration.colaborador_groups"
TITLE_EXCERPT = 80


def state_of(obj):
    return api.content.get_state(obj, default=None)


def transition_id(event):
    return event.transition.getId() if event.transition is not None else None


def unit_of(uid):
    """The Unidad of ``uid``, whoever asks (a request names a unit its author
    cannot open)."""
    if not uid:
        return None
    return uuidToObject(uid, unrestricted=True)


def unit_groups(unidad):
    return (unidad.tramitadores_group_id(), unidad.responsables_group_id())


def requests_in(expediente, including=(), excluding=()):
    """The expediente's requests, whoever asks; ``including`` those the
    catalog may not know yet (being added), ``excluding`` those going away."""
    catalog = api.portal.get_tool("portal_catalog")
    found = {}
    for brain in catalog.unrestrictedSearchResults(
        portal_type=REQUEST_TYPE,
        path={"query": "/".join(expediente.getPhysicalPath()), "depth": 1},
    ):
        found[brain.UID] = brain._unrestrictedGetObject()
    for solicitud in including:
        found[IUUID(solicitud)] = solicitud
    for solicitud in excluding:
        found.pop(IUUID(solicitud, None), None)
    now = clock.office_now()
    return sorted(found.values(), key=lambda request: request.fecha_solicitud or now)


def pending_requests(expediente):
    return [
        request
        for request in requests_in(expediente)
        if state_of(request) == SolicitudInforme.PENDIENTE
    ]


def request_title(solicitud):
    """“<unit>: <first words of the question>”, the request's title."""
    unidad = unit_of(solicitud.unidad_solicitada)
    name = unidad.Title() if unidad is not None else "?"
    question = " ".join((solicitud.asunto or "").split())
    if len(question) > TITLE_EXCERPT:
        question = question[: TITLE_EXCERPT - 1].rstrip() + "…"
    return f"{name}: {question}" if question else name


# -- security -----------------------------------------------------------------


def _set_local_roles(obj, principal, roles):
    if roles:
        obj.manage_setLocalRoles(principal, sorted(roles))
    else:
        obj.manage_delLocalRoles([principal])


def sync_collaborators(expediente, including=(), excluding=()):
    """Give Colaborador on ``expediente`` to the groups of every unit with a
    pending request on it, and take it from the groups of the others."""
    requests = requests_in(expediente, including=including, excluding=excluding)
    wanted = set()
    candidates = set()
    for request in requests:
        unidad = unit_of(request.unidad_solicitada)
        if unidad is None:
            continue
        groups = set(unit_groups(unidad))
        candidates |= groups
        if state_of(request) == SolicitudInforme.PENDIENTE:
            wanted |= groups
    annotations = IAnnotations(expediente)
    granted = annotations.get(GRANTED_KEY)
    candidates |= set(granted or ())
    changed = False
    for group_id in sorted(candidates):
        roles = set(expediente.get_local_roles_for_userid(group_id))
        if group_id in wanted:
            target = roles | {COLLABORATOR}
        else:
            target = roles - {COLLABORATOR}
        if target != roles:
            _set_local_roles(expediente, group_id, target)
            changed = True
    if wanted or granted is not None:
        annotations[GRANTED_KEY] = PersistentMapping(dict.fromkeys(wanted, True))
    if changed:
        # The expediente's documents list these groups in their catalog
        # security too: reindex the whole case file.
        expediente.reindexObjectSecurity()
        notify(LocalRolesSetByCode(expediente, reason="solicitud_informe"))
    return changed


def grant_request_roles(solicitud):
    """The request's own local roles: the owning unit's staff and the
    requested unit's (it inherits none)."""
    wanted = {}
    owning = enclosing_unidad(solicitud)
    if owning is not None:
        wanted[owning.tramitadores_group_id()] = ("Tramitador",)
        wanted[owning.responsables_group_id()] = ("Responsable",)
    requested = unit_of(solicitud.unidad_solicitada)
    if requested is not None:
        for group_id in unit_groups(requested):
            wanted[group_id] = (COLLABORATOR,)
    previous = dict(solicitud._granted_roles or {})
    for principal, roles in previous.items():
        if tuple(wanted.get(principal, ())) != tuple(roles):
            current = set(solicitud.get_local_roles_for_userid(principal))
            _set_local_roles(solicitud, principal, current - set(roles))
    for principal, roles in wanted.items():
        current = set(solicitud.get_local_roles_for_userid(principal))
        _set_local_roles(solicitud, principal, current | set(roles))
    solicitud._granted_roles = wanted
    solicitud.reindexObjectSecurity()


# -- subscribers --------------------------------------------------------------


def moved_with_container(obj, event):
    return aq_base(event.object) is not aq_base(obj)


def solicitud_added(solicitud, event):
    """IObjectAddedEvent: who asked and when (never from the client), the
    default deadline, the title, and the grants."""
    if not moved_with_container(solicitud, event):
        requested_at = clock.office_now()
        solicitud.solicitante = api.user.get_current().getId()
        solicitud.fecha_solicitud = requested_at
        if solicitud.__dict__.get("fecha_limite") is None:
            solicitud.fecha_limite = default_deadline(requested_at.date())
    solicitud.title = request_title(solicitud)
    grant_request_roles(solicitud)
    expediente = enclosing_expediente(solicitud)
    if expediente is not None:
        sync_collaborators(expediente, including=(solicitud,))
    solicitud.reindexObject()


def solicitud_modified(solicitud, event):
    """IObjectModifiedEvent: the unit asked may have changed while pending."""
    solicitud.title = request_title(solicitud)
    grant_request_roles(solicitud)
    expediente = enclosing_expediente(solicitud)
    if expediente is not None:
        sync_collaborators(expediente, including=(solicitud,))
    solicitud.reindexObject()


def solicitud_moved(solicitud, event):
    """IObjectMovedEvent: an expediente handed to another unit takes its
    requests along; their owning unit's grants follow."""
    if event.oldParent is None or event.newParent is None:
        return
    if event.oldParent is event.newParent:
        return
    grant_request_roles(solicitud)


def solicitud_removed(solicitud, event):
    """IObjectRemovedEvent: a request removed on its own (never through the
    UI: nobody holds Delete objects on it) no longer keeps its unit in."""
    if moved_with_container(solicitud, event):
        return
    expediente = event.oldParent
    if IExpediente.providedBy(expediente):
        sync_collaborators(expediente, excluding=(solicitud,))


def solicitud_transitioned(solicitud, event):
    """IAfterTransitionEvent: date the answer or cancellation, incorporate the
    answer document, and withdraw the unit's access when nothing else of it
    is pending on the expediente."""
    tid = transition_id(event)
    if tid is None:
        return
    if event.new_state.getId() == SolicitudInforme.EMITIDO:
        solicitud.fecha_emision = clock.office_now()
        documento = answer_document(solicitud)
        if documento is not None:
            incorporate(
                documento,
                translate(
                    _(
                        "comment_incorporated_as_report",
                        default="Incorporated as the report of ${unit}.",
                        mapping={"unit": request_unit_title(solicitud)},
                    ),
                    context=getRequest(),
                ),
            )
    elif event.new_state.getId() == SolicitudInforme.CANCELADA:
        solicitud.fecha_cancelacion = clock.office_now()
    expediente = enclosing_expediente(solicitud)
    if expediente is not None:
        sync_collaborators(expediente, including=(solicitud,))
    solicitud.reindexObject()


def request_unit_title(solicitud):
    unidad = unit_of(solicitud.unidad_solicitada)
    return unidad.Title() if unidad is not None else ""


# -- emitir ---------------------------------------------------------------------


def answer_document(solicitud):
    """The request's answer document, whoever asks, if it is still there."""
    if not solicitud.documento_respuesta:
        return None
    return uuidToObject(solicitud.documento_respuesta, unrestricted=True)


def answer_candidates(solicitud):
    """Documents of the expediente the current user may give as the answer:
    those they can see in an answerable state, in index order."""
    expediente = enclosing_expediente(solicitud)
    if expediente is None:
        return []
    catalog = api.portal.get_tool("portal_catalog")
    return catalog(
        portal_type="Documento",
        path={"query": "/".join(expediente.getPhysicalPath()), "depth": 1},
        review_state=ANSWER_STATES,
        sort_on="orden",
    )


def emitir(solicitud, documento, comment=""):
    """Issue the report of ``solicitud`` with ``documento`` (a Documento of the
    same expediente) as its answer: the ``emitir`` transition, as the current
    user, whose preconditions check the document and whose subscribers
    incorporate it and withdraw the unit's access."""
    solicitud.documento_respuesta = IUUID(documento)
    api.content.transition(
        obj=solicitud, transition=SolicitudInforme.EMITIR, comment=comment or ""
    )


# -- preconditions --------------------------------------------------------------


def named_requests(requests):
    names = [f"“{request.Title()}”" for request in requests[:MAX_NAMED]]
    if len(requests) > MAX_NAMED:
        names.append("…")
    return ", ".join(names)


@implementer(ITransitionPrecondition)
@adapter(IExpediente)
class ExpedienteCollaborationPreconditions(Preconditions):
    def check_cerrar(self, comment):
        pending = pending_requests(self.context)
        if pending:
            yield _(
                "error_cerrar_with_pending_requests",
                default="The expediente cannot be closed while report requests "
                "are pending: ${requests}. Wait for the reports or cancel the "
                "requests first.",
                mapping={"requests": named_requests(pending)},
            )


@implementer(ITransitionPrecondition)
@adapter(ISolicitudInforme)
class SolicitudInformePreconditions(Preconditions):
    def check_emitir(self, comment):
        solicitud = self.context
        if not solicitud.documento_respuesta:
            yield _(
                "error_emitir_without_document",
                default="Issuing the report needs the report document: add it "
                "to the expediente and name it (the “Issue report” form, or "
                "POST @emitir with its UID in “documento”).",
            )
            return
        documento = answer_document(solicitud)
        expediente = enclosing_expediente(solicitud)
        if (
            documento is None
            or documento.portal_type != "Documento"
            or expediente is None
            or enclosing_expediente(documento) is None
            or aq_base(enclosing_expediente(documento)) is not aq_base(expediente)
        ):
            yield _(
                "error_emitir_document_elsewhere",
                default="The report document must be a document of this expediente.",
            )
        elif state_of(documento) not in ANSWER_STATES:
            yield _(
                "error_emitir_document_state",
                default="The document “${title}” cannot be the report: only a "
                "draft (which is then incorporated as presented) or an "
                "incorporated document can.",
                mapping={"title": documento.Title()},
            )
