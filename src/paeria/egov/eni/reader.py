"""Reading the elements of an ENI file into the model, collecting problems.

:class:`EniReader` reads documents, signatures, the index and the metadata of
an expediente; what cannot be read is reported and left as None, so that the
rest can still be checked. Independent of Plone.
"""

from lxml import etree
from paeria.egov.eni.checks import check_document
from paeria.egov.eni.checks import item_label
from paeria.egov.eni.checks import signature_label
from paeria.egov.eni.codes import COPY_STATES
from paeria.egov.eni.codes import format_info
from paeria.egov.eni.codes import NTI_DOCUMENT_VERSION
from paeria.egov.eni.codes import NTI_EXPEDIENTE_VERSION
from paeria.egov.eni.messages import reading as messages
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.problems import of_error
from paeria.egov.eni.problems import problem
from paeria.egov.eni.schemas import qname
from paeria.egov.eni.xsd_values import parse_base64
from paeria.egov.eni.xsd_values import parse_boolean
from paeria.egov.eni.xsd_values import parse_datetime


class EniReader:
    """Collects problems while reading ENI elements."""

    def __init__(self, local_timezone):
        self.problems: list[str] = []
        self.local_timezone = local_timezone

    def add(self, problem: str):
        self.problems.append(problem)

    def find(self, parent, prefix, local, where, required=True):
        if parent is None:
            return None
        element = parent.find(qname(prefix, local))
        if element is None and required:
            self.add(
                problem(
                    messages.ELEMENT_MISSING, where=where, element=f"{prefix}:{local}"
                )
            )
        return element

    def text(self, parent, prefix, local, where, required=True, strip=True):
        element = self.find(parent, prefix, local, where, required)
        if element is None:
            return None
        value = "".join(element.itertext())
        if strip:
            value = value.strip()
        if required and not value.strip():
            self.add(
                problem(
                    messages.ELEMENT_EMPTY, where=where, element=f"{prefix}:{local}"
                )
            )
        return value

    def texts(self, parent, prefix, local):
        if parent is None:
            return None
        return [
            "".join(element.itertext()).strip()
            for element in parent.findall(qname(prefix, local))
        ]

    def datetime(self, parent, prefix, local, where, required=True):
        value = self.text(parent, prefix, local, where, required)
        if not value:
            return None
        try:
            return parse_datetime(value, self.local_timezone)
        except ValueError as error:
            self.add(
                problem(
                    messages.ELEMENT_VALUE,
                    where=where,
                    element=f"{prefix}:{local}",
                    error=of_error(error),
                )
            )
            return None

    def version(self, parent, prefix, where, expected):
        value = self.text(parent, prefix, "VersionNTI", where)
        if value and value != expected:
            self.add(
                problem(
                    messages.VERSION,
                    where=where,
                    value=repr(value[:100]),
                    expected=repr(expected),
                )
            )

    # -- signatures ------------------------------------------------------------

    def signatures(self, firmas, where) -> list[EniSignature]:
        result = []
        if firmas is None:
            return result
        for number, firma in enumerate(firmas.findall(qname("enids", "firma")), 1):
            label = signature_label(where, number)
            kind = self.text(firma, "enids", "TipoFirma", label)
            content = self.find(firma, "enids", "ContenidoFirma", label)
            signature = EniSignature(kind or "")
            if content is None:
                continue
            csv = self.find(content, "enids", "CSV", label, required=False)
            certificate = self.find(
                content, "enids", "FirmaConCertificado", label, required=False
            )
            if csv is not None:
                signature.csv_value = self.text(csv, "enids", "ValorCSV", label)
                signature.csv_regulation = self.text(
                    csv, "enids", "RegulacionGeneracionCSV", label, strip=False
                )
            elif certificate is not None:
                self._certificate(certificate, signature, label)
            else:
                self.add(problem(messages.SIGNATURE_CONTENT, label=label))
                continue
            if kind:
                result.append(signature)
        return result

    def _certificate(self, certificate, signature, label):
        b64 = certificate.find(qname("enids", "FirmaBase64"))
        ref = certificate.find(qname("enids", "ReferenciaFirma"))
        xmldsig = certificate.find(qname("ds", "Signature"))
        if b64 is not None:
            try:
                signature.value = parse_base64("".join(b64.itertext()))
            except ValueError as error:
                self.add(
                    problem(
                        messages.SIGNATURE_BASE64, label=label, error=of_error(error)
                    )
                )
        elif ref is not None:
            signature.reference = "".join(ref.itertext()).strip()
        elif xmldsig is not None:
            signature.xmldsig = etree.tostring(xmldsig, with_tail=False)
        else:
            self.add(problem(messages.CERTIFICATE_EMPTY, label=label))

    # -- documents -------------------------------------------------------------

    def document(self, root, where, strict_identifiers, in_expediente, files=None):
        """An EniDocument from an ``enidoc:documento`` element.

        Values that cannot be read are reported and left as None, so that the
        document can still be checked against the index. ``files`` are the
        contents sent beside it, by their ``enifile:referenciaFichero``.
        """
        metadatos = self.find(root, "enidocmeta", "metadatos", where)
        identifier, where, organos = self.identity(
            metadatos, "enidocmeta", "Document", where, NTI_DOCUMENT_VERSION
        )
        capture = self.datetime(metadatos, "enidocmeta", "FechaCaptura", where)
        origin = self._origin(metadatos, where)
        state, origin_id = self._elaboration(metadatos, where)
        document_type = self.text(metadatos, "enidocmeta", "TipoDocumental", where)

        contenido = self.find(root, "enifile", "contenido", where)
        content = self._content(contenido, where, files or {})
        format_name = self.text(contenido, "enifile", "NombreFormato", where)

        firmas = root.find(qname("enids", "firmas"))
        signatures = self.signatures(firmas, where)

        document = EniDocument(
            identifier=identifier or None,
            organos=organos,
            capture_date=capture,
            origin_administration=origin,
            document_type=document_type or None,
            format_name=format_name or None,
            content=content,
            elaboration_state=state or None,
            origin_document_id=origin_id,
            signatures=signatures,
        )
        self.problems.extend(
            check_document(
                document,
                in_expediente=in_expediente and firmas is None,
                strict_identifiers=strict_identifiers,
            )
        )
        if identifier and format_name:
            mime_type, extension = format_info(format_name)
            document.mime_type = mime_type
            document.filename = f"{identifier}{extension}"
        return document

    def _origin(self, metadatos, where) -> bool | None:
        """OrigenCiudadanoAdministracion: True for the administration."""
        origin_text = self.text(
            metadatos, "enidocmeta", "OrigenCiudadanoAdministracion", where
        )
        if not origin_text:
            return None
        try:
            return parse_boolean(origin_text)
        except ValueError as error:
            self.add(
                problem(
                    messages.ELEMENT_VALUE,
                    where=where,
                    element="enidocmeta:OrigenCiudadanoAdministracion",
                    error=of_error(error),
                )
            )
            return None

    def _elaboration(self, metadatos, where) -> tuple:
        """(ValorEstadoElaboracion, IdentificadorDocumentoOrigen or None)."""
        estado = self.find(metadatos, "enidocmeta", "EstadoElaboracion", where)
        state = self.text(estado, "enidocmeta", "ValorEstadoElaboracion", where)
        origin_id = self.text(
            estado,
            "enidocmeta",
            "IdentificadorDocumentoOrigen",
            where,
            required=False,
        )
        if state not in COPY_STATES and origin_id == "":
            origin_id = None
        return state, origin_id

    def _content(self, contenido, where, files) -> bytes | None:
        """The content: ValorBinario, the XML of DatosXML (serialised) or the
        file sent beside the document that referenciaFichero names."""
        if contenido is None:
            return None
        binary = contenido.find(qname("enifile", "ValorBinario"))
        if binary is not None:
            try:
                return parse_base64("".join(binary.itertext()))
            except ValueError as error:
                self.add(
                    problem(messages.CONTENT_BASE64, where=where, error=of_error(error))
                )
                return None
        xml_data = contenido.find(qname("enifile", "DatosXML"))
        if xml_data is not None:
            children = list(xml_data)
            if not children:
                return (xml_data.text or "").encode("utf-8")
            return b"".join(etree.tostring(child) for child in children)
        reference = contenido.find(qname("enifile", "referenciaFichero"))
        if reference is not None:
            name = "".join(reference.itertext()).strip()
            if name in files:
                return files[name]
            self.add(
                problem(messages.REFERENCE_NOT_SENT, where=where, name=repr(name[:200]))
            )
            return None
        self.add(problem(messages.NO_CONTENT, where=where))
        return None

    # -- expediente ------------------------------------------------------------

    def index(self, indice, where):
        """(index date, entries, signatures) from ``eniexpind:indice``."""
        content = self.find(indice, "eniexpind", "IndiceContenido", where)
        label = problem(messages.LABEL_INDEX)
        date = self.datetime(content, "eniconexpind", "FechaIndiceElectronico", label)
        entries = []
        if content is not None:
            self._index_items(content, (), entries)
        signatures = self.signatures(self.find(indice, "enids", "firmas", label), label)
        return date, entries, signatures

    def _index_items(self, parent, folder, entries):
        nested = 0
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if child.tag == qname("eniconexpind", "DocumentoIndizado"):
                entries.append(self._index_entry(child, folder, len(entries) + 1))
            elif child.tag == qname("eniconexpind", "CarpetaIndizada"):
                name = self.text(
                    child,
                    "eniconexpind",
                    "IdentificadorCarpeta",
                    problem(messages.LABEL_INDEX_FOLDER),
                )
                self._index_items(child, (*folder, name or ""), entries)
            elif child.tag == qname("eniconexpind", "ExpedienteIndizado"):
                # The index of an expediente joined to this one (NTI
                # Expediente, annex II) has no identifier of its own: its
                # documents become those of a folder named by its Id
                # attribute, or by its place, so nothing of it is lost.
                nested += 1
                name = child.get("Id") or f"ExpedienteIndizado-{nested}"
                self._index_items(child, (*folder, name), entries)

    def _index_entry(self, element, folder, position) -> EniIndexEntry:
        where = problem(messages.LABEL_INDEX_ENTRY, position=position)
        document_id = self.text(
            element, "eniconexpind", "IdentificadorDocumento", where
        )
        if document_id:
            where = problem(messages.LABEL_INDEX_DOCUMENT, identifier=document_id)
        order_text = self.text(
            element, "eniconexpind", "OrdenDocumentoExpediente", where, required=False
        )
        order = position
        if order_text:
            if order_text.isascii() and order_text.isdigit() and len(order_text) < 10:
                order = int(order_text)
            else:
                self.add(
                    problem(messages.ORDER, where=where, order=repr(order_text[:40]))
                )
                order = None
        return EniIndexEntry(
            document_id=document_id or "",
            fingerprint=self.text(element, "eniconexpind", "ValorHuella", where),
            order=order,
            hash_function=self.text(element, "eniconexpind", "FuncionResumen", where),
            incorporation_date=self.datetime(
                element,
                "eniconexpind",
                "FechaIncorporacionExpediente",
                where,
                required=False,
            ),
            folder=folder,
        )

    def identity(self, meta, prefix, noun, where, version):
        """(identifier, where to report problems, organos) of a metadata block,
        reporting a wrong NTI version or missing Organo."""
        identifier = self.text(meta, prefix, "Identificador", where)
        if identifier:
            where = item_label(noun, identifier)
        self.version(meta, prefix, where, version)
        organos = self.texts(meta, prefix, "Organo")
        if meta is not None and not organos:
            self.add(
                problem(
                    messages.ELEMENT_MISSING, where=where, element=f"{prefix}:Organo"
                )
            )
            organos = None
        return identifier, where, organos

    def metadata(self, meta):
        identifier, where, organos = self.identity(
            meta,
            "eniexpmeta",
            "Expediente",
            item_label("Expediente"),
            NTI_EXPEDIENTE_VERSION,
        )
        return {
            "identifier": identifier or None,
            "organos": organos,
            "opening_date": self.datetime(
                meta, "eniexpmeta", "FechaAperturaExpediente", where
            ),
            "classification": self.text(meta, "eniexpmeta", "Clasificacion", where)
            or None,
            "state": self.text(meta, "eniexpmeta", "Estado", where) or None,
            "interesados": self.texts(meta, "eniexpmeta", "Interesado") or [],
        }
