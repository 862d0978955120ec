"""Settings of paeria.egov, kept in plone.registry and edited in a control panel."""

from paeria.egov import _
from zope import schema
from zope.interface import Interface


DEFAULT_ALLOWED_FORMATS = [
    "application/pdf",
    "application/xml",
    "text/xml",
    "text/plain",
    "text/csv",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/svg+xml",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/rtf",
    "application/zip",
    "application/pkcs7-signature",
    "application/xsig",
]


class IPaeriaSettings(Interface):
    """The council's identity, accepted files and legal calendar."""

    organo_dir3 = schema.TextLine(
        title=_("label_organo_dir3", default="DIR3 code of the council"),
        description=_(
            "help_organo_dir3",
            default="The body that appears in ENI identifiers, e.g. L01251207 for "
            "Lleida's city council.",
        ),
        default="L01251207",
        required=True,
    )

    organo_name = schema.TextLine(
        title=_("label_organo_name", default="Name of the council"),
        default="Ajuntament de Lleida",
        required=True,
    )

    allowed_formats = schema.List(
        title=_("label_allowed_formats", default="Accepted file formats"),
        description=_(
            "help_allowed_formats",
            default="MIME types a document's file may have, one per line.",
        ),
        value_type=schema.ASCIILine(),
        default=DEFAULT_ALLOWED_FORMATS,
        required=True,
    )

    max_file_size_mb = schema.Int(
        title=_("label_max_file_size", default="Largest file accepted (MB)"),
        default=50,
        min=1,
        max=2048,
        required=True,
    )

    holidays = schema.List(
        title=_("label_holidays", default="Holidays"),
        description=_(
            "help_holidays",
            default="Non-business days besides Saturdays and Sundays (Ley 39/2015 "
            "art. 30), national, regional and local, one per line as "
            "YYYY-MM-DD followed by its name. Each year must be listed; the "
            "current and the next year are filled in on installation.",
        ),
        value_type=schema.TextLine(),
        default=[],
        required=False,
    )

    municipal_holidays = schema.List(
        title=_("label_municipal_holidays", default="Local holidays (every year)"),
        description=_(
            "help_municipal_holidays",
            default="The municipality's own holidays as MM-DD followed by its name, "
            "used to pre-fill a new year.",
        ),
        value_type=schema.TextLine(),
        default=["05-11 Sant Anastasi", "09-29 Sant Miquel"],
        required=False,
    )

    holiday_subdivision = schema.ASCIILine(
        title=_("label_holiday_subdivision", default="Autonomous community"),
        description=_(
            "help_holiday_subdivision",
            default="ISO 3166-2:ES subdivision whose holidays pre-fill a new year "
            "(CT: Catalonia).",
        ),
        default="CT",
        required=True,
    )

    register_opening_hours = schema.TextLine(
        title=_("label_register_opening_hours", default="In-person register hours"),
        description=_(
            "help_register_opening_hours",
            default="Shown on the home page beside the electronic register, which "
            "is open every day, 24 hours. Empty: 'Monday to Friday, 9:00 to 14:00'.",
        ),
        default="",
        required=False,
    )

    logo = schema.Bytes(
        title=_("label_logo", default="Council's logo"),
        description=_(
            "help_logo",
            default="Shown at the top of every page. Empty: the neutral municipal "
            "emblem, with the council's name.",
        ),
        required=False,
    )

    colour_header = schema.ASCIILine(
        title=_("label_colour_header", default="Colour of the header and footer"),
        description=_(
            "help_colour_header",
            default="As #RRGGBB. White text is written on it: it must contrast "
            "with white at least 4.5 to 1 (WCAG 2.1 AA).",
        ),
        default="#1d3d5c",
        required=True,
    )

    colour_accent = schema.ASCIILine(
        title=_("label_colour_accent", default="Colour of links and buttons"),
        description=_(
            "help_colour_accent",
            default="As #RRGGBB. Links are written in it on white, and buttons "
            "are filled with it under white text: it must contrast with white "
            "at least 4.5 to 1 (WCAG 2.1 AA).",
        ),
        default="#0a58a5",
        required=True,
    )
