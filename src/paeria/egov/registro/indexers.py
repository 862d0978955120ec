"""What the catalog knows of a register entry."""

from paeria.egov.content.asiento import IAsiento
from plone.indexer import indexer


@indexer(IAsiento)
def asiento_csv(obj):
    # The CSV verifies the receipt, a Documento; the entry only repeats it, and
    # the ``csv`` index must find one object per code.
    raise AttributeError("csv")
