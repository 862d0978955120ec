"""The "e-Administration" control panel (Classic UI and REST @controlpanels)."""

from datetime import date
from paeria.egov import _
from paeria.egov import clock
from paeria.egov.calendar.defaults import default_holidays
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.settings.calendar import municipal_pairs
from paeria.egov.settings.calendar import parse_holiday_lines
from paeria.egov.settings.colours import contrast_ratio
from paeria.egov.settings.colours import is_hex_colour
from paeria.egov.settings.colours import readable_on_white
from paeria.egov.settings.colours import WHITE
from paeria.egov.settings.interfaces import IPaeriaSettings
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.constraints import checked
from paeria.egov.validators.constraints import FieldValueError
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.formwidget.namedfile.widget import NamedImageFieldWidget
from plone.restapi.controlpanels import RegistryConfigletPanel
from z3c.form import button
from zope.component import adapter
from zope.interface import implementer
from zope.interface import Interface
import copy


def holiday_lines(lines):
    """Each line 'YYYY-MM-DD Name', a real date."""
    for line in lines or ():
        try:
            parse_holiday_lines([line])
        except ValueError:
            raise FieldValueError(
                _(
                    "error_holiday_line",
                    default="Each holiday must be a line 'YYYY-MM-DD Name'; this "
                    "one is not: ${line}",
                    mapping={"line": line[:60]},
                )
            ) from None
    return True


def municipal_holiday_lines(lines):
    """Each line 'MM-DD Name', a day that exists (29 February included)."""
    for line in lines or ():
        try:
            for month, day, _name in municipal_pairs([line]):
                date(2000, month, day)
        except ValueError:
            raise FieldValueError(
                _(
                    "error_municipal_holiday_line",
                    default="Each local holiday must be a line 'MM-DD Name'; this "
                    "one is not: ${line}",
                    mapping={"line": line[:60]},
                )
            ) from None
    return True


def known_subdivision(code):
    """One the holidays library knows, or pre-filling a new year would fail."""
    try:
        default_holidays(clock.today().year, subdiv=code, municipal=())
    except ValueError:
        raise FieldValueError(
            _(
                "error_holiday_subdivision",
                default="${code} is not an autonomous community code (ISO 3166-2:ES, "
                "e.g. CT for Catalonia).",
                mapping={"code": code[:20]},
            )
        ) from None
    return True


def colour_readable_on_white(value):
    """A ``#RRGGBB`` colour that white text can be read on (WCAG 2.1 AA)."""
    if not is_hex_colour(value):
        raise FieldValueError(
            _(
                "error_colour_format",
                default="Give a colour as # followed by six hexadecimal digits, "
                "e.g. #1d3d5c.",
            )
        )
    if not readable_on_white(value):
        raise FieldValueError(
            _(
                "error_colour_contrast",
                default="${colour} contrasts with white only ${ratio} to 1; WCAG "
                "2.1 AA needs at least 4.5 to 1. Choose a darker colour.",
                mapping={
                    "colour": value,
                    "ratio": f"{contrast_ratio(value, WHITE):.1f}",
                },
            )
        )
    return True


def constrained(field, constraint):
    """A copy of ``field`` of the stored settings, checked by ``constraint``."""
    checked_field = copy.copy(field)
    checked_field.constraint = constraint
    return checked_field


class IPaeriaSettingsForm(IPaeriaSettings):
    """The settings with the checks a person editing them needs.

    Checks are per field, not an invariant: an error is then shown under its
    field and named in the API's 400, and a PATCH of some settings only is
    validated without the others (an invariant would need all of them)."""

    organo_dir3 = constrained(IPaeriaSettings["organo_dir3"], checked(validate_dir3))
    holidays = constrained(IPaeriaSettings["holidays"], holiday_lines)
    municipal_holidays = constrained(
        IPaeriaSettings["municipal_holidays"], municipal_holiday_lines
    )
    holiday_subdivision = constrained(
        IPaeriaSettings["holiday_subdivision"], known_subdivision
    )
    colour_header = constrained(
        IPaeriaSettings["colour_header"], colour_readable_on_white
    )
    colour_accent = constrained(
        IPaeriaSettings["colour_accent"], colour_readable_on_white
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

    def updateFields(self):
        super().updateFields()
        # Uploaded as an image and kept in the registry, as Plone's site logo.
        self.fields["logo"].widgetFactory = NamedImageFieldWidget

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
