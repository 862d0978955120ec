"""Verification of a document by its secure verification code (CSV).

Whoever holds a CSV may see the metadata of the document it identifies and
download the document itself: the code is the credential (Ley 40/2015 art.
42.b, Ley 39/2015 art. 27.3). Two kinds of document have one, both drawn by
``csvcodes.unused_csv`` (32 characters of
``ABCDEFGHJKLMNPQRSTUVWXYZ23456789``, 160 bits) and carried by a TF01
signature record:

- a signed Documento (state ``firmado``), signed by a person;
- the receipt (justificante) of a register entry, a Documento inside its
  Asiento, sealed by the portal when it registers the entry.

Receipts issued before the CSV was unified are 32 characters of base32
(``A-Z2-7``, also 160 bits); they are still looked up.

Everything else (an unsigned or annulled document's code, an ENI export's
``eni_csv``, a random or malformed value, nothing) is *not found*, answered
the same way whatever the reason, so that an answer never tells whether a code
exists.

Failed lookups are throttled per client address by :data:`THROTTLE`, a sliding
window kept **in the memory of each Zope process**: with several processes
behind a balancer an address gets up to ``max_misses`` misses per window from
each of them, and the throttle is forgotten on restart. It slows guessing down
(which 160 bits already make hopeless) and keeps the catalog from being
hammered; the balancer or reverse proxy should rate-limit ``@@verificar`` and
``@verificar`` too. The client address is :func:`paeria.egov.http.client_address`.
"""

from collections import deque
from dataclasses import dataclass
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.documento import IDocumento
from paeria.egov.http import client_address
from paeria.egov.states import Documento
from paeria.egov.vocabularies.codes import CODE_LISTS
from plone import api
from zope.i18n import translate
import hmac
import math
import re
import threading
import time


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

DEFAULT_MAX_MISSES = 10
DEFAULT_WINDOW_SECONDS = 600
# Addresses remembered at most; beyond, the stalest are forgotten (memory bound
# under a distributed attack, which the balancer must stop anyway).
DEFAULT_MAX_ADDRESSES = 10000


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


def _code_title(vocabulary_name, code, request):
    for token, title in CODE_LISTS[vocabulary_name]:
        if token == code:
            return translate(title, context=request)
    return code


def _isoformat(moment):
    return moment.isoformat() if moment is not None else None


def metadata(verified, request, download_url):
    """What a verification shows: JSON-ready, nothing of the interested
    parties beyond what the document's own title says."""
    documento = verified.documento
    named_file = documento.file
    data = {
        "kind": verified.kind,
        "csv": verified.csv,
        "title": documento.Title(),
        "eni_identifier": documento.eni_identifier,
        "tipo_documental": documento.tipo_documental,
        "tipo_documental_title": _code_title(
            "paeria.egov.TipoDocumental", documento.tipo_documental, request
        ),
        "funcion_resumen": "SHA-256",
        "huella": documento.huella,
        "filename": named_file.filename,
        "content_type": named_file.contentType,
        "size": named_file.getSize(),
        "download": download_url,
        "signatures": [],
        "registro": None,
    }
    if verified.kind == SIGNED_DOCUMENT:
        data["signatures"] = [
            {
                "signature_type": record.signature_type,
                "signature_type_title": _code_title(
                    "paeria.egov.TipoFirma", record.signature_type, request
                ),
                "signer": record.signer_fullname,
                "signed_at": _isoformat(record.signed_at),
            }
            for record in getattr(documento, "signatures", None) or ()
        ]
    else:
        asiento = verified.asiento
        data["registro"] = {
            "numero": asiento.numero,
            "tipo": asiento.tipo,
            "fecha_presentacion": _isoformat(asiento.fecha_presentacion),
        }
    return data


# -- Throttling of failed lookups --------------------------------------------------


class FailedLookupThrottle:
    """Per-address sliding window of failed lookups, in this process's memory.

    After ``max_misses`` misses within ``window`` seconds an address is refused
    until the oldest of them leaves the window. Hits are not counted, nor are
    refused requests (a refused client is not kept out longer for insisting).
    ``clock`` returns seconds (monotonic); tests inject their own.
    """

    def __init__(
        self,
        max_misses=DEFAULT_MAX_MISSES,
        window=DEFAULT_WINDOW_SECONDS,
        clock=time.monotonic,
        max_addresses=DEFAULT_MAX_ADDRESSES,
    ):
        self.max_misses = max_misses
        self.window = window
        self.clock = clock
        self.max_addresses = max_addresses
        self._misses = {}
        self._lock = threading.Lock()

    def _current(self, address, now):
        misses = self._misses.get(address)
        if misses is None:
            return None
        while misses and misses[0] <= now - self.window:
            misses.popleft()
        if not misses:
            del self._misses[address]
            return None
        return misses

    def retry_after(self, address):
        """Seconds ``address`` must wait (at least 1), or 0 when it may ask."""
        with self._lock:
            now = self.clock()
            misses = self._current(address, now)
            if misses is None or len(misses) < self.max_misses:
                return 0
            return max(1, math.ceil(misses[0] + self.window - now))

    def record_miss(self, address):
        with self._lock:
            now = self.clock()
            misses = self._current(address, now)
            if misses is None:
                if len(self._misses) >= self.max_addresses:
                    self._forget_stalest(now)
                misses = self._misses[address] = deque()
            misses.append(now)
            while len(misses) > self.max_misses:
                misses.popleft()

    def _forget_stalest(self, now):
        for address in list(self._misses):
            self._current(address, now)
        while len(self._misses) >= self.max_addresses:
            stalest = min(self._misses, key=lambda key: self._misses[key][-1])
            del self._misses[stalest]

    def reset(self):
        with self._lock:
            self._misses.clear()


THROTTLE = FailedLookupThrottle()


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


def portal_url():
    return api.portal.get().absolute_url()


def page_url(csv, download=False):
    suffix = "/download" if download else ""
    return f"{portal_url()}/@@verificar{suffix}?csv={csv}"


def api_url(csv, download=False):
    suffix = "/download" if download else ""
    return f"{portal_url()}/@verificar{suffix}?csv={csv}"
