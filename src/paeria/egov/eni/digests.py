"""ValorHuella and FuncionResumen: the fingerprints of the ENI index.

The exporter writes the base64 digest of a document's content; the importer
also accepts a hex digest and the usual spellings of the hash function.
Independent of Plone.
"""

import base64
import binascii
import hashlib
import re


#: Hash function written to FuncionResumen by the exporter.
DEFAULT_HASH_FUNCTION = "SHA-256"

#: FuncionResumen spellings accepted on import, by normalised name -> hashlib name.
#: The NTI leaves the spelling free (``xsd:string``): exchanges in the wild use
#: "SHA-256", "SHA256" or the XML-DSig algorithm URI.
_HASH_ALIASES = {
    "SHA256": "sha256",
    "SHA384": "sha384",
    "SHA512": "sha512",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA256": "sha256",
    "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#SHA384": "sha384",
    "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA512": "sha512",
}

_HEX_RE = re.compile(r"[0-9A-Fa-f]+\Z")
_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")


def hashlib_name(hash_function: str) -> str | None:
    """The hashlib name for a FuncionResumen value, or None if unsupported."""
    if not isinstance(hash_function, str):
        return None
    key = hash_function.strip().upper()
    if not key.startswith("HTTP"):
        key = key.replace("-", "").replace("_", "").replace(" ", "")
    return _HASH_ALIASES.get(key)


def fingerprint(content: bytes, hash_function: str = DEFAULT_HASH_FUNCTION) -> str:
    """ValorHuella of ``content``: its base64-encoded digest."""
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(f"Unsupported hash function {hash_function!r}")
    return base64.b64encode(hashlib.new(name, content).digest()).decode("ascii")


def decode_fingerprint(value: str, hash_function: str) -> bytes:
    """The raw digest written in ValorHuella, as base64 or as hex.

    Raises ValueError when the hash function is unsupported or the value is
    neither the base64 nor the hex form of a digest of the right length.
    """
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(
            f"unsupported hash function {hash_function!r} "
            "(supported: SHA-256, SHA-384, SHA-512)"
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
        f"fingerprint {value[:80]!r} is neither the base64 nor the hex form of a "
        f"{hash_function} digest"
    )


def fingerprint_matches(content: bytes, value: str, hash_function: str) -> bool:
    """Whether ValorHuella ``value`` is the digest of ``content``.

    Raises ValueError like :func:`decode_fingerprint`.
    """
    raw = decode_fingerprint(value, hash_function)
    name = hashlib_name(hash_function)
    return hashlib.new(name, content).digest() == raw
