"""Create the Plone site with paeria.egov, or bring an existing one up to date.

Imports Plone: loaded by :mod:`.commands` only, when ``create-site`` runs."""

from paeria.egov.demo.creation import create_demo_data
from paeria.egov.demo.data import SIGNERS as DEMO_SIGNERS
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.signing import pki
from plone.base.interfaces import IPloneSiteRoot
from Products.CMFPlone.factory import addPloneSite
from zope.component.hooks import setSite
import transaction


PROFILE_ID = "paeria.egov:default"

# What Plone's own "Create a Classic UI site" form installs, plus this add-on.
EXTENSION_PROFILES = (
    "plone.app.contenttypes:default",
    "plonetheme.barceloneta:default",
    PROFILE_ID,
)


def ensure_admin(app, settings):
    """Give Zope's root user folder the administrator with the configured password."""
    users = app.acl_users
    name = settings.admin_user
    manager = getattr(users, "users", None)  # a PluggableAuthService's user plugin
    if manager is not None and hasattr(manager, "updateUserPassword"):
        if name not in manager.listUserIds():
            manager.addUser(name, name, settings.admin_password)
            users.roles.assignRoleToPrincipal(name, "Manager")
        elif not settings.admin_password_is_default:
            # An explicit ADMIN_PASSWORD is authoritative on every start.
            manager.updateUserPassword(name, settings.admin_password)
    elif users.getUser(name) is None:
        users._doAddUser(name, settings.admin_password, ["Manager"], [])
    elif not settings.admin_password_is_default:
        users._doChangeUser(name, settings.admin_password, ["Manager"], [])


def ensure_site(app, settings):
    """Return a one-line account of what was done; commits its work."""
    ensure_admin(app, settings)
    site = app.get(settings.site_id)
    if site is not None and not IPloneSiteRoot.providedBy(site):
        transaction.abort()
        raise ConfigurationError(
            f"/{settings.site_id} exists in the database but is not a Plone site: "
            "choose another SITE_ID."
        )
    if site is None:
        site = addPloneSite(
            app,
            settings.site_id,
            title="Paeria — Seu electrònica",
            description="Administració electrònica de l'Ajuntament",
            extension_ids=EXTENSION_PROFILES,
            default_language="es",
            portal_timezone="Europe/Madrid",
        )
        setSite(site)
        apply_cookie_policy(site, settings)
        message = f"Created the site /{settings.site_id} with paeria.egov."
        if settings.demo:
            message += " " + create_demo_content(site)
            message += " " + create_demo_pki(settings)
        transaction.commit()
        return message

    setSite(site)
    apply_cookie_policy(site, settings)
    setup = site.portal_setup
    if setup.getLastVersionForProfile(PROFILE_ID) == "unknown":
        setup.runAllImportStepsFromProfile(f"profile-{PROFILE_ID}")
        transaction.commit()
        return f"Installed paeria.egov on the existing site /{settings.site_id}."
    pending = setup.listUpgrades(PROFILE_ID)
    if pending:
        setup.upgradeProfile(PROFILE_ID)
        transaction.commit()
        return (
            f"Upgraded paeria.egov on /{settings.site_id} to profile version "
            f"{setup.getLastVersionForProfile(PROFILE_ID)[0]}."
        )
    transaction.commit()
    return f"The site /{settings.site_id} exists; its data was kept."


def apply_cookie_policy(site, settings):
    """The login cookie (plone.session) carries the ``secure`` flag when the
    portal is served over HTTPS (SECURE_COOKIES=1), on every start, so that
    the environment stays the one place that says it."""
    session = site.acl_users.get("session")
    if session is not None and bool(getattr(session, "secure", False)) != bool(
        settings.secure_cookies
    ):
        session.secure = bool(settings.secure_cookies)


def create_demo_content(site):
    """Create the demo data set (units, staff, procedures, expedientes)."""
    return create_demo_data(site)


def create_demo_pki(settings):
    """The development PKI of a demo site, made once under the signing
    directory: a test authority, never for production (docs/signatures.md)."""
    signers = [
        pki.Signer(user_id, fullname, pki.nif_for(number))
        for user_id, fullname, number in DEMO_SIGNERS
    ]
    created = pki.create_dev_pki(
        settings.signing / "dev-pki", signers, keys=settings.signing / "keys"
    )
    if not created:
        return "The development PKI exists; it was kept."
    return (
        f"Created the development PKI (a TEST authority, not for production) "
        f"under {settings.signing} (the demo signers' PIN: README.md)."
    )
