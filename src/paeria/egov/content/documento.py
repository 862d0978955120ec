"""Documento: an electronic document with its ENI metadata (NTI Documento)."""

from paeria.egov import _
from paeria.egov.content.unidad import IUnidad
from paeria.egov.filenames import safe_filename
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.constraints import checked
from paeria.egov.validators.constraints import FieldValueError
from paeria.egov.validators.constraints import known_code
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.sniff import content_mismatch
from paeria.egov.vocabularies.codes import COPY_STATES
from plone import api
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from z3c.form.interfaces import IAddForm
from z3c.form.interfaces import IEditForm
from zope import schema
from zope.interface import implementer
from zope.interface import Invalid
from zope.interface import invariant
from zope.interface import provider
from zope.schema.interfaces import IContextAwareDefaultFactory
import io
import re


HASH_FUNCTION = "SHA-256"

#: Tagged value of a schema: the fields a client gives at creation at most and
#: nobody changes afterwards; plone.restapi's deserializer refuses a change
#: (security/deserializers.py) and the edit form shows them only.
SET_ONCE = "paeria.egov.set_once"

# ENI NombreFormato for the accepted MIME types (NTI Catálogo de estándares).
FORMAT_NAMES = {
    "application/pdf": "PDF",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/plain": "TXT",
    "text/csv": "CSV",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/svg+xml": "SVG",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/rtf": "RTF",
    "application/zip": "ZIP",
    "application/pkcs7-signature": "CAdES",
    "application/xsig": "XAdES",
}


def format_name(content_type):
    if not content_type:
        return None
    base = content_type.split(";")[0].strip().lower()
    return FORMAT_NAMES.get(base, base.rsplit("/", 1)[-1].upper()[:20])


#: NombreFormato of a PDF that declares itself PDF/A (ISO 19005) in its XMP
#: metadata, which the standard requires and leaves unfiltered (readable).
PDFA_FORMAT_NAME = "PDF/A"
_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*[1-4]")
_CHUNK = 1024 * 1024
_OVERLAP = 64


def declares_pdfa(stream) -> bool:
    """Whether the PDF read from ``stream`` declares a PDF/A part in its XMP
    metadata (``pdfaid:part``, as attribute or element), wherever it lies."""
    tail = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return False
        if _PDFA_PART.search(tail + chunk):
            return True
        tail = chunk[-_OVERLAP:]


def format_name_of_file(named_file):
    """NombreFormato of a stored file: by its MIME type, and PDF/A for a PDF
    that declares it (a PDF/A is kept as such, not exported as "PDF")."""
    name = format_name(getattr(named_file, "contentType", None))
    if name != "PDF":
        return name
    opener = getattr(named_file, "open", None)
    if opener is not None:
        with opener() as stream:
            found = declares_pdfa(stream)
    else:
        found = declares_pdfa(io.BytesIO(named_file.data))
    return PDFA_FORMAT_NAME if found else name


def _head(named_file, size=1024):
    """The first bytes of a named file, blob or not, without reading it all."""
    opener = getattr(named_file, "open", None)
    if opener is not None:
        with opener() as stream:
            return stream.read(size)
    return bytes(named_file.data[:size])


def check_file(value):
    """Refuse a file whose type is not accepted, that is empty, or too large."""
    if value is None:
        return True
    settings_prefix = "paeria.egov"
    allowed = api.portal.get_registry_record(
        f"{settings_prefix}.allowed_formats", default=None
    )
    limit_mb = api.portal.get_registry_record(
        f"{settings_prefix}.max_file_size_mb", default=50
    )
    content_type = (value.contentType or "").split(";")[0].strip().lower()
    if allowed is not None and content_type not in allowed:
        raise FieldValueError(
            _(
                "error_file_format",
                default="Files of type ${type} are not accepted. "
                "Accepted: ${accepted}.",
                mapping={
                    "type": content_type or "?",
                    "accepted": ", ".join(sorted({format_name(t) for t in allowed})),
                },
            )
        )
    size = value.getSize()
    if size == 0:
        raise FieldValueError(_("error_file_empty", default="The file is empty."))
    # The declared type is the client's word: the first bytes must agree (an
    # executable sent as application/pdf is refused).
    mismatch = content_mismatch(_head(value), content_type)
    if mismatch is not None:
        raise FieldValueError(mismatch)
    if size > limit_mb * 1024 * 1024:
        raise FieldValueError(
            _(
                "error_file_too_large",
                default="The file is larger than the ${limit} MB accepted.",
                mapping={"limit": limit_mb},
            )
        )
    return True


@provider(IContextAwareDefaultFactory)
def default_organo(context):
    """The DIR3 code of the unit the document is added in, else the council's."""
    current = context
    while current is not None:
        if IUnidad.providedBy(current):
            return current.dir3_code
        current = getattr(current, "__parent__", None)
    return api.portal.get_registry_record("paeria.egov.organo_dir3", default=None)


class IDocumento(model.Schema):
    """The file and what the NTI requires to be said about it."""

    model.primary("file")
    file = NamedBlobFile(
        title=_("label_file", default="File"),
        constraint=check_file,
        required=True,
    )

    organo = schema.TextLine(
        title=_("label_organo", default="Body (DIR3)"),
        description=_(
            "help_organo", default="DIR3 code of the body the document belongs to."
        ),
        constraint=checked(validate_dir3),
        defaultFactory=default_organo,
        required=True,
    )

    # No default computed on reading: a document without a stored capture date
    # would answer "now" at every read (and every ENI export). The moment it
    # entered the portal is stored when it is added (expedientes/subscribers).
    directives.omitted(IAddForm, "fecha_captura")
    directives.mode(IEditForm, fecha_captura="display")
    fecha_captura = schema.Datetime(
        title=_("label_fecha_captura", default="Capture date"),
        description=_(
            "help_fecha_captura",
            default="When the document entered the portal: set once, when it "
            "is added, and never changed.",
        ),
        required=False,
    )

    origen = schema.Choice(
        title=_("label_origen", default="Origin"),
        vocabulary="paeria.egov.Origen",
        constraint=known_code("paeria.egov.Origen"),
        default="administracion",
        required=True,
    )

    estado_elaboracion = schema.Choice(
        title=_("label_estado_elaboracion", default="Elaboration state"),
        vocabulary="paeria.egov.EstadoElaboracion",
        constraint=known_code("paeria.egov.EstadoElaboracion"),
        default="EE01",
        required=True,
    )

    id_documento_origen = schema.TextLine(
        title=_("label_id_documento_origen", default="Identifier of the original"),
        description=_(
            "help_id_documento_origen",
            default="Required for copies (EE02, EE03, EE04): the ENI identifier "
            "of the document copied.",
        ),
        constraint=checked(validate_eni_document_id),
        required=False,
    )

    tipo_documental = schema.Choice(
        title=_("label_tipo_documental", default="Document type (ENI)"),
        vocabulary="paeria.egov.TipoDocumental",
        constraint=known_code("paeria.egov.TipoDocumental"),
        required=True,
    )

    directives.omitted(IAddForm, "eni_identifier", "nombre_formato", "huella")
    directives.omitted(IAddForm, "funcion_resumen", "orden", "fecha_incorporacion")
    directives.no_omit(IEditForm, "eni_identifier", "nombre_formato", "huella")
    eni_identifier = schema.TextLine(
        title=_("label_eni_identifier", default="ENI identifier"),
        readonly=True,
        required=False,
    )
    nombre_formato = schema.TextLine(
        title=_("label_nombre_formato", default="Format"),
        readonly=True,
        required=False,
    )
    huella = schema.TextLine(
        title=_("label_huella", default="Fingerprint (SHA-256, hexadecimal)"),
        readonly=True,
        required=False,
    )
    funcion_resumen = schema.TextLine(
        title=_("label_funcion_resumen", default="Hash function"),
        readonly=True,
        required=False,
    )
    orden = schema.Int(
        title=_("label_orden", default="Order in the expediente"),
        readonly=True,
        required=False,
    )
    fecha_incorporacion = schema.Datetime(
        title=_("label_fecha_incorporacion", default="Added to the expediente on"),
        readonly=True,
        required=False,
    )

    @invariant
    def copies_name_their_original(data):
        if getattr(data, "estado_elaboracion", None) in COPY_STATES and not getattr(
            data, "id_documento_origen", None
        ):
            raise Invalid(
                _(
                    "error_copy_without_origin",
                    default="Identifier of the original: a copy (EE02, EE03, EE04) "
                    "must give the ENI identifier of the document it copies.",
                )
            )


IDocumento.setTaggedValue(SET_ONCE, ("fecha_captura",))


@implementer(IDocumento)
class Documento(Item):
    """Computed metadata live as plain attributes, set by subscribers only."""

    eni_identifier = None
    nombre_formato = None
    huella = None
    funcion_resumen = HASH_FUNCTION
    orden = None
    fecha_incorporacion = None

    def _get_file(self):
        self._p_activate()
        return self.__dict__.get("file")

    def _set_file(self, value):
        """Whatever door stores the file (REST, forms, the register, the
        office, ENI, Python), its name is kept only as a safe base name."""
        if value is not None and hasattr(value, "filename"):
            safe = safe_filename(value.filename)
            if value.filename != safe:
                value.filename = safe
        self._p_activate()
        self.__dict__["file"] = value
        self._p_changed = True

    def _del_file(self):
        self._p_activate()
        self.__dict__.pop("file", None)
        self._p_changed = True

    file = property(_get_file, _set_file, _del_file)

    def content_type(self):
        """The file's MIME type, as Plone's File does; the catalog's mime_type
        and the icons read it."""
        return getattr(self.file, "contentType", None)

    @property
    def origen_administracion(self):
        """ENI OrigenCiudadanoAdministracion: True (1) administration, False (0)
        citizen."""
        return self.origen == "administracion"
