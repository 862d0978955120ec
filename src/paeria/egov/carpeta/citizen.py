"""The citizen: the current user's NIF, and the expedientes and register
entries that are theirs."""

from plone import api


INTERESADO = "Interesado"
NIF_PROPERTY = "nif"


def current_nif():
    user = api.user.get_current()
    value = user.getProperty(NIF_PROPERTY, None) if user is not None else None
    return (value or "").strip().upper() or None


def own_expedientes(user_id):
    """The expedientes on which ``user_id`` holds Interesado, newest first."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Expediente",
        allowedRolesAndUsers=f"user:{user_id}",
        sort_on="created",
        sort_order="descending",
    )
    expedientes = []
    for brain in brains:
        expediente = brain._unrestrictedGetObject()
        if INTERESADO in (expediente.get_local_roles_for_userid(user_id) or ()):
            expedientes.append(expediente)
    return expedientes


def own_entries(nif):
    """The register entries (E series) whose interested party is ``nif``,
    generic applications included, newest first."""
    if not nif:
        return []
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Asiento",
        registro_interesado_id=nif,
        registro_serie="E",
        sort_on="registro_fecha",
        sort_order="descending",
    )
    return [brain._unrestrictedGetObject() for brain in brains]
