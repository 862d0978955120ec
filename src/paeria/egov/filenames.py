"""File names as the portal keeps and sends them.

A file name comes from whoever uploads the file (a browser, a REST client, an
ENI package) and is kept for display and as the name of the download only.
:func:`safe_filename` reduces it to a base name: no directories (``/`` or
``\\``), no control characters, no bidi overrides or other invisible format
characters, none of the characters Windows refuses in a name, no leading or
trailing dots and spaces, at most :data:`MAX_BYTES` bytes of UTF-8 (the
extension kept), never empty. Every door that stores a Documento's file goes
through it (the Documento's ``file`` attribute, see
:mod:`paeria.egov.content.documento`), and every download header is built from
it again by :func:`content_disposition`, with an ASCII ``filename`` for old
clients and the full name as RFC 6266/5987 ``filename*``.
"""

from urllib.parse import quote
from urllib.parse import unquote
import re
import unicodedata


MAX_BYTES = 255
DEFAULT_NAME = "documento"
# Longest extension kept whole when a name is shortened.
MAX_EXTENSION = 16
# Characters Windows refuses in a name (the separators are cut before).
_RESERVED_RE = re.compile(r'[<>:"|?*]')
_SPACES_RE = re.compile(r"\s+")
# Unicode categories dropped: controls, format characters (bidi overrides and
# isolates, zero-width characters), line and paragraph separators, surrogates,
# private use and unassigned code points.
_DROPPED_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))
_FILENAME_STAR_RE = re.compile(r"filename\*\s*=\s*([^;]+)", re.IGNORECASE)
_FILENAME_RE = re.compile(r'filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.IGNORECASE)


def _as_text(name):
    if isinstance(name, bytes):
        return name.decode("utf-8", "replace")
    return name if isinstance(name, str) else ""


def _shorten(name, max_bytes):
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    room = max_bytes - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". ")
    return f"{cut}{suffix}"


def safe_filename(name, default=DEFAULT_NAME):
    """``name`` reduced to a safe base name (see the module); ``default`` when
    nothing is left."""
    text = unicodedata.normalize("NFC", _as_text(name))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    text = _SPACES_RE.sub(" ", _RESERVED_RE.sub("_", text)).strip(". ")
    text = _shorten(text, MAX_BYTES)
    return text or default


def ascii_filename(name, default=DEFAULT_NAME):
    """The safe name in printable ASCII (accents dropped), for ``filename=``."""
    decomposed = unicodedata.normalize("NFKD", safe_filename(name, default))
    text = "".join(char for char in decomposed if " " <= char <= "~")
    text = text.replace("\\", "_").replace('"', "_").strip(". ")
    return text or default


def content_disposition(name, disposition="attachment", default=DEFAULT_NAME):
    """The ``Content-Disposition`` value for a file called ``name``: both
    ``filename`` (ASCII) and ``filename*`` (UTF-8), from the safe name."""
    safe = safe_filename(name, default)
    return (
        f'{disposition}; filename="{ascii_filename(safe, default)}"; '
        f"filename*=UTF-8''{quote(safe, safe='')}"
    )


def disposition_filename(value):
    """The file name a ``Content-Disposition`` header value gives, or None."""
    star = _FILENAME_STAR_RE.search(value)
    if star is not None:
        encoded = star.group(1).strip()
        charset, _, rest = encoded.partition("'")
        _language, _, quoted = rest.partition("'")
        return unquote(quoted or encoded, encoding=charset or "utf-8", errors="replace")
    plain = _FILENAME_RE.search(value)
    if plain is not None:
        return re.sub(r"\\(.)", r"\1", plain.group(1).strip().strip('"'))
    return None


def _plain_and_safe(value, filename):
    """The header names, as ``filename=`` only, a safe printable ASCII name
    (``journal.csv``, an ENI identifier): every client reads it as it is."""
    return (
        _FILENAME_STAR_RE.search(value) is None
        and filename == safe_filename(filename)
        and filename == ascii_filename(filename)
    )


def safe_disposition(value):
    """A ``Content-Disposition`` header value rebuilt by
    :func:`content_disposition` (the same disposition type); unchanged when it
    names no file, or only a safe ASCII name as ``filename=``."""
    filename = disposition_filename(value)
    if filename is None or _plain_and_safe(value, filename):
        return value
    disposition = value.split(";", 1)[0].strip().lower() or "attachment"
    if disposition not in ("attachment", "inline"):
        disposition = "attachment"
    return content_disposition(filename, disposition)
