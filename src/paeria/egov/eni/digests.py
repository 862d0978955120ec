"""ValorHuella and FuncionResumen: the fingerprints of the ENI index.

The exporter writes the base64 SHA-256 digest of a document's content; the
importer also accepts a hex digest, SHA-1, SHA-384 and SHA-512, and the usual
spellings of each function (SHA-1 being weak: :data:`WEAK_FUNCTIONS`).
Independent of Plone.
"""

from paeria.egov.eni.messages import checks as messages
from paeria.egov.eni.problems import problem
import base64
import binascii
import hashlib
import re


#: Hash function written to FuncionResumen by the exporter.
DEFAULT_HASH_FUNCTION = "SHA-256"

#: FuncionResumen spellings accepted on import, by normalised name -> hashlib
#: name. The NTI leaves the spelling free (``xsd:string``): exchanges in the
#: wild use "SHA-256", "SHA256", "sha1", the XML-DSig / XML-Enc algorithm URIs
#: or the OIDs. Names are normalised by :func:`_key`.
_HASH_ALIASES = {
    "SHA1": "sha1",
    "SHA256": "sha256",
    "SHA384": "sha384",
    "SHA512": "sha512",
    "HTTP://WWW.W3.ORG/2000/09/XMLDSIG#SHA1": "sha1",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA256": "sha256",
    "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#SHA256": "sha256",
    "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#SHA384": "sha384",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA384": "sha384",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA512": "sha512",
    "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#SHA512": "sha512",
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}

#: The readable name of each function, as the exporter spells them.
CANONICAL_NAMES = {
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
}

#: Functions accepted from other administrations but no longer collision
#: resistant (SHA-1: SHAttered, 2017): a fingerprint made with one proves
#: less, so it is recorded and shown as weak, and the portal relies on its own
#: SHA-256 of the stored bytes.
WEAK_FUNCTIONS = frozenset({"sha1"})

SUPPORTED = ", ".join(CANONICAL_NAMES.values())

#: What an index's ValorHuella was computed over: administrations differ.
#: The digest of the document's content (as this portal writes it) …
OVER_CONTENT = "content"
#: … or of the whole ``enidoc:documento`` XML as sent.
OVER_DOCUMENT_XML = "document_xml"

_HEX_RE = re.compile(r"[0-9A-Fa-f]+\Z")
_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")


def _key(hash_function: str) -> str:
    key = hash_function.strip().upper()
    if key.startswith("URN:OID:"):
        key = key[len("URN:OID:") :]
    if not key.startswith("HTTP"):
        key = key.replace("-", "").replace("_", "").replace(" ", "")
    return key


def hashlib_name(hash_function: str) -> str | None:
    """The hashlib name for a FuncionResumen value, or None if unsupported."""
    if not isinstance(hash_function, str):
        return None
    return _HASH_ALIASES.get(_key(hash_function))


def canonical_name(hash_function: str) -> str | None:
    """ "SHA-1", "SHA-256"… for a FuncionResumen value, or None."""
    return CANONICAL_NAMES.get(hashlib_name(hash_function))


def is_weak(hash_function: str) -> bool:
    """Whether the FuncionResumen value names a weak function (SHA-1)."""
    return hashlib_name(hash_function) in WEAK_FUNCTIONS


def fingerprint(content: bytes, hash_function: str = DEFAULT_HASH_FUNCTION) -> str:
    """ValorHuella of ``content``: its base64-encoded digest."""
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(
            problem(messages.HASH_FUNCTION_UNSUPPORTED, function=repr(hash_function))
        )
    return base64.b64encode(hashlib.new(name, content).digest()).decode("ascii")


def decode_fingerprint(value: str, hash_function: str) -> bytes:
    """The raw digest written in ValorHuella, as base64 or as hex.

    Raises ValueError when the hash function is unsupported or the value is
    neither the base64 nor the hex form of a digest of the right length.
    """
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(
            problem(
                messages.HASH_FUNCTION_UNKNOWN,
                function=repr(hash_function),
                supported=SUPPORTED,
            )
        )
    size = hashlib.new(name).digest_size
    text = "".join(value.split()) if isinstance(value, str) else ""
    if len(text) == 2 * size and _HEX_RE.match(text):
        return bytes.fromhex(text)
    if _B64_RE.match(text):
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == size:
            return raw
    raise ValueError(
        problem(
            messages.FINGERPRINT_FORM, value=repr(value[:80]), function=hash_function
        )
    )


def fingerprint_matches(content: bytes, value: str, hash_function: str) -> bool:
    """Whether ValorHuella ``value`` is the digest of ``content``.

    Raises ValueError like :func:`decode_fingerprint`.
    """
    raw = decode_fingerprint(value, hash_function)
    name = hashlib_name(hash_function)
    return hashlib.new(name, content).digest() == raw
