"""Vocabularies of the portal's own content: units and procedures, from the catalog."""

from plone import api
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


def _site_catalog():
    try:
        return api.portal.get_tool("portal_catalog")
    except api.exc.CannotGetPortalError:
        return None


@provider(IVocabularyFactory)
def UnidadesVocabulary(context=None):
    """Every unit, by UID, titled "Name (DIR3)"; unrestricted so that a procedure
    may name a unit its editor cannot open."""
    catalog = _site_catalog()
    if catalog is None:
        return SimpleVocabulary([])
    brains = catalog.unrestrictedSearchResults(
        portal_type="Unidad", sort_on="sortable_title"
    )
    return SimpleVocabulary(
        [
            SimpleTerm(brain.UID, brain.UID, f"{brain.Title} ({brain.dir3_code})")
            for brain in brains
        ]
    )


@provider(IVocabularyFactory)
def ProcedimientosVocabulary(context=None):
    """Every procedure, by UID, titled "SIA code — title"."""
    catalog = _site_catalog()
    if catalog is None:
        return SimpleVocabulary([])
    brains = catalog.unrestrictedSearchResults(
        portal_type="Procedimiento", sort_on="sortable_title"
    )
    return SimpleVocabulary(
        [
            SimpleTerm(brain.UID, brain.UID, f"{brain.sia_code} — {brain.Title}")
            for brain in brains
        ]
    )
