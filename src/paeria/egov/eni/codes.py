"""The code lists of the NTIs de Documento and Expediente electrónico.

VersionNTI values, TipoFirma, EstadoElaboracion, TipoDocumental, the Estado of
an expediente and the NombreFormato values the portal knows, with their MIME
type and file extension. Plain data, independent of Plone.
"""

#: VersionNTI of a document (NTI Documento electrónico, annex I).
NTI_DOCUMENT_VERSION = (
    "http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e"
)
#: VersionNTI of an expediente (NTI Expediente electrónico, annex I).
NTI_EXPEDIENTE_VERSION = (
    "http://administracionelectronica.gob.es/ENI/XSD/v1.0/expediente-e"
)

#: TipoFirma (NTI Documento electrónico, annex I; ``firmasEni.xsd``).
SIGNATURE_TYPES = {
    "TF01": "CSV",
    "TF02": "XAdES internally detached signature",
    "TF03": "XAdES enveloped signature",
    "TF04": "CAdES detached/explicit signature",
    "TF05": "CAdES attached/implicit signature",
    "TF06": "PAdES",
}

#: EstadoElaboracion (NTI Documento electrónico, annex I).
ELABORATION_STATES = {
    "EE01": "Original",
    "EE02": "Copia electrónica auténtica con cambio de formato",
    "EE03": "Copia electrónica auténtica de documento papel",
    "EE04": "Copia electrónica parcial auténtica",
    "EE99": "Otros",
}
#: States that are copies, for which IdentificadorDocumentoOrigen is mandatory.
COPY_STATES = frozenset({"EE02", "EE03", "EE04"})

#: TipoDocumental (NTI Documento electrónico, annex I).
DOCUMENT_TYPES = {
    "TD01": "Resolución",
    "TD02": "Acuerdo",
    "TD03": "Contrato",
    "TD04": "Convenio",
    "TD05": "Declaración",
    "TD06": "Comunicación",
    "TD07": "Notificación",
    "TD08": "Publicación",
    "TD09": "Acuse de recibo",
    "TD10": "Acta",
    "TD11": "Certificado",
    "TD12": "Diligencia",
    "TD13": "Informe",
    "TD14": "Solicitud",
    "TD15": "Denuncia",
    "TD16": "Alegación",
    "TD17": "Recursos",
    "TD18": "Comunicación ciudadano",
    "TD19": "Factura",
    "TD20": "Otros incautados",
    "TD99": "Otros",
}

#: Estado of an expediente (NTI Expediente electrónico, annex I).
EXPEDIENTE_STATES = {
    "E01": "Abierto",
    "E02": "Cerrado",
    "E03": "Índice para remisión cerrado",
}


#: NombreFormato (NTI de Catálogo de estándares) -> (MIME type, file extension).
FORMATS = {
    "PDF": ("application/pdf", ".pdf"),
    "PDF/A": ("application/pdf", ".pdf"),
    "XML": ("application/xml", ".xml"),
    "HTML": ("text/html", ".html"),
    "TXT": ("text/plain", ".txt"),
    "RTF": ("application/rtf", ".rtf"),
    "ODT": ("application/vnd.oasis.opendocument.text", ".odt"),
    "ODS": ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    "ODP": ("application/vnd.oasis.opendocument.presentation", ".odp"),
    "ODG": ("application/vnd.oasis.opendocument.graphics", ".odg"),
    "DOCX": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "XLSX": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "CSV": ("text/csv", ".csv"),
    "JPEG": ("image/jpeg", ".jpg"),
    "JPG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "TIFF": ("image/tiff", ".tiff"),
    "SVG": ("image/svg+xml", ".svg"),
    "MP3": ("audio/mpeg", ".mp3"),
    "MP4": ("video/mp4", ".mp4"),
    "ZIP": ("application/zip", ".zip"),
}


def format_info(format_name: str) -> tuple[str | None, str]:
    """(MIME type or None, file extension) for a NombreFormato value."""
    key = (format_name or "").strip().upper()
    mime, extension = FORMATS.get(key, (None, ""))
    return mime, extension
