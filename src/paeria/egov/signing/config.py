"""Where the signing keys, certificates and trust come from: the environment,
never the code (docs/signatures.md, "Configuration").

=========================  ==================================================
``PAERIA_SIGNING_DIR``     the signing directory (default ``var/signing`` of
                           the instance, which ``paeria-instance configure``
                           writes into zope.conf): ``keys/`` (the employees'
                           key store), ``dev-pki/`` (the development PKI, only
                           with ``DEMO=1``), ``crls/`` (CRLs to check, DER or
                           PEM)
``PAERIA_SEAL_P12``        the council's seal, a PKCS#12 file (default: the
                           development PKI's ``seal.p12``, when it exists)
``PAERIA_SEAL_PIN``        its PIN (default: the development seal's, only for
                           the development seal)
``PAERIA_TRUST_ANCHORS``   trusted roots, PEM or DER files separated by ``:``
                           (default: the development PKI's root, if any)
``PAERIA_TSA_URL``         an RFC 3161 time-stamping authority: signatures
                           become PAdES B-T / CAdES-T (default: none, B-B)
``PAERIA_SIGNING_FETCH``   ``1``: fetch CRLs and OCSP responses over the
                           network when validating and embed them (B-LT)
=========================  ==================================================

Plone-free.
"""

from dataclasses import dataclass
from paeria.egov.signing.pki import DEV_SEAL_PIN
from pathlib import Path
import os


DEV_PKI = "dev-pki"
KEYS = "keys"
CRLS = "crls"


@dataclass(frozen=True)
class SigningConfig:
    directory: Path
    seal_p12: Path | None
    seal_pin: str | None
    trust_anchors: tuple
    tsa_url: str | None
    fetch_revocation: bool

    @property
    def keys(self):
        return self.directory / KEYS

    @property
    def dev_pki(self):
        return self.directory / DEV_PKI

    def crl_files(self):
        """Every CRL to check: the development PKI's and those in ``crls/``."""
        files = []
        if (self.dev_pki / "crl.der").is_file():
            files.append(self.dev_pki / "crl.der")
        if (self.directory / CRLS).is_dir():
            files += sorted(
                path for path in (self.directory / CRLS).iterdir() if path.is_file()
            )
        return files


def default_directory():
    """``var/signing`` of the instance: Zope's client home is ``var/``."""
    client_home = os.environ.get("CLIENT_HOME")
    if client_home:
        return Path(client_home) / "signing"
    return Path.cwd() / "var" / "signing"


def from_environment(environ=None):
    environ = os.environ if environ is None else environ
    directory = Path(
        environ.get("PAERIA_SIGNING_DIR", "").strip() or default_directory()
    )
    dev_pki = directory / DEV_PKI
    seal_p12 = environ.get("PAERIA_SEAL_P12", "").strip()
    seal_pin = environ.get("PAERIA_SEAL_PIN") or None
    if not seal_p12 and (dev_pki / "seal.p12").is_file():
        seal_p12 = str(dev_pki / "seal.p12")
        if seal_pin is None:
            seal_pin = DEV_SEAL_PIN
    anchors = environ.get("PAERIA_TRUST_ANCHORS", "").strip()
    if anchors:
        trust_anchors = tuple(Path(path) for path in anchors.split(":") if path)
    elif (dev_pki / "root.pem").is_file():
        trust_anchors = (dev_pki / "root.pem",)
    else:
        trust_anchors = ()
    return SigningConfig(
        directory=directory,
        seal_p12=Path(seal_p12) if seal_p12 else None,
        seal_pin=seal_pin,
        trust_anchors=trust_anchors,
        tsa_url=environ.get("PAERIA_TSA_URL", "").strip() or None,
        fetch_revocation=environ.get("PAERIA_SIGNING_FETCH", "0").strip() == "1",
    )
