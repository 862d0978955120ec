"""The employees' signing keys, held by the server encrypted under a PIN only
the employee knows (Ley 40/2015 art. 43: the signature of the employee).

One directory holds, per user id, ``<user id>.p12`` (the PKCS#12 file with the
key, its certificate and chain, encrypted under the PIN), ``<user id>.pem``
(the certificate alone, to show who would sign without asking for the PIN) and
``<user id>.state`` (failed attempts and the end of a lock).

The PIN is typed when signing and used at once to decrypt the key: it is never
stored, never logged and never part of an exception's message. Three wrong
PINs in a row lock the key for 15 minutes (:class:`KeyLocked`); the state is a
small file updated under an exclusive lock, so that every process serving the
portal counts the same attempts. Plone-free: the caller journals the lock.
"""

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import NoEncryption
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.hazmat.primitives.serialization import PrivateFormat
from paeria.egov import clock
from pathlib import Path
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
import contextlib
import fcntl
import json
import os
import re


MAX_FAILURES = 3
LOCK_SECONDS = 15 * 60
USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


class KeyStoreError(Exception):
    """A key that cannot be used; the message never holds the PIN."""


class NoKey(KeyStoreError):
    """The user has no signing key in the store."""


class WrongPin(KeyStoreError):
    """The PIN did not open the key; ``remaining`` attempts before the lock."""

    def __init__(self, remaining, locked_until=None):
        super().__init__("wrong PIN")
        self.remaining = remaining
        self.locked_until = locked_until


class KeyLocked(KeyStoreError):
    """Too many wrong PINs: the key is locked until ``locked_until`` (epoch)."""

    def __init__(self, locked_until, just_locked=False):
        super().__init__("key locked")
        self.locked_until = locked_until
        # True for the wrong PIN that locked it (the caller journals that one).
        self.just_locked = just_locked


def asn1_certificate(certificate):
    """A cryptography certificate as pyHanko's (asn1crypto) one."""
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def signer_from_pkcs12(data, pin):
    """A pyHanko signer from a PKCS#12 file's bytes and its PIN; ValueError
    (without the PIN in it) when the PIN does not open it."""
    password = pin.encode("utf-8") if pin else None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise ValueError("the PKCS#12 file could not be opened") from None
    if key is None or certificate is None:
        raise ValueError("the PKCS#12 file holds no key and certificate")
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )
    registry = SimpleCertificateStore.from_certs(
        [asn1_certificate(issuer) for issuer in chain or ()]
    )
    return SimpleSigner(
        signing_cert=asn1_certificate(certificate),
        signing_key=key_info,
        cert_registry=registry,
    )


class KeyStore:
    """The per-employee key store under ``directory``."""

    def __init__(
        self,
        directory,
        now=None,
        max_failures=MAX_FAILURES,
        lock_seconds=LOCK_SECONDS,
    ):
        self.directory = Path(directory)
        # The portal's clock (seconds since the epoch), or the caller's.
        self.now = now or (lambda: clock.now().timestamp())
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds

    def _path(self, user_id, suffix):
        if not USER_ID.match(user_id or ""):
            raise NoKey("no signing key for this user")
        return self.directory / f"{user_id}{suffix}"

    def has_key(self, user_id):
        try:
            return self._path(user_id, ".p12").is_file()
        except NoKey:
            return False

    def certificate(self, user_id):
        """The user's certificate (cryptography), or None: no PIN needed."""
        if not self.has_key(user_id):
            return None
        path = self._path(user_id, ".pem")
        if path.is_file():
            return x509.load_pem_x509_certificate(path.read_bytes())
        return None

    def install(self, user_id, pkcs12_data, certificate_pem):
        """Store a user's PKCS#12 file (already encrypted under their PIN)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for suffix, data, mode in (
            (".p12", pkcs12_data, 0o600),
            (".pem", certificate_pem, 0o644),
        ):
            path = self._path(user_id, suffix)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
        self._path(user_id, ".state").unlink(missing_ok=True)

    @contextlib.contextmanager
    def _state(self, user_id):
        """The user's attempt state, read and written under an exclusive lock."""
        path = self._path(user_id, ".state")
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "r+") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX)
            try:
                state = json.loads(stream.read() or "{}")
            except ValueError:
                state = {}
            before = dict(state)
            try:
                yield state
            finally:
                # Also when the body raised (a wrong PIN is counted so).
                if state != before:
                    stream.seek(0)
                    stream.truncate()
                    stream.write(json.dumps(state))

    def locked_until(self, user_id):
        """The end of the user's lock (epoch seconds), or None."""
        with self._state(user_id) as state:
            until = state.get("locked_until")
        return until if until and until > self.now() else None

    def unlock(self, user_id, pin):
        """The user's signer, opened with ``pin``.

        Raises :class:`NoKey`, :class:`KeyLocked` (also the third wrong PIN,
        which locks) or :class:`WrongPin`; a right PIN clears the count.
        """
        if not self.has_key(user_id):
            raise NoKey("no signing key for this user")
        data = self._path(user_id, ".p12").read_bytes()
        with self._state(user_id) as state:
            now = self.now()
            until = state.get("locked_until")
            if until and until > now:
                raise KeyLocked(until)
            if until:
                state.clear()
            try:
                signer = signer_from_pkcs12(data, pin or "")
            except ValueError:
                failures = state.get("failures", 0) + 1
                state["failures"] = failures
                if failures >= self.max_failures:
                    state["failures"] = 0
                    state["locked_until"] = now + self.lock_seconds
                    raise KeyLocked(state["locked_until"], just_locked=True) from None
                raise WrongPin(self.max_failures - failures) from None
            state.clear()
        return signer
