"""The site's sections: /tramites (catalogue), /registro (register), /unidades.

Each is a container of its own type so that only its content can be added in it
and it can carry its own security, independent of Plone's Folder."""

from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class ISection(model.Schema):
    """A top-level section of the e-administration."""


class ICatalogo(ISection):
    """/tramites: the procedures."""


class IRegistro(ISection):
    """/registro: the general register."""


class IUnidades(ISection):
    """/unidades: the departments."""


@implementer(ICatalogo)
class Catalogo(Container):
    _ordering = "unordered"


@implementer(IRegistro)
class Registro(Container):
    _ordering = "unordered"


@implementer(IUnidades)
class Unidades(Container):
    _ordering = "unordered"
