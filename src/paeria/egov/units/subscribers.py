"""A unit's groups and its DIR3 code (registered in configure.zcml): the unit
comes with its two groups of staff, each given its role on the unit, and they
go with it; the DIR3 code is stored in its canonical form."""

from paeria.egov import logger
from paeria.egov.validators.codes import canonical_dir3
from plone import api


def unidad_added(unidad, event):
    """Create the unit's two groups and give them their local roles on the unit."""
    unidad.dir3_code = canonical_dir3(unidad.dir3_code)
    unidad._tramitadores_group = unidad.tramitadores_group_id()
    unidad._responsables_group = unidad.responsables_group_id()
    groups = (
        (unidad.tramitadores_group_id(), "Tramitadores", "Tramitador"),
        (unidad.responsables_group_id(), "Responsables", "Responsable"),
    )
    for group_id, label, role in groups:
        if api.group.get(groupname=group_id) is None:
            api.group.create(
                groupname=group_id,
                title=f"{unidad.Title()} — {label}",
                description=f"{label} ({unidad.dir3_code})",
            )
            logger.info("Created group %s for unit %s", group_id, unidad.getId())
        unidad.manage_setLocalRoles(group_id, [role])
    unidad.reindexObjectSecurity()
    unidad.reindexObject(idxs=["dir3_code"])


def unidad_modified(unidad, event):
    """Keep the DIR3 code canonical when it is edited."""
    unidad.dir3_code = canonical_dir3(unidad.dir3_code)
    unidad.reindexObject(idxs=["dir3_code"])


def unidad_removed(unidad, event):
    """Groups go with their unit (the unit's content is gone too)."""
    for group_id in (unidad.tramitadores_group_id(), unidad.responsables_group_id()):
        if api.group.get(groupname=group_id) is not None:
            api.group.delete(groupname=group_id)
