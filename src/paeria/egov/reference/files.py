"""Small, real files for reference documents: PDF (reportlab), ODT and text.

Every file is a valid document of its format that a viewer opens and the
catalog's text extraction reads; its bytes depend only on its arguments."""

from io import BytesIO
from paeria.egov.demo.pdf import make_pdf
from xml.sax.saxutils import escape
import zipfile


ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"

_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

_ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
 <office:body><office:text>
  <text:h text:outline-level="1">{title}</text:h>
{paragraphs}
 </office:text></office:body>
</office:document-content>
"""


def make_odt(title, paragraphs):
    """An OpenDocument text (ODF 1.2): the uncompressed ``mimetype`` first, as
    the standard requires, then the manifest and the content."""
    buffer = BytesIO()
    fixed = (2026, 1, 1, 0, 0, 0)  # deterministic bytes
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", fixed), ODT_MIMETYPE)
        body = "\n".join(f"  <text:p>{escape(text)}</text:p>" for text in paragraphs)
        for name, data in (
            ("META-INF/manifest.xml", _ODT_MANIFEST),
            ("content.xml", _ODT_CONTENT.format(title=escape(title), paragraphs=body)),
        ):
            info = zipfile.ZipInfo(name, fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def make_text(title, paragraphs):
    return ("\n\n".join([title, *paragraphs]) + "\n").encode("utf-8")


# format -> (maker, content type, file extension)
FORMATS = {
    "pdf": (make_pdf, "application/pdf", "pdf"),
    "odt": (make_odt, ODT_MIMETYPE, "odt"),
    "txt": (make_text, "text/plain", "txt"),
}


def make_file(kind, title, paragraphs):
    """(bytes, content type, extension) of a ``kind`` file."""
    maker, content_type, extension = FORMATS[kind]
    return maker(title, paragraphs), content_type, extension
