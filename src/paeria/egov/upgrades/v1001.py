"""1000 → 1001: report requests (SolicitudInforme), notifications
(Notificacion), the document state `incorporado`, the register book's catalog
indexes, the journal and the workflow manager's permissions and control panel.

Sites made from 1000 get the new types, workflows, permissions and indexes
from the profile, then the role mappings of existing objects (the documento
workflow changed) and the register book's columns for existing entries."""

from paeria.egov import logger
from plone import api


PROFILE = "profile-paeria.egov:default"
STEPS = (
    "actions",
    "rolemap",
    "typeinfo",
    "workflow",
    "catalog",
    "controlpanel",
    "memberdata-properties",
    "plone.app.registry",
)


def import_profile_steps(context):
    setup = api.portal.get_tool("portal_setup")
    for step in STEPS:
        setup.runImportStepFromProfile(PROFILE, step, run_dependencies=False)
        logger.info("Upgrade 1001: imported %s", step)


def update_role_mappings(context):
    workflow = api.portal.get_tool("portal_workflow")
    count = workflow.updateRoleMappings()
    logger.info("Upgrade 1001: updated the role mappings of %s objects", count)


def reindex_register_entries(context):
    """The register book reads new metadata columns: fill them in."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(portal_type="Asiento")
    for brain in brains:
        brain._unrestrictedGetObject().reindexObject()
    logger.info("Upgrade 1001: reindexed %s register entries", len(brains))
