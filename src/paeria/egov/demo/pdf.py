"""Small, real PDF documents for demo and reference data (reportlab)."""

from io import BytesIO
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas


def make_pdf(title, paragraphs, author="paeria.egov"):
    """A one-page A4 PDF with a title and lines of text; deterministic bytes."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    _width, height = A4
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(20 * mm, height - 25 * mm, title)
    canvas.setFont("Helvetica", 10)
    y = height - 40 * mm
    for paragraph in paragraphs:
        for line in _wrap(paragraph, 95):
            canvas.drawString(20 * mm, y, line)
            y -= 5 * mm
        y -= 3 * mm
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrap(text, width):
    words, line = text.split(), ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            yield line
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        yield line
