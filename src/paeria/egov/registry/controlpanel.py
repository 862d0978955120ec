"""The "e-Administration" control panel (Classic UI and REST @controlpanels)."""

from paeria.egov import _
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.registry.calendar import municipal_pairs
from paeria.egov.registry.calendar import parse_holiday_lines
from paeria.egov.registry.interfaces import IPaeriaSettings
from paeria.egov.validators import InvalidIdentifier
from paeria.egov.validators import validate_dir3
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.restapi.controlpanels import RegistryConfigletPanel
from z3c.form import button
from zope.component import adapter
from zope.interface import Interface
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant


class IPaeriaSettingsForm(IPaeriaSettings):
    """The settings with the checks a person editing them needs."""

    @invariant
    def valid_settings(data):
        try:
            validate_dir3(data.organo_dir3)
        except InvalidIdentifier as error:
            raise Invalid(error.args[0])
        try:
            parse_holiday_lines(data.holidays)
        except ValueError:
            raise Invalid(
                _(
                    "error_holiday_line",
                    default="Each holiday must be a line 'YYYY-MM-DD Name'.",
                )
            )
        try:
            municipal_pairs(data.municipal_holidays)
        except ValueError:
            raise Invalid(
                _(
                    "error_municipal_holiday_line",
                    default="Each local holiday must be a line 'MM-DD Name'.",
                )
            )


class PaeriaSettingsEditForm(RegistryEditForm):
    schema = IPaeriaSettingsForm
    schema_prefix = "paeria.egov"
    label = _("label_paeria_settings", default="e-Administration settings")
    description = _(
        "help_paeria_settings",
        default="The council's identity, the files it accepts and its calendar of "
        "non-business days.",
    )

    @button.buttonAndHandler(_("Save"), name="save")
    def handleSave(self, action):
        super().handleSave(self, action)

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handleCancel(self, action):
        super().handleCancel(self, action)


class PaeriaSettingsControlPanel(ControlPanelFormWrapper):
    form = PaeriaSettingsEditForm


class IPaeriaSettingsControlPanel(Interface):
    """Marker for the REST control panel."""


@adapter(Interface, IPaeriaEgovLayer)
@implementer(IPaeriaSettingsControlPanel)
class PaeriaSettingsConfigletPanel(RegistryConfigletPanel):
    schema = IPaeriaSettingsForm
    schema_prefix = "paeria.egov"
    configlet_id = "paeria-egov-settings"
    configlet_category_id = "Products"
    title = "e-Administration settings"
    group = "Products"
