"""What the catalog knows of a register entry.

The register book (book.py) is served from these indexes and metadata columns,
never from the objects. Their names start with ``registro_`` and none is an
attribute of the Asiento: a Documento inside an entry would otherwise acquire
the entry's values and be indexed with them, and other types' brains would
carry them. Every other type gets nothing (Missing.Value) in these columns, so
the interested party's data is only on the entry's own brain, which the catalog
returns only to those allowed to view the entry.
"""

from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.asiento import SERIES
from plone.indexer import indexer


@indexer(IAsiento)
def asiento_csv(obj):
    # The CSV verifies the receipt, a Documento; the entry only repeats it, and
    # the ``csv`` index must find one object per code.
    raise AttributeError("csv")


def _given(value, name):
    # An indexer raising AttributeError leaves the entry out of the index (and
    # its metadata Missing.Value), rather than indexing None.
    if value is None or value == "":
        raise AttributeError(name)
    return value


@indexer(IAsiento)
def registro_numero(obj):
    return _given(obj.numero, "registro_numero")


@indexer(IAsiento)
def registro_serie(obj):
    return _given(SERIES.get(obj.tipo), "registro_serie")


@indexer(IAsiento)
def registro_fecha(obj):
    """The presentation date-time (Europe/Madrid, aware)."""
    return _given(obj.fecha_presentacion, "registro_fecha")


@indexer(IAsiento)
def registro_fecha_efectiva(obj):
    return _given(obj.fecha_efectiva, "registro_fecha_efectiva")


@indexer(IAsiento)
def registro_canal(obj):
    return _given(obj.canal, "registro_canal")


@indexer(IAsiento)
def registro_unidades(obj):
    """The destination unit and, once distributed elsewhere, the unit it went
    to: filtering by either finds the entry."""
    units = [obj.unidad_destino, obj.unidad_distribucion]
    return _given(list(dict.fromkeys(uid for uid in units if uid)), "registro_unidades")


@indexer(IAsiento)
def registro_unidad(obj):
    """The unit the entry is with now (metadata only)."""
    return _given(obj.unidad_distribucion or obj.unidad_destino, "registro_unidad")


@indexer(IAsiento)
def registro_interesado_id(obj):
    return _given(obj.interesado_identifier, "registro_interesado_id")


@indexer(IAsiento)
def registro_interesado_tipo(obj):
    return _given(obj.interesado_identifier_type, "registro_interesado_tipo")


@indexer(IAsiento)
def registro_interesado_nombre(obj):
    return _given(obj.interesado_name, "registro_interesado_nombre")


@indexer(IAsiento)
def registro_resumen(obj):
    return _given(obj.resumen, "registro_resumen")


@indexer(IAsiento)
def registro_origen(obj):
    return _given(obj.organo_origen, "registro_origen")


@indexer(IAsiento)
def registro_destino(obj):
    return _given(obj.organo_destino, "registro_destino")


@indexer(IAsiento)
def registro_justificante(obj):
    return _given(obj.justificante, "registro_justificante")
