"""Looking a document up by its CSV: only signed documents and register
receipts are found, and the lookups of a client are throttled."""

from dataclasses import dataclass
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.documento import IDocumento
from paeria.egov.http import client_address
from paeria.egov.states import Documento
from paeria.egov.verification.throttle import THROTTLE
from plone import api
import hmac
import re


SIGNED_DOCUMENT = "signed_document"
RECEIPT = "receipt"
# Union of the CSV alphabets (A-Z without I/O and 2-9; and RFC 4648 base32, A-Z
# and 2-7, of receipts issued before the CSV was unified), so that a value of
# either shape is looked up.
CSV_PATTERN = re.compile(r"[A-Z2-9]{16,64}")
# Characters people insert when copying a code from paper.
SEPARATORS = re.compile(r"[\s\-]+")
# Longer inputs are refused before any work is done on them.
MAX_INPUT_LENGTH = 256


def normalise(raw):
    """The CSV in ``raw`` in canonical form, or None when it cannot be one."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        return None
    value = SEPARATORS.sub("", raw).upper()
    if not CSV_PATTERN.fullmatch(value):
        return None
    return value


@dataclass(frozen=True)
class Verified:
    """A hit: ``kind`` is :data:`SIGNED_DOCUMENT` or :data:`RECEIPT`;
    ``documento`` the Documento; ``asiento`` the entry of a receipt."""

    kind: str
    csv: str
    documento: object
    asiento: object = None


def _same(stored, value):
    return isinstance(stored, str) and hmac.compare_digest(
        stored.encode("ascii", "replace"), value.encode("ascii")
    )


def _as_verified(obj, value):
    if not IDocumento.providedBy(obj) or obj.file is None:
        return None
    if not _same(getattr(obj, "csv", None), value):
        return None
    parent = getattr(obj, "__parent__", None)
    if IAsiento.providedBy(parent):
        if parent.justificante == obj.getId() and _same(parent.csv, value):
            return Verified(RECEIPT, value, obj, parent)
        return None
    if api.content.get_state(obj, default=None) == Documento.FIRMADO:
        return Verified(SIGNED_DOCUMENT, value, obj)
    return None


def lookup(raw):
    """The :class:`Verified` document of the CSV ``raw``, or None.

    Unrestricted: the CSV is the permission. Only signed documents and register
    receipts count; anything else carrying a ``csv`` is not found.
    """
    value = normalise(raw)
    if value is None:
        return None
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(csv=value):
        try:
            obj = brain._unrestrictedGetObject()
        except (AttributeError, KeyError):
            continue
        verified = _as_verified(obj, value)
        if verified is not None:
            return verified
    return None


@dataclass(frozen=True)
class Outcome:
    """``verified`` on a hit; ``retry_after`` (seconds) when refused; neither
    when not found."""

    verified: Verified = None
    retry_after: int = 0


def verify(request, raw, throttle=None):
    """Look ``raw`` up for the client of ``request``, throttled."""
    throttle = throttle if throttle is not None else THROTTLE
    address = client_address(request)
    wait = throttle.retry_after(address)
    if wait:
        # Refused before looking: a hit must not answer differently from a
        # miss while an address is refused, or guessing would go on.
        return Outcome(retry_after=wait)
    verified = lookup(raw)
    if verified is None:
        throttle.record_miss(address)
    return Outcome(verified=verified)
