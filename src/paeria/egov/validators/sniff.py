"""Whether a file's bytes are what its declared content type says.

``content.documento.check_file`` trusts the declared type; a client can send
an executable as ``application/pdf``. :func:`content_mismatch` reads the first
bytes (the "magic numbers" of the accepted formats) and says what is wrong,
or ``None``. To be called from check_file (see docs/security.md, "Known
gaps"), which raises its FieldValueError with the message.
"""

from paeria.egov import _


# Signatures that are never an accepted document, whatever the declared type.
EXECUTABLES = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"#!",  # scripts
)
ZIP = (b"PK\x03\x04",)
# Declared type -> accepted first bytes (None: any text, checked below).
MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/zip": ZIP,
    "application/vnd.oasis.opendocument.text": ZIP,
    "application/vnd.oasis.opendocument.spreadsheet": ZIP,
    "application/vnd.oasis.opendocument.presentation": ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ZIP,
    "application/rtf": (b"{\\rtf",),
    "application/pkcs7-signature": (b"0\x80", b"0\x82", b"0\x81", b"0\x83"),
}
TEXT_TYPES = frozenset(
    (
        "text/plain",
        "text/csv",
        "application/xml",
        "text/xml",
        "image/svg+xml",
        "application/xsig",
    )
)
HEAD = 1024


def content_mismatch(data, content_type):
    """A translatable message if ``data`` is not of ``content_type`` (an
    executable, whatever declared; a known binary format whose signature is
    missing; text that is not UTF-8 or holds NUL bytes), else ``None``.
    Unknown types are left to the list of accepted formats."""
    head = bytes(data[:HEAD])
    base = (content_type or "").split(";")[0].strip().lower()
    message = _(
        "error_file_content_mismatch",
        default="The file's content is not of the type ${type} it declares.",
        mapping={"type": base or "?"},
    )
    if head.startswith(EXECUTABLES):
        return message
    if base == "application/pdf":
        # Readers accept (and some producers write) bytes before the header.
        return None if b"%PDF-" in head else message
    signatures = MAGIC.get(base)
    if signatures is not None:
        return None if head.startswith(signatures) else message
    if base in TEXT_TYPES:
        if b"\x00" in head:
            return message
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the head is fine.
            if error.start < len(head) - 4:
                return message
    return None
