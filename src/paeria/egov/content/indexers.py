"""What the catalog knows of each type, so that listings never wake objects."""

from Acquisition import aq_base
from Acquisition import aq_chain
from io import BytesIO
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.procedimiento import IProcedimiento
from paeria.egov.content.unidad import IUnidad
from plone.app.contenttypes.indexers import SearchableText
from plone.app.contenttypes.indexers import SearchableText_file
from plone.indexer import indexer
from plone.indexer.interfaces import IIndexer
from plone.indexer.wrapper import IndexableObjectWrapper
from plone.uuid.interfaces import IUUID
from Products.ZCatalog.interfaces import IZCatalog
from pypdf import PdfReader
from zope.component import adapter
from zope.component import getSiteManager
from zope.interface import Interface
from zope.interface import providedBy


def enclosing_unidad(obj):
    for item in aq_chain(obj):
        if IUnidad.providedBy(item):
            return item
    return None


def enclosing_expediente(obj):
    for item in aq_chain(obj)[1:]:
        if IExpediente.providedBy(item):
            return item
    return None


@indexer(IProcedimiento)
def procedimiento_sia_code(obj):
    return obj.sia_code


@indexer(IExpediente)
def expediente_sia_code(obj):
    return obj.clasificacion


@indexer(IUnidad)
def unidad_dir3_code(obj):
    return obj.dir3_code


@indexer(IExpediente)
def expediente_numero(obj):
    return obj.numero


@indexer(IDocumento)
def documento_expediente_numero(obj):
    expediente = enclosing_expediente(obj)
    return expediente.numero if expediente is not None else None


@indexer(IExpediente)
def expediente_unidad_uid(obj):
    unidad = enclosing_unidad(obj)
    return IUUID(unidad, None) if unidad is not None else None


@indexer(IDocumento)
def documento_unidad_uid(obj):
    unidad = enclosing_unidad(obj)
    return IUUID(unidad, None) if unidad is not None else None


@indexer(IExpediente)
def expediente_eni_state(obj):
    return obj.eni_state


@indexer(IExpediente)
def expediente_tramitador_asignado(obj):
    # "" while unassigned: a FieldIndex leaves None out, and the desk
    # searches the unit's unassigned expedientes.
    return obj.tramitador_asignado or ""


@indexer(IExpediente)
def expediente_fecha_limite(obj):
    return obj.fecha_limite


@indexer(IExpediente)
def expediente_interesados_ids(obj):
    return [row["identifier"] for row in obj.interesados or () if row.get("identifier")]


@indexer(IExpediente)
def expediente_interesados_names(obj):
    return [row["name"] for row in obj.interesados or () if row.get("name")]


@indexer(IExpediente)
def expediente_procedimiento_uid(obj):
    return obj.procedimiento


@indexer(IProcedimiento)
def procedimiento_responsible_unit(obj):
    return obj.responsible_unit


@indexer(IProcedimiento)
def procedimiento_online_start(obj):
    return bool(obj.online_start)


@indexer(IExpediente)
def expediente_eni_identifier(obj):
    return obj.eni_identifier


def eni_origin_keys(identifier, organos) -> list[str]:
    """``<Organo>|<Identificador>`` of an expediente received from another
    administration, one per body of its metadata: the same expediente
    imported again shares one of them (eni/admission.earlier_import)."""
    if not identifier or not organos:
        return []
    return [f"{organo}|{identifier}" for organo in organos if organo]


@indexer(IExpediente)
def expediente_eni_origen(obj):
    record = getattr(obj, "eni_import", None) or {}
    keys = eni_origin_keys(record.get("identifier"), record.get("organos"))
    if not keys:
        raise AttributeError("eni_origen")  # not imported: not indexed
    return keys


@indexer(IDocumento)
def documento_eni_identifier(obj):
    return obj.eni_identifier


@indexer(IDocumento)
def documento_tipo_documental(obj):
    return obj.tipo_documental


@indexer(IDocumento)
def documento_orden(obj):
    return obj.orden


@indexer(IDocumento)
def documento_huella(obj):
    return obj.huella


@indexer(IExpediente)
def expediente_searchable_text(obj):
    parts = [obj.Title(), obj.Description(), obj.numero or "", obj.eni_identifier or ""]
    for row in obj.interesados or ():
        parts += [row.get("identifier") or "", row.get("name") or ""]
    return " ".join(part for part in parts if part)


# PDFs up to this size and page count are read in the Zope process with pypdf
# (about 2 ms for a page, where starting pdftotext costs 8-10 ms whatever the
# file); longer ones go to pdftotext, which is faster on them, as do those
# pypdf cannot read.
IN_PROCESS_PDF_BYTES = 2 * 1024 * 1024
IN_PROCESS_PDF_PAGES = 20


def pdf_text(data):
    """The text of a short PDF, or None to leave it to portal_transforms."""
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted or len(reader.pages) > IN_PROCESS_PDF_PAGES:
            return None
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:
        return None


def file_text(obj):
    named_file = obj.file
    if named_file is None:
        return SearchableText(obj)
    if (named_file.contentType or "").split(";")[
        0
    ].strip() == "application/pdf" and named_file.getSize() <= IN_PROCESS_PDF_BYTES:
        text = pdf_text(named_file.data)
        if text is not None:
            return " ".join(part for part in (SearchableText(obj), text) if part)
    return SearchableText_file.callable(obj) or ""


@indexer(IDocumento)
def documento_searchable_text(obj):
    """The file's text (PDF through pypdf or pdftotext, office files…) plus the
    metadata."""
    text = file_text(obj)
    return " ".join(part for part in (text, obj.eni_identifier or "") if part)


# The catalog asks every object for every column. plone.indexer answers a
# column without an indexer for the object's type by plain attribute access,
# which, through acquisition, walks up to the site for each of the domain's
# two dozen columns an object does not have: about a third of the cost of
# cataloging a document. These defaults answer from the object itself (its own
# attribute or schema default), never from its containers; the indexers above,
# registered for the types each column describes, take precedence.
DOMAIN_COLUMNS = (
    "csv",
    "dir3_code",
    "eni_identifier",
    "eni_state",
    "expediente_numero",
    "fecha_incorporacion",
    "fecha_limite",
    "fecha_rechazo",
    "huella",
    "interesados_ids",
    "interesados_names",
    "online_start",
    "orden",
    "procedimiento_uid",
    "registro_canal",
    "registro_destino",
    "registro_fecha",
    "registro_fecha_efectiva",
    "registro_interesado_id",
    "registro_interesado_nombre",
    "registro_interesado_tipo",
    "registro_justificante",
    "registro_numero",
    "registro_origen",
    "registro_resumen",
    "registro_serie",
    "registro_unidad",
    "registro_unidades",
    "responsible_unit",
    "sia_code",
    "subsanacion_respondida",
    "tipo_documental",
    "tramitador_asignado",
    "unidad_solicitada",
    "unidad_uid",
)

_NOT_SET = object()


def _own_attribute_indexer(name, interface=Interface):
    @indexer(interface)
    def own_attribute(obj):
        value = getattr(aq_base(obj), name, _NOT_SET)
        if value is _NOT_SET:
            raise AttributeError(name)
        return value

    own_attribute.__name__ = f"own_{name}"
    return own_attribute


for _name in DOMAIN_COLUMNS:
    globals()[f"own_{_name}"] = _own_attribute_indexer(_name)


class IDomainContent(Interface):
    """Marker of the domain's types (content/configure.zcml)."""


# Plone's own columns for events, links, comments and relations: the domain's
# types have none of them, so they answer from themselves too rather than
# asking every container up to the site.
PLONE_COLUMNS = (
    "cmf_uid",
    "end",
    "getRawRelatedItems",
    "getRemoteUrl",
    "in_reply_to",
    "location",
    "start",
    "sync_uid",
)

for _name in PLONE_COLUMNS:
    globals()[f"own_{_name}"] = _own_attribute_indexer(_name, IDomainContent)


@adapter(IDomainContent, IZCatalog)
class DomainIndexableObject(IndexableObjectWrapper):
    """What the catalog reads a domain object's indexes and columns from:
    plone.indexer's wrapper, but asking the component registry for each
    name's indexer with the object's and the catalog's interfaces computed
    once per cataloging. plone.indexer computes them again for every one of
    the catalog's ~90 indexes and columns, and a Dexterity object's
    interfaces are costly to compute: profiled, those lookups took 8 % of the
    reference loader's time."""

    def __init__(self, object, catalog):
        super().__init__(object, catalog)
        self.__dict__["_indexer_lookup"] = (
            getSiteManager().adapters.lookup,
            (providedBy(object), providedBy(catalog)),
        )

    def __getattr__(self, name):
        lookup, required = self.__dict__["_indexer_lookup"]
        obj = self._IndexableObjectWrapper__object
        factory = lookup(required, IIndexer, name)
        if factory is not None:
            found = factory(obj, self._IndexableObjectWrapper__catalog)
            if found is not None:
                return found()
        # As plone.indexer: the workflow's variables, then the object's own
        # attributes (acquired ones only if they are Python scripts).
        variables = self._IndexableObjectWrapper__vars
        if name in variables:
            return variables[name]
        value = getattr(obj, name)
        if hasattr(aq_base(obj), name):
            return value
        if getattr(value, "meta_type", None) == "Script (Python)":
            return value
        raise AttributeError(name)
