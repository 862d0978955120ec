"""ENI exchange formats: NTI Documento electrónico and Expediente electrónico v1.0.

Plain dataclasses (:mod:`.model`), their checks against the NTIs
(:mod:`.checks`), export to XML (:mod:`.export`), hardened import
(:mod:`.parse`) and the official XSDs (:mod:`.schemas`), independent of Plone;
:mod:`.bridge` joins them to the portal.
"""

from paeria.egov.eni.digests import fingerprint
from paeria.egov.eni.export import document_to_xml
from paeria.egov.eni.export import expediente_to_xml
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniExportError
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import EniIndexEntry
from paeria.egov.eni.model import EniSignature
from paeria.egov.eni.parse import parse_document
from paeria.egov.eni.parse import parse_expediente


__all__ = [
    "EniDocument",
    "EniExpediente",
    "EniExportError",
    "EniImportError",
    "EniIndexEntry",
    "EniSignature",
    "document_to_xml",
    "expediente_to_xml",
    "fingerprint",
    "parse_document",
    "parse_expediente",
]
