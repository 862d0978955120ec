"""Export of documents and expedientes in the ENI exchange format (v1.0).

:func:`document_to_xml` writes an ``enidoc:documento`` (NTI de Documento
electrónico, BOE-A-2011-13169, annex II): its content as ValorBinario (base64)
with NombreFormato, its minimum metadata (annex I) and its signatures.

:func:`expediente_to_xml` writes an expediente (NTI de Expediente electrónico,
BOE-A-2011-13170, annex II): the ``eniexp:expediente`` holding the signed
index (``eniexpind:indice``: IndiceContenido with FechaIndiceElectronico and
the DocumentoIndizado entries in order, then the index signatures) and the
metadata (``eniexpmeta:metadatosExp``). ``expedienteEni.xsd`` has no room for
the documents, which the NTI sends after the index, one by one, in index order:
by default they follow the expediente inside the paeria.egov envelope
(:data:`~paeria.egov.eni.schemas.ENVELOPE_NS`), so that one file carries the
whole expediente and validates against the official schemas; with
``include_documents=False`` the bare ``eniexp:expediente`` is written and each
document goes separately through :func:`document_to_xml` (needed when signed
documents carry clashing XML ``Id`` values, which one file cannot hold).

Dates are xsd:dateTime values written with their timezone offset.
"""

from datetime import datetime
from datetime import timedelta
from datetime import UTC
from lxml import etree
from paeria.egov.eni.checks import check_document
from paeria.egov.eni.checks import check_expediente
from paeria.egov.eni.checks import item_label
from paeria.egov.eni.codes import NTI_DOCUMENT_VERSION
from paeria.egov.eni.codes import NTI_EXPEDIENTE_VERSION
from paeria.egov.eni.digests import hashlib_name
from paeria.egov.eni.messages import export as messages
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniExportError
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.problems import problem
from paeria.egov.eni.schemas import ENVELOPE_ROOT
from paeria.egov.eni.schemas import NS
from paeria.egov.eni.schemas import qname
from paeria.egov.eni.schemas import secure_parser
import base64
import hashlib
import io


#: Id of the IndiceContenido element, named by the ``ref`` of index signatures.
INDEX_CONTENT_ID = "INDICE_CONTENIDO"

_DOCUMENT_NSMAP = {
    prefix: NS[prefix] for prefix in ("enidoc", "enifile", "enidocmeta", "enids")
}
_EXPEDIENTE_NSMAP = {
    prefix: NS[prefix]
    for prefix in ("eniexp", "eniexpind", "eniconexpind", "eniexpmeta", "enids")
}
_ENVELOPE_NSMAP = {
    prefix: NS[prefix]
    for prefix in (
        "paeriaeni",
        "eniexp",
        "eniexpind",
        "eniconexpind",
        "eniexpmeta",
        "enidoc",
        "enifile",
        "enidocmeta",
        "enids",
    )
}


def format_datetime(value: datetime) -> str:
    """An aware datetime as xsd:dateTime with its offset.

    Offsets with seconds (old local mean times) cannot be written in
    xsd:dateTime: such values are written in UTC.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime")
    offset = value.utcoffset()
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.isoformat()


def _text(parent, prefix: str, local: str, text: str):
    element = etree.SubElement(parent, qname(prefix, local))
    element.text = text
    return element


def _identity(meta, prefix: str, version: str, item):
    """VersionNTI, Identificador and Organo, which open the metadata of both
    documents and expedientes."""
    _text(meta, prefix, "VersionNTI", version)
    _text(meta, prefix, "Identificador", item.identifier)
    for organo in item.organos:
        _text(meta, prefix, "Organo", organo)


def _signatures_element(parent, signatures: list[EniSignature], ref=None):
    """``enids:firmas`` (firmasEni.xsd): TipoFirma then ContenidoFirma."""
    firmas = etree.SubElement(parent, qname("enids", "firmas"))
    for signature in signatures:
        firma = etree.SubElement(firmas, qname("enids", "firma"))
        if ref is not None:
            firma.set("ref", ref)
        _text(firma, "enids", "TipoFirma", signature.signature_type)
        content = etree.SubElement(firma, qname("enids", "ContenidoFirma"))
        if signature.signature_type == "TF01":
            csv = etree.SubElement(content, qname("enids", "CSV"))
            _text(csv, "enids", "ValorCSV", signature.csv_value)
            _text(csv, "enids", "RegulacionGeneracionCSV", signature.csv_regulation)
            continue
        certificate = etree.SubElement(content, qname("enids", "FirmaConCertificado"))
        if signature.value is not None:
            _text(
                certificate,
                "enids",
                "FirmaBase64",
                base64.b64encode(signature.value).decode("ascii"),
            )
        elif signature.reference is not None:
            _text(certificate, "enids", "ReferenciaFirma", signature.reference)
        else:
            certificate.append(_xmldsig_element(signature.xmldsig))
    return firmas


def _xmldsig_element(data: bytes):
    try:
        element = etree.fromstring(data, secure_parser())
    except etree.XMLSyntaxError as error:
        raise EniExportError(
            [problem(messages.XMLDSIG_NOT_WELL_FORMED, error=str(error))]
        )
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise EniExportError([problem(messages.XMLDSIG_DOCTYPE)])
    if element.tag != qname("ds", "Signature"):
        raise EniExportError([problem(messages.XMLDSIG_ROOT, element=element.tag)])
    return element


def _document_element(document: EniDocument, parent=None, nsmap=None):
    """``enidoc:documento`` (documentoEni.xsd): contenido, metadatos, firmas."""
    tag = qname("enidoc", "documento")
    if parent is None:
        root = etree.Element(tag, nsmap=nsmap)
    else:
        root = etree.SubElement(parent, tag)
    contenido = etree.SubElement(root, qname("enifile", "contenido"))
    _text(
        contenido,
        "enifile",
        "ValorBinario",
        base64.b64encode(document.content).decode("ascii"),
    )
    _text(contenido, "enifile", "NombreFormato", document.format_name)

    metadatos = etree.SubElement(root, qname("enidocmeta", "metadatos"))
    _identity(metadatos, "enidocmeta", NTI_DOCUMENT_VERSION, document)
    _text(
        metadatos,
        "enidocmeta",
        "FechaCaptura",
        format_datetime(document.capture_date),
    )
    _text(
        metadatos,
        "enidocmeta",
        "OrigenCiudadanoAdministracion",
        "true" if document.origin_administration else "false",
    )
    estado = etree.SubElement(metadatos, qname("enidocmeta", "EstadoElaboracion"))
    _text(estado, "enidocmeta", "ValorEstadoElaboracion", document.elaboration_state)
    if document.origin_document_id is not None:
        _text(
            estado,
            "enidocmeta",
            "IdentificadorDocumentoOrigen",
            document.origin_document_id,
        )
    _text(metadatos, "enidocmeta", "TipoDocumental", document.document_type)

    if document.signatures:
        _signatures_element(root, document.signatures)
    return root


def _missing_document_fields(document: EniDocument) -> list[str]:
    """Mandatory fields left as None (the checks skip None for the importer)."""
    label = item_label("Document", document.identifier)
    names = (
        "identifier",
        "organos",
        "capture_date",
        "origin_administration",
        "document_type",
        "format_name",
        "content",
        "elaboration_state",
    )
    return [
        _field_missing(label, name) for name in names if getattr(document, name) is None
    ]


def _field_missing(label, name):
    return problem(messages.FIELD_MISSING, label=label, field=name)


def _serialize(root) -> bytes:
    """UTF-8 XML, indented, but leaving XML-DSig signatures byte for byte.

    Whitespace inside a ``ds:Signature`` is signed content, so signatures are
    detached while the rest of the tree is indented, then put back.
    """
    detached = []
    for holder in root.iter(qname("enids", "FirmaConCertificado")):
        for child in holder:
            if child.tag == qname("ds", "Signature"):
                detached.append((holder, child))
    for holder, child in detached:
        holder.remove(child)
    etree.indent(root, space="  ")
    for holder, child in detached:
        holder.append(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def document_to_xml(
    document: EniDocument,
    *,
    require_signature: bool = False,
    strict_identifiers: bool = True,
) -> bytes:
    """The ``enidoc:documento`` exchange file of ``document`` (UTF-8 XML).

    Raises :class:`EniExportError` listing every problem when the document does
    not meet the NTI de Documento electrónico. ``require_signature`` demands at
    least one signature, as for any document that joins an expediente.
    """
    problems = _missing_document_fields(document) + check_document(
        document,
        in_expediente=require_signature,
        strict_identifiers=strict_identifiers,
    )
    if problems:
        raise EniExportError(problems)
    return _serialize(_document_element(document, nsmap=_DOCUMENT_NSMAP))


def _indexed_document(parent, entry: EniIndexEntry):
    """``eniconexpind:DocumentoIndizado`` (IndiceContenidoExpedienteEni.xsd)."""
    element = etree.SubElement(parent, qname("eniconexpind", "DocumentoIndizado"))
    _text(element, "eniconexpind", "IdentificadorDocumento", entry.document_id)
    _text(element, "eniconexpind", "ValorHuella", entry.fingerprint)
    _text(element, "eniconexpind", "FuncionResumen", entry.hash_function)
    if entry.incorporation_date is not None:
        _text(
            element,
            "eniconexpind",
            "FechaIncorporacionExpediente",
            format_datetime(entry.incorporation_date),
        )
    _text(element, "eniconexpind", "OrdenDocumentoExpediente", str(entry.order))
    return element


def _index_element(parent, expediente: EniExpediente):
    """``eniexpind:indice``: IndiceContenido, then the index signatures.

    Entries with a ``folder`` path are grouped into nested CarpetaIndizada
    elements; consecutive entries sharing a folder share its element.
    """
    indice = etree.SubElement(parent, qname("eniexpind", "indice"))
    content = etree.SubElement(indice, qname("eniexpind", "IndiceContenido"))
    content.set("Id", INDEX_CONTENT_ID)
    _text(
        content,
        "eniconexpind",
        "FechaIndiceElectronico",
        format_datetime(expediente.index_date),
    )
    stack = [(content, ())]
    for entry in expediente.index_entries:
        path = tuple(entry.folder)
        while stack[-1][1] != path[: len(stack[-1][1])]:
            stack.pop()
        while len(stack[-1][1]) < len(path):
            depth = len(stack[-1][1])
            folder = etree.SubElement(
                stack[-1][0], qname("eniconexpind", "CarpetaIndizada")
            )
            _text(folder, "eniconexpind", "IdentificadorCarpeta", path[depth])
            stack.append((folder, path[: depth + 1]))
        _indexed_document(stack[-1][0], entry)
    _signatures_element(indice, expediente.index_signatures, ref=INDEX_CONTENT_ID)
    return indice


def _metadata_element(parent, expediente: EniExpediente):
    """``eniexpmeta:metadatosExp`` (MetadatosExpedienteEni.xsd)."""
    meta = etree.SubElement(parent, qname("eniexpmeta", "metadatosExp"))
    _identity(meta, "eniexpmeta", NTI_EXPEDIENTE_VERSION, expediente)
    _text(
        meta,
        "eniexpmeta",
        "FechaAperturaExpediente",
        format_datetime(expediente.opening_date),
    )
    _text(meta, "eniexpmeta", "Clasificacion", expediente.classification)
    _text(meta, "eniexpmeta", "Estado", expediente.state)
    for interesado in expediente.interesados:
        _text(meta, "eniexpmeta", "Interesado", interesado)
    return meta


def _missing_expediente_fields(expediente: EniExpediente) -> list[str]:
    """Fields the exporter needs and ``expediente``, its documents or its index
    entries lack (in that order)."""
    problems = []
    label = item_label("Expediente")
    for name in ("identifier", "organos", "opening_date", "classification"):
        if getattr(expediente, name) is None:
            problems.append(_field_missing(label, name))
    for name in ("index_date", "state"):
        if getattr(expediente, name) is None:
            problems.append(_field_missing(label, name))
    for document in expediente.documents or []:
        problems.extend(_missing_document_fields(document))
    for entry in expediente.index_entries or []:
        label = problem(messages.LABEL_INDEX_ENTRY_OF, identifier=entry.document_id)
        for name in ("document_id", "fingerprint", "order", "hash_function"):
            if getattr(entry, name) is None:
                problems.append(_field_missing(label, name))
        if entry.order is not None and not isinstance(entry.order, int):
            problems.append(problem(messages.ORDER_INT, label=label))
    return problems


def _expediente_root(include_documents: bool):
    """(root, container of the expediente): the envelope and the
    ``eniexp:expediente`` in it, or the bare expediente as both."""
    if include_documents:
        root = etree.Element(qname("paeriaeni", ENVELOPE_ROOT), nsmap=_ENVELOPE_NSMAP)
        return root, etree.SubElement(root, qname("eniexp", "expediente"))
    root = etree.Element(qname("eniexp", "expediente"), nsmap=_EXPEDIENTE_NSMAP)
    return root, root


def expediente_to_xml(
    expediente: EniExpediente,
    *,
    include_documents: bool = True,
    strict_identifiers: bool = True,
) -> bytes:
    """The exchange file of ``expediente`` (UTF-8 XML).

    With ``include_documents`` (the default) the root is the paeria.egov
    envelope holding the ``eniexp:expediente`` followed by every document in
    index order; without it, the root is the bare ``eniexp:expediente`` of
    ``expedienteEni.xsd`` (index and metadata only) and the documents are
    exported one by one with :func:`document_to_xml`.

    The index must carry at least one signature (Ley 39/2015, art. 70.3), e.g.
    ``EniSignature.csv(value, regulation)``, and every fingerprint must match its
    document (:meth:`EniIndexEntry.for_document` computes them). Raises
    :class:`EniExportError` listing every problem found.
    """
    problems = _missing_expediente_fields(expediente)
    problems.extend(
        check_expediente(
            expediente,
            strict_identifiers=strict_identifiers,
            check_documents=include_documents or bool(expediente.documents),
        )
    )
    if problems:
        raise EniExportError(list(dict.fromkeys(problems)))

    root, container = _expediente_root(include_documents)
    _index_element(container, expediente)
    _metadata_element(container, expediente)
    if include_documents:
        by_id = {document.identifier: document for document in expediente.documents}
        for entry in expediente.index_entries:
            _document_element(by_id[entry.document_id], parent=root)
        _check_unique_ids(root)
    return _serialize(root)


def _check_unique_ids(root):
    """XML IDs (``Id`` attributes, e.g. of XAdES signatures) must be unique in
    one file; signed content cannot be renamed, so clashing documents must
    travel as separate files.
    """
    seen = set()
    clashes = []
    for element in root.iter():
        value = element.get("Id")
        if value is None:
            continue
        if value in seen and value not in clashes:
            clashes.append(value)
        seen.add(value)
    if clashes:
        raise EniExportError(
            [problem(messages.ID_CLASH, value=repr(value)) for value in clashes]
        )


def index_fingerprint(data: bytes, hash_function: str = "SHA-256") -> str:
    """Hex digest of the signed part of an exported index.

    The index signatures sign the ``IndiceContenido`` (their ``ref``); its
    exclusive XML canonicalization does not depend on where the element sits,
    so anyone holding the file can recompute the digest recorded with the
    index CSV. Only the file up to the index is read (it comes first).
    Raises ValueError when ``data`` holds no IndiceContenido.
    """
    name = hashlib_name(hash_function)
    if name is None:
        raise ValueError(f"Unsupported hash function {hash_function!r}")
    events = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=qname("eniexpind", "IndiceContenido"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    for _event, element in events:
        canonical = etree.tostring(element, method="c14n", exclusive=True)
        return hashlib.new(name, canonical).hexdigest()
    raise ValueError("No eniexpind:IndiceContenido in the data")
