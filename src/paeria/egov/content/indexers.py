"""What the catalog knows of each type, so that listings never wake objects."""

from Acquisition import aq_chain
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.procedimiento import IProcedimiento
from paeria.egov.content.unidad import IUnidad
from plone.app.contenttypes.indexers import SearchableText_file
from plone.indexer import indexer
from plone.uuid.interfaces import IUUID


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


@indexer(IDocumento)
def documento_searchable_text(obj):
    """The file's text (PDF through pdftotext, office files…) plus the metadata."""
    text = SearchableText_file.callable(obj) or ""
    return " ".join(part for part in (text, obj.eni_identifier or "") if part)
