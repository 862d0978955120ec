"""1001 → 1002: the catalog's full-text indexes merge concurrent changes of
different documents instead of conflicting (paeria.egov.catalog.textindex).
Every word's documents that stock ZCTextIndex kept in a dict become a tree of
their own: on a large catalog this writes one object per rare word, once."""

from paeria.egov import logger
from paeria.egov.catalog import textindex
from plone import api


def use_merging_indexes(context):
    converted = textindex.use_merging_indexes(api.portal.get_tool("portal_catalog"))
    logger.info(
        "Upgrade 1002: full-text indexes merge concurrent changes; %s words' "
        "documents moved into trees of their own",
        converted,
    )
