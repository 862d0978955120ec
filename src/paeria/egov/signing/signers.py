"""How many certificate signatures a document needs, and who gave them.

A document becomes ``firmado`` when its last required signer signs; the
earlier ones each add their signature (an incremental PAdES update, or one
more CAdES signature) while it stays ``pendiente_firma``. The number comes
from the document (``firmas_requeridas``, when set) or, for a resolution
(TD01), from its procedure (``firmas_resolucion``, when the procedure says);
one otherwise.
"""

from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.workflow.rules import RESOLUTION_TYPE
from paeria.egov.workflow.signing import CERTIFICATE_SIGNATURES
from paeria.egov.workflow.signing import signatures_of
from plone import api


def _positive(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def procedure_of(documento):
    expediente = enclosing_expediente(documento)
    uid = getattr(expediente, "procedimiento", None) if expediente else None
    return api.content.get(UID=uid) if uid else None


def required_signers(documento):
    explicit = _positive(getattr(documento, "firmas_requeridas", None))
    if explicit:
        return explicit
    if getattr(documento, "tipo_documental", None) == RESOLUTION_TYPE:
        procedimiento = procedure_of(documento)
        from_procedure = _positive(getattr(procedimiento, "firmas_resolucion", None))
        if from_procedure:
            return from_procedure
    return 1


def certificate_records(documento):
    return [
        record
        for record in signatures_of(documento)
        if record.signature_type in CERTIFICATE_SIGNATURES
    ]


def has_signed(documento, user_id):
    return any(record.signer_id == user_id for record in certificate_records(documento))
