"""1004 → 1005: the citizen's front door (issue 20).

The site root's default view becomes the electronic office's home page
(``@@portada``); Plone's editing toolbar is shown to the staff's roles only,
so a citizen gets the header's menu (Mi carpeta, Mi perfil, logout); the
council's look is a CSS bundle; the settings gain the register's in-person
hours, the logo and the two colours (their defaults meet WCAG 2.1 AA).
Running it again changes nothing."""

from paeria.egov import logger
from paeria.egov.setuphandlers import use_home_view
from plone import api


PROFILE = "profile-paeria.egov:default"
STEPS = ("rolemap", "typeinfo", "plone.app.registry")


def front_door(context):
    setup = api.portal.get_tool("portal_setup")
    for step in STEPS:
        setup.runImportStepFromProfile(PROFILE, step, run_dependencies=False)
        logger.info("Upgrade 1005: imported %s", step)
    use_home_view(api.portal.get())
    logger.info("Upgrade 1005: the site root shows @@portada")
