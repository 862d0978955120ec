"""JSON request bodies read in bounded memory: each big file's data goes to
a temporary file as it is read, and its base64 is decoded in chunks.

:func:`spool_json` reads a JSON body from a stream in chunks. The string of
every ``"data"`` member longer than :data:`SPOOL_THRESHOLD` (a file's data, as
plone.restapi and the portal's own doors send it) is written, unescaped, to a
temporary file instead of memory, and replaced in the JSON by a placeholder
made with a random token of this body (a client cannot name another body's
file); the rest, the *skeleton*, is kept in memory up to ``fields_limit``
bytes and parsed with :func:`json.loads`. :func:`decode_base64` turns a
spooled (or ordinary) string into a :class:`SpooledFile` of the decoded
bytes, reading and decoding 256 KB of base64 at a time.

Why: a 50 MB file is a 67 MB base64 string; read whole, parsed and decoded it
costs four to five times the file in memory (docs/performance.md, "Uploads").
Plone-free; errors are :class:`BodyTooLarge` and :class:`BadBody`.
"""

import base64
import binascii
import json
import re
import secrets
import tempfile


SPOOL_THRESHOLD = 64 * 1024
# Bytes read at a time. Small: each read is copied two or three times on its
# way to the temporary file, and what the allocator keeps of those copies is
# what a refused upload costs (under 10 MB, docs/performance.md "Uploads").
READ_SIZE = 256 * 1024
# Base64 characters decoded at a time: a multiple of 4, so that every chunk
# but the last decodes on its own.
DECODE_SIZE = 4 * 64 * 1024
_STOP = re.compile(rb'["\\]')
_WHITESPACE = b" \t\r\n"
_ESCAPE_LENGTH = {ord("u"): 6}


class BodyTooLarge(Exception):
    pass


class BadBody(Exception):
    pass


class SpooledFile:
    """Bytes in an anonymous temporary file (deleted when closed or
    collected): what a spooled string or a decoded file is. It is a readable,
    seekable stream; plone.namedfile stores it into a blob by chunks (the
    storable registered for it in the add-on's configure.zcml)."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (owned by self)
        self.size = 0

    def write(self, data):
        self._file.write(data)
        self.size += len(data)

    def read(self, size=-1):
        return self._file.read(size)

    def seek(self, offset, whence=0):
        return self._file.seek(offset, whence)

    def tell(self):
        return self._file.tell()

    def close(self):
        self._file.close()

    def __del__(self):
        # Closed when no longer used (the request is over): quietly, and
        # the temporary file is gone with it.
        self._file.close()

    def chunks(self, size=READ_SIZE):
        self._file.seek(0)
        while chunk := self._file.read(size):
            yield chunk
        self._file.seek(0)

    def __len__(self):
        return self.size

    def __bool__(self):
        return self.size > 0

    def __repr__(self):
        return f"<SpooledFile {self.size} bytes>"


class _Scanner:
    """The state of one body read: the skeleton so far and the spools."""

    def __init__(self, fields_limit):
        self.fields_limit = fields_limit
        self.skeleton = bytearray()
        self.spools = {}
        self.token = secrets.token_hex(16)
        self.last_structural = b""
        self.last_string = None  # the previous string, when short (a key)

    def keep(self, data):
        self.skeleton += data
        if len(self.skeleton) > self.fields_limit:
            raise BodyTooLarge()

    def outside(self, buffer, start, end):
        """Keep the structural bytes before a string; remember the last one."""
        part = buffer[start:end]
        self.keep(part)
        stripped = part.rstrip(_WHITESPACE)
        if stripped:
            self.last_structural = stripped[-1:]


class _StringReader:
    """One JSON string read piece by piece: kept raw in the skeleton, or, for a
    long ``"data"`` member, unescaped into a :class:`SpooledFile`."""

    def __init__(self, scanner, spoolable):
        self.scanner = scanner
        self.spoolable = spoolable
        self.raw = bytearray()
        self.spool = None

    def add(self, piece, escaped):
        if self.spool is None:
            self.raw += piece
            if self.spoolable and len(self.raw) > SPOOL_THRESHOLD:
                self.spool = SpooledFile()
                self.spool.write(_unescape(bytes(self.raw)))
                self.raw = None
            elif not self.spoolable and len(self.raw) > self.scanner.fields_limit:
                raise BodyTooLarge()
        else:
            self.spool.write(_unescape(piece) if escaped else piece)

    def finish(self):
        scanner = self.scanner
        if self.spool is None:
            scanner.keep(b'"' + self.raw + b'"')
            scanner.last_string = bytes(self.raw) if len(self.raw) <= 16 else None
            return
        placeholder = f"\x00spooled:{scanner.token}:{len(scanner.spools)}"
        scanner.spools[placeholder] = self.spool
        scanner.keep(json.dumps(placeholder).encode("ascii"))
        scanner.last_string = None


def _unescape(raw):
    try:
        return json.loads(b'"' + raw + b'"').encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise BadBody() from None


def _read_string(stream, buffer, position, reader):
    """Read the string that starts at ``position`` (after its quote) into
    ``reader``; return (buffer, position after the closing quote)."""
    while True:
        match = _STOP.search(buffer, position)
        if match is None:
            reader.add(buffer[position:], False)
            buffer, position = stream.read(READ_SIZE), 0
            if not buffer:
                raise BadBody()
            continue
        stop = match.start()
        if stop > position:
            reader.add(buffer[position:stop], False)
        if buffer[stop] == ord('"'):
            return buffer, stop + 1
        buffer, position = _read_escape(stream, buffer, stop, reader)


def _read_escape(stream, buffer, stop, reader):
    """One escape sequence (``\\/``, ``\\u00e9``…) at ``stop``, even when it is
    split between two reads."""
    if stop + 1 >= len(buffer):
        buffer = buffer[stop:] + stream.read(READ_SIZE)
        stop = 0
    length = _ESCAPE_LENGTH.get(buffer[stop + 1], 2) if stop + 1 < len(buffer) else 2
    if stop + length > len(buffer):
        buffer = buffer[stop:] + stream.read(READ_SIZE)
        stop = 0
    if stop + length > len(buffer):
        raise BadBody()
    reader.add(buffer[stop : stop + length], True)
    return buffer, stop + length


def spool_json(stream, fields_limit):
    """(parsed JSON, {placeholder: SpooledFile}) of the JSON body in
    ``stream``. BodyTooLarge when the skeleton passes ``fields_limit`` bytes;
    BadBody when it is not JSON."""
    scanner = _Scanner(fields_limit)
    buffer, position = stream.read(READ_SIZE), 0
    while buffer:
        quote = buffer.find(b'"', position)
        if quote < 0:
            scanner.outside(buffer, position, len(buffer))
            buffer, position = stream.read(READ_SIZE), 0
            continue
        scanner.outside(buffer, position, quote)
        spoolable = scanner.last_structural == b":" and scanner.last_string == b"data"
        reader = _StringReader(scanner, spoolable)
        buffer, position = _read_string(stream, buffer, quote + 1, reader)
        reader.finish()
        scanner.last_structural = b'"'
    try:
        parsed = json.loads(bytes(scanner.skeleton) or b"{}")
    except ValueError:
        raise BadBody() from None
    return parsed, scanner.spools


def resolve(value, spools):
    """``value`` with each placeholder of ``spools`` replaced by its
    SpooledFile (in dicts and lists, at any depth)."""
    if isinstance(value, str):
        return spools.get(value, value)
    if isinstance(value, dict):
        return {key: resolve(item, spools) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, spools) for item in value]
    return value


def _text_chunks(data):
    if isinstance(data, SpooledFile):
        yield from data.chunks(DECODE_SIZE)
    else:
        text = data.encode("ascii", "replace")
        for start in range(0, len(text), DECODE_SIZE):
            yield text[start : start + DECODE_SIZE]


_NOT_BASE64 = bytes(
    set(range(256))
    - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
)


def decode_base64(data, strict=True):
    """The SpooledFile of the bytes ``data`` (a str or a SpooledFile of
    base64 text) encodes, decoded DECODE_SIZE characters at a time.
    ``strict``: BadBody when it is not strict base64 (no whitespace,
    padding only at the end); otherwise characters outside base64 are
    skipped, as Python's ``codecs.decode(data, "base64")`` does
    (plone.restapi's reading)."""
    decoded = SpooledFile()
    pending = b""
    ended = False
    for chunk in _text_chunks(data):
        if not strict:
            chunk = chunk.translate(None, _NOT_BASE64)
        text = pending + chunk
        cut = len(text) - len(text) % 4
        text, pending = text[:cut], text[cut:]
        if ended and text:
            raise BadBody()  # padding before the end
        ended = text.endswith(b"=")
        try:
            decoded.write(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise BadBody() from None
    if pending:
        raise BadBody()
    decoded.seek(0)
    return decoded


def copy_text(data):
    """The SpooledFile of a text (a str or a SpooledFile of UTF-8) as bytes."""
    if isinstance(data, SpooledFile):
        data.seek(0)
        return data
    copied = SpooledFile()
    copied.write(data.encode("utf-8"))
    copied.seek(0)
    return copied
