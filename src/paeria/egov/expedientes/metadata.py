"""What is computed for an expediente and its documents, never taken from the
client: the deadline, the classification, the parties' identifiers in their
canonical form, a document's ENI identifier and fingerprint. The schema marks
these fields read-only (forms and plone.restapi skip them); the subscribers
(subscribers.py) are their only writers."""

from datetime import datetime
from paeria.egov.calendar.terms import compute_deadline
from paeria.egov.clock import MADRID
from paeria.egov.content.documento import format_name_of_file
from paeria.egov.content.documento import HASH_FUNCTION
from paeria.egov.content.lookup import object_by_uid
from paeria.egov.fingerprints import sha256_of_file
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import validate_identifier
from plone.uuid.interfaces import IUUID


# Expediente ---------------------------------------------------------------


def procedure_of(expediente):
    """The expediente's procedure, whoever is looking: classification and
    deadline must not depend on whether the current user may view it (a
    procedure in draft is private to the catalogue's editors)."""
    if not expediente.procedimiento:
        return None
    return object_by_uid(expediente.procedimiento)


def compute_expediente_deadline(expediente, today=None):
    """From the procedure's maximum time, counted from when the term starts,
    extended by the suspensions (LPAC arts. 21, 22, 30)."""
    procedure = procedure_of(expediente)
    start = expediente.fecha_inicio_computo or expediente.fecha_apertura
    if procedure is None or start is None:
        return None
    if isinstance(start, datetime):
        # The day counts in the official time of the electronic office
        # (LPAC art. 31.1), whatever zone the moment was stored in.
        if start.tzinfo is not None:
            start = start.astimezone(MADRID)
        start = start.date()
    return compute_deadline(
        start,
        procedure.max_resolution_amount,
        procedure.max_resolution_unit,
        site_calendar(),
        suspensions=expediente.suspensions or (),
        today=today,
    )


def normalise_interesados(expediente):
    """Store each party's identifier in its canonical form (upper case, no
    separators), as it is indexed and searched; invalid ones were refused at
    the form or API already."""
    rows = list(expediente.interesados or ())
    changed = False
    for row in rows:
        try:
            canonical = validate_identifier(
                row.get("identifier_type"), row.get("identifier")
            )
        except InvalidIdentifier:
            continue
        if canonical != row.get("identifier"):
            row["identifier"] = canonical
            changed = True
    if changed:
        expediente.interesados = rows


def update_expediente_derived(expediente):
    normalise_interesados(expediente)
    procedure = procedure_of(expediente)
    expediente.clasificacion = procedure.sia_code if procedure is not None else None
    expediente.fecha_limite = compute_expediente_deadline(expediente)


# Documento ----------------------------------------------------------------


def document_identifier(documento, year):
    """``ES_<DIR3>_<AAAA>_<id>``: the id part is 30 characters of the object's
    UUID, unique without a shared counter that every upload would contend for."""
    uid = IUUID(documento).replace("-", "")
    return f"ES_{documento.organo}_{year}_{uid[:30].upper()}"


def update_fingerprint(documento):
    """The fingerprint of the stored file and, for a new file, its format.
    The same file keeps its format name: an imported document keeps the
    NombreFormato it came with (eni/bridge.py), which its MIME type alone
    could not tell (PDF/A, a signed format)."""
    if documento.file is None:
        documento.huella = None
        documento.nombre_formato = None
        return
    huella = sha256_of_file(documento.file)
    same_file = huella == documento.huella and documento.nombre_formato
    documento.huella = huella
    documento.funcion_resumen = HASH_FUNCTION
    if not same_file:
        documento.nombre_formato = format_name_of_file(documento.file)
