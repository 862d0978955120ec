"""Unidad: a department of the council (/unidades/<unidad>), holding its expedientes."""

from paeria.egov import _
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.constraints import checked
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class IUnidad(model.Schema):
    """A unit is named by its title; its DIR3 code identifies it nationally."""

    dir3_code = schema.TextLine(
        title=_("label_dir3_code", default="DIR3 code"),
        description=_(
            "help_dir3_code",
            default="The unit's code in the common directory of bodies and offices "
            "(DIR3), 9 characters, e.g. LA0012345.",
        ),
        constraint=checked(validate_dir3),
        required=True,
    )


@implementer(IUnidad)
class Unidad(Container):
    """Thousands of expedientes: no order list that grows with every child."""

    _ordering = "unordered"

    # Set when the unit is created, so that renaming it keeps its groups.
    _tramitadores_group = None
    _responsables_group = None

    def tramitadores_group_id(self):
        return self._tramitadores_group or f"{self.getId()}-tramitadores"

    def responsables_group_id(self):
        return self._responsables_group or f"{self.getId()}-responsables"
