"""Bridge between the portal's content and the ENI exchange formats.

Export maps a Documento or an Expediente (with its documents, in index order)
to the plain model of :mod:`paeria.egov.eni.model` and writes it with
:mod:`paeria.egov.eni.export`. Import, its other half, is
:mod:`paeria.egov.eni.importing`. These two modules are where the Plone-free
core meets the portal.

Signatures. The NTI wants every document of an expediente signed (a CSV
counts) and the index signed when the expediente is sent (Ley 39/2015,
art. 70.2). Until documents are signed in the portal, a document without a
signature of its own is authenticated by a CSV (TF01, Ley 40/2015 art. 42.b)
that is generated with :mod:`secrets` the first time it is exported and kept on
the document (``eni_csv``, bound to the fingerprint ``eni_csv_huella``: a new
file gets a new CSV). The index gets a fresh CSV at every export, recorded with
the export on the expediente (``eni_index_exports``) together with the
fingerprint of the signed IndiceContenido, so that a verification service can
find them. Signatures received with an imported document are kept
(``eni_signatures_origen``) and exported again, since they sign the same bytes.
A later ``signatures`` list on Documento (EniSignature objects, mappings or
objects with the EniSignature attribute names) is exported as is.
"""

from datetime import datetime
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.content.documento import HASH_FUNCTION
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.csvcodes import csv_regulation
from paeria.egov.csvcodes import new_csv
from paeria.egov.eni.export import document_to_xml
from paeria.egov.eni.export import expediente_to_xml
from paeria.egov.eni.export import index_fingerprint
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.model import signature_from_record
from paeria.egov.eni.package import write_package
from paeria.egov.integrity.checks import check_document
from persistent.list import PersistentList
from plone import api
from plone.protect.utils import safeWrite
import base64


#: An ENI file may be this many times the largest document accepted: the
#: content travels base64-encoded (4/3) along with its metadata.
IMPORT_SIZE_FACTOR = 4
DEFAULT_MAX_FILE_SIZE_MB = 50

#: Format of an export record: the exchange file or the bare eniexp:expediente.
FORMAT_EXCHANGE = "intercambio"
FORMAT_STANDARD = "standard"
FORMAT_PACKAGE = "zip"


# -- helpers --------------------------------------------------------------------


def max_import_size() -> int:
    """Largest ENI file accepted, in bytes: max_file_size_mb × 4."""
    limit_mb = api.portal.get_registry_record(
        "paeria.egov.max_file_size_mb", default=DEFAULT_MAX_FILE_SIZE_MB
    )
    return int(limit_mb) * IMPORT_SIZE_FACTOR * 1024 * 1024


def _aware(value):
    """Stored datetimes are Madrid time; a naive one is read as such."""
    if value is None or not isinstance(value, datetime):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        return MADRID.localize(value)
    return value


def _hex_to_fingerprint(huella):
    """ValorHuella (base64 digest) from the stored hexadecimal ``huella``."""
    if not huella:
        return None
    return base64.b64encode(bytes.fromhex(huella)).decode("ascii")


def current_user_id():
    user = api.user.get_current()
    return user.getId() if user is not None else None


# -- export -----------------------------------------------------------------------


def documento_content(documento) -> bytes | None:
    """The document's bytes for an export, through the integrity gate: an
    altered or lost file refuses the whole export (500, journalled) rather
    than travel to another administration."""
    if documento.file is None:
        return None
    if getattr(documento, "huella", None):
        # Without a fingerprint there is nothing to check against: the
        # export's own checks refuse it, naming the field (400).
        check_document(documento)
    return documento.file.data


def ensure_documento_csv(documento) -> str:
    """The document's own CSV for its current content, made on first need.

    Bound to the fingerprint: when the file changes, the old CSV no longer
    authenticates it and a new one is generated.
    """
    csv = getattr(documento, "eni_csv", None)
    if csv and getattr(documento, "eni_csv_huella", None) == documento.huella:
        return csv
    documento.eni_csv = new_csv()
    documento.eni_csv_huella = documento.huella
    documento.eni_csv_date = clock.office_now()
    # An audit-like write while reading (GET): not a forged request.
    safeWrite(documento)
    return documento.eni_csv


def documento_signatures(documento) -> list[EniSignature]:
    """Signatures of the document: its own, then those received on import."""
    records = list(getattr(documento, "signatures", None) or ())
    records += list(getattr(documento, "eni_signatures_origen", None) or ())
    return [signature_from_record(record) for record in records]


def documento_to_eni(documento, *, csv_if_unsigned: bool = False) -> EniDocument:
    """The ENI document of a Documento.

    With ``csv_if_unsigned`` a document without signatures is signed by its
    CSV (see :func:`ensure_documento_csv`), as a document of an expediente
    must be.
    """
    organos = [documento.organo] if documento.organo else None
    origen_organos = getattr(documento, "eni_organos_origen", None)
    if origen_organos and origen_organos[0] == documento.organo:
        organos = list(origen_organos)
    signatures = documento_signatures(documento)
    if not signatures and csv_if_unsigned:
        signatures = [
            EniSignature.csv(ensure_documento_csv(documento), csv_regulation())
        ]
    file = documento.file
    return EniDocument(
        identifier=documento.eni_identifier,
        organos=organos,
        capture_date=_aware(documento.fecha_captura),
        origin_administration=documento.origen == "administracion",
        document_type=documento.tipo_documental,
        format_name=documento.nombre_formato,
        content=documento_content(documento),
        elaboration_state=documento.estado_elaboracion or "EE01",
        origin_document_id=documento.id_documento_origen or None,
        signatures=signatures,
        filename=getattr(file, "filename", None),
        mime_type=getattr(file, "contentType", None),
    )


def expediente_documents(expediente) -> list:
    """The documents of the expediente in index order (their ``orden``)."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        path={"query": "/".join(expediente.getPhysicalPath()), "depth": 1},
        portal_type="Documento",
        sort_on="orden",
    )
    return [brain._unrestrictedGetObject() for brain in brains]


def expediente_organos(expediente) -> list[str]:
    unidad = enclosing_unidad(expediente)
    if unidad is not None and unidad.dir3_code:
        return [unidad.dir3_code]
    return [api.portal.get_registry_record("paeria.egov.organo_dir3")]


def expediente_to_eni(
    expediente,
    *,
    index_date: datetime | None = None,
    index_csv: str | None = None,
) -> EniExpediente:
    """The ENI expediente of an Expediente, its documents in index order.

    The index is signed by a TF01 CSV: ``index_csv``, or a fresh one. Such a CSV
    authenticates nothing until it is recorded: use :func:`export_expediente`,
    which records it. The index orders read 1..n in index order, as the NTI
    wants, even if a removed document left a gap in the stored ``orden``.
    """
    documents = expediente_documents(expediente)
    eni_documents = [
        documento_to_eni(documento, csv_if_unsigned=True) for documento in documents
    ]
    entries = [
        EniIndexEntry(
            document_id=documento.eni_identifier,
            fingerprint=_hex_to_fingerprint(documento.huella),
            order=position,
            hash_function=documento.funcion_resumen or HASH_FUNCTION,
            incorporation_date=_aware(documento.fecha_incorporacion),
        )
        for position, documento in enumerate(documents, 1)
    ]
    return EniExpediente(
        identifier=expediente.eni_identifier,
        organos=expediente_organos(expediente),
        opening_date=_aware(expediente.fecha_apertura),
        classification=expediente.clasificacion,
        index_date=index_date or clock.office_now(),
        state=expediente.eni_state,
        interesados=[
            row["identifier"]
            for row in expediente.interesados or ()
            if row.get("identifier")
        ],
        index_entries=entries,
        index_signatures=[EniSignature.csv(index_csv or new_csv(), csv_regulation())],
        documents=eni_documents,
    )


def export_documento(documento) -> bytes:
    """The ``enidoc:documento`` file of a Documento (signed by its CSV when it
    has no signature, so that it can join an expediente elsewhere)."""
    return document_to_xml(documento_to_eni(documento, csv_if_unsigned=True))


def export_package(expediente) -> bytes:
    """The zip package of an Expediente (format "zip"): the bare
    ``eniexp:expediente`` and one ``enidoc:documento`` file per document, as
    other administrations send and take them (:mod:`.package`)."""
    index = export_expediente(
        expediente, include_documents=False, record_as=FORMAT_PACKAGE
    )
    documents = [
        (documento.eni_identifier, export_documento(documento))
        for documento in expediente_documents(expediente)
    ]
    return write_package(expediente.eni_identifier, index, documents)


def export_expediente(
    expediente, *, include_documents: bool = True, record_as: str | None = None
) -> bytes:
    """The exchange file of an Expediente, recording the export.

    ``include_documents=False`` writes the bare official ``eniexp:expediente``
    (format "standard"); its documents are then sent one by one
    (:func:`export_documento`), or in a zip (:func:`export_package`, which
    records the export ``record_as`` "zip"). Raises EniExportError listing
    every problem.
    The export is recorded on the expediente (``eni_index_exports``): date,
    index CSV, fingerprint of the signed IndiceContenido, format, user and the
    documents indexed.
    """
    index_date = clock.office_now()
    index_csv = new_csv()
    eni = expediente_to_eni(expediente, index_date=index_date, index_csv=index_csv)
    data = expediente_to_xml(eni, include_documents=include_documents)
    record_index_export(
        expediente,
        {
            "date": index_date,
            "csv": index_csv,
            "csv_regulation": eni.index_signatures[0].csv_regulation,
            "index_fingerprint": index_fingerprint(data, HASH_FUNCTION),
            "hash_function": HASH_FUNCTION,
            "format": record_as
            or (FORMAT_EXCHANGE if include_documents else FORMAT_STANDARD),
            "user": current_user_id(),
            "documents": [
                {
                    "identifier": entry.document_id,
                    "fingerprint": entry.fingerprint,
                    "order": entry.order,
                }
                for entry in eni.index_entries
            ],
        },
    )
    return data


def record_index_export(expediente, record: dict):
    exports = getattr(expediente, "eni_index_exports", None)
    if exports is None:
        exports = expediente.eni_index_exports = PersistentList()
        safeWrite(expediente)
    exports.append(record)
    safeWrite(exports)


def index_exports(expediente) -> list[dict]:
    """The recorded exports of the expediente's index, oldest first."""
    return list(getattr(expediente, "eni_index_exports", None) or ())


def expediente_index(expediente) -> dict:
    """The electronic index (Ley 39/2015, art. 70.2) as JSON-friendly data.

    ``order`` is the stored foliado; ``fingerprint`` the hexadecimal digest
    of the stored file.
    """
    documents = []
    for documento in expediente_documents(expediente):
        incorporated = _aware(documento.fecha_incorporacion)
        documents.append(
            {
                "@id": documento.absolute_url(),
                "UID": api.content.get_uuid(documento),
                "identifier": documento.eni_identifier,
                "fingerprint": documento.huella,
                "hash_function": documento.funcion_resumen or HASH_FUNCTION,
                "incorporation_date": (
                    incorporated.isoformat() if incorporated else None
                ),
                "order": documento.orden,
                "title": documento.Title(),
                "tipo_documental": documento.tipo_documental,
            }
        )
    return {
        "@id": expediente.absolute_url(),
        "identifier": expediente.eni_identifier,
        "numero": expediente.numero,
        "state": expediente.eni_state,
        "documents": documents,
        "items_total": len(documents),
    }
