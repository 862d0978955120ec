"""The development PKI: a test authority that issues the council's seal and the
demo signers' certificates, so that a demo portal signs for real.

NEVER FOR PRODUCTION. Every certificate it makes names itself a test
authority (:data:`TEST_AUTHORITY`); a production portal installs the seal and
the employees' certificates issued by a qualified provider (docs/signatures.md).

:func:`create_dev_pki` writes, once, under one directory::

    root.pem              the test root (the default trust anchor)
    issuing-ca.pem        the issuing CA, and its key (issuing-ca-key.pem)
    crl.der               the issuing CA's CRL (nothing revoked yet)
    seal.p12              the council's seal (sello de órgano), under the seal PIN
    tsa.pem, tsa-key.pem  a time-stamping unit, for tests' local TSA
    keys/<user id>.p12    each demo signer's certificate, under their PIN

The certificates' subjects follow Spanish practice: an employee's
(certificado de empleado público, art. 43 Ley 40/2015) names the person, their
NIF (``serialNumber`` ``IDCES-<NIF>``) and the council; the seal's (art. 40)
names the council and its tax code (``organizationIdentifier`` ``VATES-<CIF>``).
Plone-free; keys are ECDSA P-256 (the test TSA's, RSA).
"""

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID
from dataclasses import dataclass
from dataclasses import field
from paeria.egov import clock
from pathlib import Path
import datetime
import os


TEST_AUTHORITY = "PAERIA TEST AUTHORITY - NOT FOR PRODUCTION"
DEV_PIN = "paeria-demo"
DEV_SEAL_PIN = "paeria-demo-seal"
DEV_COUNCIL = "Ajuntament de Lleida"
DEV_COUNCIL_CIF = "P2515100B"
COMPLETE_MARKER = "COMPLETE"
# Where the certificates say their CRL is: nowhere reachable (.invalid), so
# the CRL is the file the portal is given (crl.der), never fetched.
DEV_CRL_URL = "http://crl.paeria-test-authority.invalid/issuing-ca.crl"
README = """\
{authority}

These keys and certificates were made by paeria.egov's development PKI for a
demo portal. They are NOT for production: a signature made with them is worth
nothing outside this portal. See docs/signatures.md to install the council's
real seal and the employees' certificates.
"""
NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@dataclass
class Issued:
    """A certificate and its private key."""

    certificate: x509.Certificate
    key: object  # a cryptography private key
    chain: list = field(default_factory=list)  # issuers, nearest first


@dataclass(frozen=True)
class Signer:
    """A person who signs: portal user id, full name, NIF."""

    user_id: str
    fullname: str
    nif: str


def nif_for(number):
    """A valid Spanish NIF for an eight-digit number (for demo people)."""
    number = int(number) % 100_000_000
    return f"{number:08d}{NIF_LETTERS[number % 23]}"


def _issuing_moment():
    return clock.now().replace(microsecond=0)


def ca_name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_AUTHORITY),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def employee_name(fullname, nif, council=DEV_COUNCIL, test=True):
    """The subject of a Spanish public employee's certificate."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, council),
    ]
    if test:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_AUTHORITY)
        )
    attributes += [
        x509.NameAttribute(NameOID.TITLE, "EMPLEADO PUBLICO"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDCES-{nif}"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{fullname} - NIF {nif}"),
    ]
    return x509.Name(attributes)


def seal_name(council=DEV_COUNCIL, cif=DEV_COUNCIL_CIF, test=True):
    """The subject of a council's seal certificate (sello de órgano)."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, council),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"VATES-{cif}"),
    ]
    if test:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_AUTHORITY)
        )
    attributes.append(
        x509.NameAttribute(NameOID.COMMON_NAME, f"SELLO ELECTRONICO DE {council}")
    )
    return x509.Name(attributes)


def _key_usage(purpose):
    signing = purpose in ("signing", "tsa")
    ca = purpose == "ca"
    return (
        x509.KeyUsage(
            digital_signature=not ca,
            content_commitment=purpose == "signing",
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )
        if (signing or ca)
        else None
    )


def issue(subject, issuer=None, purpose="signing", not_before=None, days=825):
    """A new key and its certificate for ``subject``; self-signed (a root)
    when ``issuer`` is None. ``purpose``: ``ca``, ``signing`` or ``tsa`` (an
    RSA key: pyHanko's local test TSA signs with RSA only)."""
    if purpose == "tsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    not_before = not_before or _issuing_moment() - datetime.timedelta(minutes=5)
    signing_key = key if issuer is None else issuer.key
    issuer_name = subject if issuer is None else issuer.certificate.subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=days))
        .add_extension(
            x509.BasicConstraints(ca=purpose == "ca", path_length=None),
            critical=True,
        )
        .add_extension(_key_usage(purpose), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
            critical=False,
        )
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if issuer is not None and purpose != "ca":
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(DEV_CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    if purpose == "tsa":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    certificate = builder.sign(signing_key, hashes.SHA256())
    chain = [] if issuer is None else [issuer.certificate, *issuer.chain]
    return Issued(certificate, key, chain)


def certificate_revocation_list(issuer, revoked=(), days=30, now=None):
    """The DER CRL of ``issuer`` revoking the certificates ``revoked``."""
    now = now or _issuing_moment()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - datetime.timedelta(minutes=5))
        .next_update(now + datetime.timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for certificate in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(now - datetime.timedelta(minutes=1))
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(
        serialization.Encoding.DER
    )


def pkcs12_bytes(issued, pin, friendly_name="signer"):
    """``issued`` as a PKCS#12 file encrypted under ``pin`` (with its chain)."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"),
        issued.key,
        issued.certificate,
        issued.chain or None,
        serialization.BestAvailableEncryption(pin.encode("utf-8")),
    )


def pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path, data, private=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(temporary, flags, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


@dataclass
class DevPki:
    """The authorities of a development PKI, in memory (tests use them to
    issue more certificates: expired, revoked…)."""

    root: Issued
    issuing: Issued
    seal: Issued
    tsa: Issued
    employees: dict = field(default_factory=dict)  # user id -> Issued


def build_dev_pki(signers, council=DEV_COUNCIL, cif=DEV_COUNCIL_CIF):
    """A new development PKI in memory: root, issuing CA, seal, TSA and one
    certificate per :class:`Signer`."""
    root = issue(ca_name(f"{TEST_AUTHORITY} - ROOT"), purpose="ca", days=3650)
    issuing = issue(
        ca_name(f"{TEST_AUTHORITY} - ISSUING CA"), root, purpose="ca", days=3000
    )
    pki = DevPki(
        root=root,
        issuing=issuing,
        seal=issue(seal_name(council, cif), issuing),
        tsa=issue(ca_name(f"{TEST_AUTHORITY} - TSA"), issuing, purpose="tsa"),
    )
    for signer in signers:
        pki.employees[signer.user_id] = issue(
            employee_name(signer.fullname, signer.nif, council), issuing
        )
    return pki


def write_dev_pki(pki, directory, keys=None, pin=DEV_PIN, seal_pin=DEV_SEAL_PIN):
    """Write ``pki``'s files under ``directory`` (see the module's docstring),
    the employees' under ``keys`` (the key store's directory) if given."""
    directory = Path(directory)
    keys = Path(keys) if keys else directory / "keys"
    _write(directory / "README.txt", README.format(authority=TEST_AUTHORITY).encode())
    _write(directory / "root.pem", pem(pki.root.certificate))
    _write(directory / "issuing-ca.pem", pem(pki.issuing.certificate))
    _write(directory / "issuing-ca-key.pem", key_pem(pki.issuing.key), private=True)
    _write(directory / "crl.der", certificate_revocation_list(pki.issuing))
    _write(directory / "seal.p12", pkcs12_bytes(pki.seal, seal_pin, "seal"), True)
    _write(directory / "tsa.pem", pem(pki.tsa.certificate))
    _write(directory / "tsa-key.pem", key_pem(pki.tsa.key), private=True)
    for user_id, issued in pki.employees.items():
        _write(
            keys / f"{user_id}.p12",
            pkcs12_bytes(issued, pin, user_id),
            private=True,
        )
        _write(keys / f"{user_id}.pem", pem(issued.certificate))
    _write(directory / COMPLETE_MARKER, b"")


def create_dev_pki(directory, signers, keys=None):
    """Create the development PKI under ``directory`` (the employees' keys
    under ``keys``) unless it exists; return True when it was created now.
    Idempotent: a PKI is made once."""
    directory = Path(directory)
    if (directory / COMPLETE_MARKER).exists():
        return False
    write_dev_pki(build_dev_pki(signers), directory, keys)
    return True
