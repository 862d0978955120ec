"""Fingerprints (SHA-256) of stored files: the one place that computes them.

A Documento's ``huella`` is the SHA-256 of its file's bytes as committed; a
signature, an incorporation and a notification record the same kind of value.
Every feature that writes or checks one calls these functions, so that there
is one way of reading a blob for its fingerprint. Plone-free: a ``named_file``
is anything with ``open()`` that returns a readable binary stream (a
plone.namedfile blob file).
"""

import hashlib


#: Bytes read from the blob at a time.
CHUNK_SIZE = 1 << 20


def digest(named_file):
    """(hexadecimal SHA-256, bytes read) of a stored file, read in chunks."""
    hasher = hashlib.sha256()
    size = 0
    with named_file.open() as stream:
        for chunk in iter(lambda: stream.read(CHUNK_SIZE), b""):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def sha256_of_file(named_file):
    """Hash the stored bytes (the blob as committed), in chunks."""
    return digest(named_file)[0]


def fingerprint_of(documento):
    """The fingerprint of the document's file now, or None without a file."""
    if documento.file is None:
        return None
    return sha256_of_file(documento.file)


def matches_fingerprint(documento):
    """Whether the document has a file whose bytes are still those of its
    recorded fingerprint (``huella``)."""
    return documento.file is not None and (
        sha256_of_file(documento.file) == documento.huella
    )
