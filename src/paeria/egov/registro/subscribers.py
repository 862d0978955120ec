"""What keeps a register entry and its documents as they were registered, and
what distributing an entry does (registered in configure.zcml).

The workflow takes every permission to change them away from every role; these
subscribers refuse what reaches the objects by a path that skips permissions
(Python, a Manager's ZMI, a generic add form, a copy), with a readable error,
and the publisher aborts the transaction."""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.states import Asiento
from paeria.egov.workflow.errors import refuse_record_change
from plone import api
from plone.app.uuid.utils import uuidToObject
from zope.container.interfaces import IContainerModifiedEvent


def _numero(obj):
    entry = obj if IAsiento.providedBy(obj) else getattr(obj, "__parent__", None)
    return getattr(entry, "numero", None) or obj.getId()


def refuse_unregistered_asiento(asiento, event):
    """IObjectAddedEvent: an Asiento comes from registro.register_entry only,
    which numbers it before adding it (never a generic add form or POST)."""
    if not asiento.numero:
        refuse_record_change(
            asiento,
            _(
                "error_asiento_not_registered",
                default="Register entries are made with the register's form or "
                "its @registrar service only.",
            ),
        )


def refuse_removal_or_move(obj, event):
    """IObjectWillBeMovedEvent (removal and renaming included)."""
    if event.oldParent is None:
        return  # being added
    if event.newParent is None:
        message = _(
            "error_asiento_not_removed",
            default="The register entry ${numero} and its documents are kept: "
            "they cannot be deleted.",
            mapping={"numero": _numero(obj)},
        )
    else:
        message = _(
            "error_asiento_not_moved",
            default="The register entry ${numero} and its documents cannot be "
            "moved or renamed.",
            mapping={"numero": _numero(obj)},
        )
    refuse_record_change(obj, message)


def refuse_modification(obj, event):
    """IObjectModifiedEvent: nothing registered changes, file included. (A
    container is "modified" when register_entry adds the entry's documents;
    adding, removing and renaming them are refused by the other subscribers.)"""
    if IContainerModifiedEvent.providedBy(event):
        return
    refuse_record_change(
        obj,
        _(
            "error_asiento_not_modified",
            default="The register entry ${numero} and its documents cannot be "
            "modified.",
            mapping={"numero": _numero(obj)},
        ),
    )


def refuse_copy(obj, event):
    """IObjectCopiedEvent: a copy would repeat a number and a CSV. A document
    goes into an expediente as a new document (open_expediente_from_entry)."""
    refuse_record_change(
        event.original,
        _(
            "error_asiento_not_copied",
            default="The register entry ${numero} and its documents cannot be copied.",
            mapping={"numero": _numero(event.original)},
        ),
    )


def record_distribution(asiento, event):
    """IAfterTransitionEvent: ``distribuir`` records the unit and when, gives the
    unit's groups their roles on the entry (its staff see it from then on) and
    takes the entry's documents along."""
    if event.transition is None or event.transition.getId() != Asiento.DISTRIBUIR:
        return
    unidad_uid = asiento.unidad_distribucion or asiento.unidad_destino
    asiento.unidad_distribucion = unidad_uid
    asiento.fecha_distribucion = clock.office_now()
    unidad = uuidToObject(unidad_uid, unrestricted=True)
    if unidad is not None:
        asiento.manage_setLocalRoles(unidad.tramitadores_group_id(), ["Tramitador"])
        asiento.manage_setLocalRoles(unidad.responsables_group_id(), ["Responsable"])
        asiento.reindexObjectSecurity()
    workflow = api.portal.get_tool("portal_workflow")
    for documento in asiento.objectValues():
        if IRegisteredDocument.providedBy(documento):
            workflow.doActionFor(documento, Asiento.DISTRIBUIR)
    asiento.reindexObject()


def refuse_unregistered_document(documento, event):
    """IObjectAddedEvent of a Documento: one is added to an entry only by
    register_entry, which marks it; any other is refused."""
    if IAsiento.providedBy(
        getattr(event, "newParent", None)
    ) and not IRegisteredDocument.providedBy(documento):
        refuse_record_change(
            event.newParent,
            _(
                "error_asiento_no_new_documents",
                default="Documents cannot be added to the register entry "
                "${numero} after it was registered.",
                mapping={"numero": _numero(event.newParent)},
            ),
        )
