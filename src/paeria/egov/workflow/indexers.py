"""The document's CSV in the catalog: unique, and how verification finds it."""

from paeria.egov.content.documento import IDocumento
from plone.indexer import indexer


@indexer(IDocumento)
def documento_csv(obj):
    csv = getattr(obj, "csv", None)
    if not csv:
        # Unsigned: not in the index at all, rather than under None.
        raise AttributeError("csv")
    return csv
