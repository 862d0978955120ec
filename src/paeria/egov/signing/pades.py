"""PAdES signatures of PDF documents (NTI signature type TF06).

:func:`stamp_pdf` prints the visible stamp — signer, date and time (Europe/
Madrid), CSV and the verification address — in the left margin of every page;
it rewrites the file, so it is done before the first signature, and the signed
bytes are those anyone downloads. :func:`sign_pdf` then adds a PAdES baseline
signature as an incremental update: B-B, B-T when a timestamper is given,
B-LT when a validation context is given too (the revocation data it holds or
fetches is embedded). A later signer adds another signature the same way,
without invalidating the earlier ones (their revision stays intact; the new
signature field is a form-filling change their validation accepts); their
name is printed on a visible signature widget in the first page's bottom
margin, since rewriting the pages would alter the earlier signatures.
Plone-free.
"""

from io import BytesIO
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign import signers
from pyhanko.stamp import TextStampStyle
from pypdf import PdfReader
from pypdf import PdfWriter
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas


FIELD_PREFIX = "Firma"
STAMP_FONT_SIZE = 6.5
STAMP_COLOUR = Color(0.25, 0.25, 0.25)
MARGIN_X = 12  # points from the left edge of the page
WIDGET_HEIGHT = 22
WIDGET_WIDTH = 250
# Bytes reserved for the signature container (ECDSA or RSA up to 4096 bits,
# a chain of three certificates; a time-stamp token with its own chain).
RESERVED = 16 * 1024
RESERVED_WITH_TIMESTAMP = 32 * 1024


class PdfSigningError(ValueError):
    """A PDF that cannot be stamped or signed (unreadable, encrypted...)."""


def _overlay(width, height, lines):
    """A one-page PDF of the stamp's lines, rotated along the left margin."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1)
    canvas.setFillColor(STAMP_COLOUR)
    canvas.setFont("Helvetica", STAMP_FONT_SIZE)
    canvas.translate(MARGIN_X, 20)
    canvas.rotate(90)
    for index, line in enumerate(lines):
        canvas.drawString(0, -index * (STAMP_FONT_SIZE + 1.5), line)
    canvas.showPage()
    canvas.save()
    return PdfReader(BytesIO(buffer.getvalue())).pages[0]


def stamp_pdf(data, lines):
    """``data`` with ``lines`` printed in the left margin of every page."""
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise PdfSigningError("the PDF is encrypted")
        writer = PdfWriter(clone_from=reader)
    except PdfSigningError:
        raise
    except Exception as error:
        raise PdfSigningError(f"the PDF cannot be read: {error}") from None
    overlays = {}
    for page in writer.pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in overlays:
            overlays[size] = _overlay(*size, lines)
        page.merge_page(overlays[size])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def signature_fields(data):
    """The names of the PDF's filled signature fields, in order."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        return [signature.field_name for signature in reader.embedded_signatures]
    except Exception as error:
        raise PdfSigningError(f"the PDF cannot be read: {error}") from None


def _next_field(existing):
    number = len(existing) + 1
    while f"{FIELD_PREFIX}{number}" in existing:
        number += 1
    return f"{FIELD_PREFIX}{number}"


def _widget(index, signer_line):
    """A visible signature field in the first page's bottom margin for the
    ``index``-th later signer (index 1 is the second signature)."""
    x = 30 + ((index - 1) % 2) * (WIDGET_WIDTH + 10)
    y = 4 + ((index - 1) // 2) * (WIDGET_HEIGHT + 2)
    spec = fields.SigFieldSpec(
        sig_field_name=None, on_page=0, box=(x, y, x + WIDGET_WIDTH, y + WIDGET_HEIGHT)
    )
    style = TextStampStyle(
        stamp_text=signer_line,
        border_width=0,
        background=None,
    )
    return spec, style


def sign_pdf(
    data,
    signer,
    *,
    timestamper=None,
    validation_context=None,
    reason=None,
    location=None,
    signer_line=None,
):
    """``data`` with one more PAdES signature by ``signer`` (incremental)."""
    existing = signature_fields(data)
    name = _next_field(existing)
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        validation_context=validation_context,
        embed_validation_info=validation_context is not None,
    )
    spec = style = None
    if existing and signer_line:
        spec, style = _widget(len(existing), signer_line)
        spec = fields.SigFieldSpec(
            sig_field_name=name, on_page=spec.on_page, box=spec.box
        )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            timestamper=timestamper,
            stamp_style=style,
            new_field_spec=spec,
        )
        # A fixed reservation skips pyHanko's dry-run signature that sizes it
        # (a third of the signing time); the chain and a time-stamp token fit.
        reserved = RESERVED_WITH_TIMESTAMP if timestamper else RESERVED
        out = pdf_signer.sign_pdf(writer, bytes_reserved=reserved)
    except PdfSigningError:
        raise
    except Exception as error:
        raise PdfSigningError(f"the PDF cannot be signed: {error}") from error
    return out.getvalue()
