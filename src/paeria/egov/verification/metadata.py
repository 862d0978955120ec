"""What a verification shows of the document found, JSON-ready."""

from paeria.egov.signing.reports import validations_of
from paeria.egov.verification.lookup import SIGNED_DOCUMENT
from paeria.egov.vocabularies.codes import CODE_LISTS
from zope.i18n import translate


def _code_title(vocabulary_name, code, request):
    for token, title in CODE_LISTS[vocabulary_name]:
        if token == code:
            return translate(title, context=request)
    return code


def _isoformat(moment):
    return moment.isoformat() if moment is not None else None


def metadata(verified, request, download_url):
    """What a verification shows: JSON-ready, nothing of the interested
    parties beyond what the document's own title says."""
    documento = verified.documento
    named_file = documento.file
    data = {
        "kind": verified.kind,
        "csv": verified.csv,
        "title": documento.Title(),
        "eni_identifier": documento.eni_identifier,
        "tipo_documental": documento.tipo_documental,
        "tipo_documental_title": _code_title(
            "paeria.egov.TipoDocumental", documento.tipo_documental, request
        ),
        "funcion_resumen": "SHA-256",
        "huella": documento.huella,
        "filename": named_file.filename,
        "content_type": named_file.contentType,
        "size": named_file.getSize(),
        "download": download_url,
        "signatures": [],
        # The certificate signatures (PAdES in the PDF, CAdES beside it),
        # validated now: docs/signatures.md, "Validation".
        "validation": validations_of(documento, request),
        "registro": None,
    }
    if verified.kind == SIGNED_DOCUMENT:
        data["signatures"] = [
            {
                "signature_type": record.signature_type,
                "signature_type_title": _code_title(
                    "paeria.egov.TipoFirma", record.signature_type, request
                ),
                "signer": record.signer_fullname,
                "signed_at": _isoformat(record.signed_at),
            }
            for record in getattr(documento, "signatures", None) or ()
        ]
    else:
        asiento = verified.asiento
        data["registro"] = {
            "numero": asiento.numero,
            "tipo": asiento.tipo,
            "fecha_presentacion": _isoformat(asiento.fecha_presentacion),
        }
    return data
