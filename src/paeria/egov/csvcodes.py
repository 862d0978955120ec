"""Secure verification codes (CSV, Ley 40/2015 art. 42.b): the one generator.

Every CSV the portal issues — a signature's (``workflow.signing``), a register
receipt's (``registro.register``), an ENI export's (``eni.bridge``) — has one
shape: 32 characters drawn with :mod:`secrets` from 32 symbols (upper-case
letters and digits without the look-alikes 0/O and 1/I, so it can be typed from
paper), 32 × 5 = 160 bits of entropy, unguessable.

:func:`new_csv` draws one (Plone-free); :func:`unused_csv` draws until the
value is not in the catalog's ``csv`` index (a CSV identifies one document in
the site); :func:`csv_regulation` is the regulation recorded with each.
"""

from plone import api
import secrets


#: Characters of a generated CSV: upper-case letters and digits without the
#: look-alikes 0/O and 1/I, so that it can be typed from paper.
CSV_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: 32 characters of 32 symbols: 160 bits, unguessable. Every CSV the portal
#: issues (signatures, register receipts, ENI exports) has this one shape.
CSV_LENGTH = 32
#: RegulacionGeneracionCSV when the registry has no ``paeria.egov.csv_regulation``.
DEFAULT_CSV_REGULATION = (
    "Ley 40/2015, de 1 de octubre, de Régimen Jurídico del Sector Público, art. 42.b)"
)
CSV_REGULATION_RECORD = "paeria.egov.csv_regulation"
# A CSV that collides with an existing one is drawn again; with 160 bits this
# never happens in practice, the bound only keeps a broken generator finite.
MAX_CSV_DRAWS = 10


class CSVDrawError(ValueError):
    """No unused CSV after :data:`MAX_CSV_DRAWS` draws (a broken generator)."""


def new_csv() -> str:
    """A fresh, unguessable secure verification code (CSV)."""
    return "".join(secrets.choice(CSV_ALPHABET) for _ in range(CSV_LENGTH))


def unused_csv() -> str:
    """A fresh CSV, unique in the site: a value already in the catalog's
    ``csv`` index is drawn again."""
    catalog = api.portal.get_tool("portal_catalog")
    for _attempt in range(MAX_CSV_DRAWS):
        value = new_csv()
        if not catalog.unrestrictedSearchResults(csv=value):
            return value
    raise CSVDrawError("could not draw an unused CSV")


def csv_regulation() -> str:
    return api.portal.get_registry_record(
        CSV_REGULATION_RECORD, default=DEFAULT_CSV_REGULATION
    )
