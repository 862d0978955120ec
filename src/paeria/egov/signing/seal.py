"""The council's seal (sello de órgano, Ley 40/2015 art. 40): the signature of
what the portal issues by itself, without a person — register receipts,
notification certificates, register book exports, the journal's daily seal.

Its PKCS#12 file and PIN come from the configuration (``PAERIA_SEAL_P12``,
``PAERIA_SEAL_PIN``; :mod:`paeria.egov.signing.config`), never from the code.
The opened signer is kept per process, keyed by the file and its modification
time, so that replacing the file takes effect without a restart. Plone-free.
"""

from paeria.egov.signing.keys import signer_from_pkcs12
import hashlib
import threading


class SealUnavailable(Exception):
    """No seal is configured, or its file or PIN cannot open it."""


_cache = {}
_lock = threading.Lock()


def seal_signer(config):
    """The seal's pyHanko signer for ``config``; :class:`SealUnavailable`."""
    path = config.seal_p12
    if path is None:
        raise SealUnavailable("no seal is configured (PAERIA_SEAL_P12)")
    try:
        # The PIN's digest, not the PIN: another PIN must not reuse the key.
        pin_digest = hashlib.sha256((config.seal_pin or "").encode()).hexdigest()
        stamp = (str(path), path.stat().st_mtime_ns, pin_digest)
    except OSError:
        raise SealUnavailable(f"the seal's file {path} cannot be read") from None
    with _lock:
        signer = _cache.get(stamp)
        if signer is None:
            try:
                signer = signer_from_pkcs12(path.read_bytes(), config.seal_pin or "")
            except (OSError, ValueError):
                raise SealUnavailable(
                    f"the seal {path} cannot be opened with PAERIA_SEAL_PIN"
                ) from None
            _cache.clear()
            _cache[stamp] = signer
    return signer


def seal_available(config):
    try:
        seal_signer(config)
    except SealUnavailable:
        return False
    return True
