"""Procedimiento: a procedure of the public catalogue (/tramites)."""

from collective.z3cform.datagridfield.datagridfield import DataGridFieldFactory
from collective.z3cform.datagridfield.row import DictRow
from paeria.egov import _
from paeria.egov.validators.codes import validate_sia
from paeria.egov.validators.constraints import checked
from paeria.egov.validators.constraints import known_code
from paeria.egov.validators.text import validate_plain_text
from plone.app.textfield import RichText
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.interface import implementer
from zope.interface import Interface


class IDocumentoRequerido(Interface):
    """One document a citizen must or may bring to the procedure."""

    name = schema.TextLine(
        title=_("label_required_document_name", default="Document"),
        max_length=300,
        constraint=checked(lambda value: validate_plain_text(value, 300)),
        required=True,
    )
    mandatory = schema.Bool(
        title=_("label_required_document_mandatory", default="Mandatory"),
        default=True,
        required=False,
    )
    tipo_documental = schema.Choice(
        title=_("label_tipo_documental", default="Document type (ENI)"),
        vocabulary="paeria.egov.TipoDocumental",
        constraint=known_code("paeria.egov.TipoDocumental"),
        default="TD14",
        required=True,
    )


class IProcedimiento(model.Schema):
    """What a citizen reads before applying, and what sets the legal deadline."""

    sia_code = schema.TextLine(
        title=_("label_sia_code", default="SIA code"),
        description=_(
            "help_sia_code",
            default="The procedure's code in the national System of Administrative "
            "Information (digits only).",
        ),
        constraint=checked(validate_sia),
        required=True,
    )

    responsible_unit = schema.Choice(
        title=_("label_responsible_unit", default="Responsible unit"),
        description=_(
            "help_responsible_unit",
            default="The unit that handles the expedientes of this procedure.",
        ),
        vocabulary="paeria.egov.Unidades",
        required=True,
    )

    requirements = RichText(
        title=_("label_requirements", default="Requirements"),
        required=False,
    )

    directives.widget("required_documents", DataGridFieldFactory, auto_append=False)
    required_documents = schema.List(
        title=_("label_required_documents", default="Documents to provide"),
        value_type=DictRow(
            title=_("label_required_document", default="Document"),
            schema=IDocumentoRequerido,
        ),
        default=[],
        required=False,
    )

    max_resolution_amount = schema.Int(
        title=_("label_max_resolution_amount", default="Maximum time to resolve"),
        description=_(
            "help_max_resolution_amount",
            default="How long the council has to resolve and notify (Ley 39/2015 "
            "art. 21), counted in the unit below.",
        ),
        min=1,
        max=120,
        default=3,
        required=True,
    )

    max_resolution_unit = schema.Choice(
        title=_("label_max_resolution_unit", default="Unit of the maximum time"),
        vocabulary="paeria.egov.UnidadPlazo",
        constraint=known_code("paeria.egov.UnidadPlazo"),
        default="months",
        required=True,
    )

    silence_effect = schema.Choice(
        title=_("label_silence_effect", default="Effect of administrative silence"),
        description=_(
            "help_silence_effect",
            default="What the citizen may take as the answer when the maximum time "
            "passes without one (Ley 39/2015 art. 24).",
        ),
        vocabulary="paeria.egov.Silencio",
        constraint=known_code("paeria.egov.Silencio"),
        default="estimatorio",
        required=True,
    )

    channels = schema.List(
        title=_("label_channels", default="Channels"),
        value_type=schema.Choice(vocabulary="paeria.egov.Canal"),
        default=["telematico", "presencial"],
        required=True,
        min_length=1,
    )

    online_start = schema.Bool(
        title=_("label_online_start", default="Can be started online"),
        description=_(
            "help_online_start",
            default="Citizens may start it from the electronic office.",
        ),
        default=True,
        required=False,
    )


@implementer(IProcedimiento)
class Procedimiento(Item):
    """A procedure of the catalogue."""
