"""Install and uninstall handlers of the GenericSetup profiles."""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov import logger
from paeria.egov.catalog.textindex import use_merging_indexes
from paeria.egov.settings.calendar import prefill_years
from plone import api
from plone.base.interfaces import INonInstallable
from plone.dexterity.utils import createContentInContainer
from zope.i18n import translate
from zope.interface import implementer


@implementer(INonInstallable)
class HiddenProfiles:
    def getNonInstallableProfiles(self):
        """Hide the uninstall profile from the add-on control panel."""
        return ["paeria.egov:uninstall"]

    def getNonInstallableProducts(self):
        return ["paeria.egov.upgrades"]


# id, portal_type, title, description
SECTIONS = (
    (
        "tramites",
        "Catalogo",
        _("section_tramites", default="Procedures"),
        _(
            "section_tramites_description",
            default="Everything you can apply for at the council, and how.",
        ),
    ),
    (
        "registro",
        "Registro",
        _("section_registro", default="General register"),
        _(
            "section_registro_description",
            default="Entries and exits of the council's general register.",
        ),
    ),
    (
        "unidades",
        "Unidades",
        _("section_unidades", default="Units"),
        _("section_unidades_description", default="The council's departments."),
    ),
)

STAFF_VIEW_ROLES = {
    # Expedientes are seen by their unit's staff, by invited units, by their
    # citizens and by internal control, never by the public.
    "unidades": [
        "Manager",
        "Site Administrator",
        "Tramitador",
        "Responsable",
        "Colaborador",
        "Interesado",
        "Auditor",
    ],
    "registro": ["Manager", "Site Administrator", "Registrador", "Auditor"],
}
VIEW_PERMISSIONS = ("View", "Access contents information", "List folder contents")


def ensure_sections(portal):
    """Create the site's sections if absent; set the security they carry."""
    language = api.portal.get_default_language() or "es"
    for section_id, portal_type, title, description in SECTIONS:
        section = portal.get(section_id)
        if section is None:
            # Sections are not addable by hand anywhere (global_allow off).
            section = createContentInContainer(
                portal,
                portal_type,
                checkConstraints=False,
                id=section_id,
                title=translate(title, target_language=language),
                description=translate(description, target_language=language),
            )
            logger.info("Created /%s", section_id)
        roles = STAFF_VIEW_ROLES.get(section_id)
        if roles:
            for permission in VIEW_PERMISSIONS:
                section.manage_permission(permission, roles=roles, acquire=False)
            section.reindexObjectSecurity()


def ensure_holidays():
    year = clock.today().year
    prefill_years((year, year + 1))


#: The site root's default view: the electronic office's home (frontdoor/).
HOME_VIEW = "portada"
PLONE_HOME_VIEW = "document_view"


def use_home_view(portal):
    """The site root shows the electronic office's home page. Plone gives a
    new site the layout document_view, which beats the type's default view."""
    portal.setLayout(HOME_VIEW)


def post_install(context):
    """Post install: the site layout, the calendar and the full-text indexes
    that merge concurrent changes, idempotently."""
    portal = api.portal.get()
    ensure_sections(portal)
    use_home_view(portal)
    ensure_holidays()
    use_merging_indexes(api.portal.get_tool("portal_catalog"))


def uninstall(context):
    """Uninstall: configuration is removed by the profile, content is kept."""
    portal = api.portal.get()
    if portal.getLayout() == HOME_VIEW:
        # Its view goes with the add-on's browser layer.
        portal.setLayout(PLONE_HOME_VIEW)
