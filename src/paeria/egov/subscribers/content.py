"""Computed metadata of the domain's content, set by event subscribers only.

Numbers, identifiers, fingerprints and order are never taken from the client:
the schema marks them read-only (forms and plone.restapi skip them) and these
subscribers are the only writers."""

from datetime import datetime
from paeria.egov import logger
from paeria.egov.calendar import compute_deadline
from paeria.egov.content.documento import default_organo
from paeria.egov.content.documento import format_name
from paeria.egov.content.documento import HASH_FUNCTION
from paeria.egov.content.documento import MADRID
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import format_expediente_number
from paeria.egov.numbering import next_number
from paeria.egov.registry.calendar import site_calendar
from paeria.egov.validators import InvalidIdentifier
from paeria.egov.validators import validate_identifier
from plone import api
from plone.uuid.interfaces import IUUID

import hashlib


def now():
    return datetime.now(MADRID).replace(microsecond=0)


def sha256_of_file(named_file):
    """Hash the stored bytes (the blob as committed), in chunks."""
    digest = hashlib.sha256()
    with named_file.open() as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Procedimiento ------------------------------------------------------------


def procedimiento_modified(procedimiento, event):
    procedimiento.sia_code = (procedimiento.sia_code or "").strip()


# Expediente ---------------------------------------------------------------


def procedure_of(expediente):
    if not expediente.procedimiento:
        return None
    return api.content.get(UID=expediente.procedimiento)


def compute_expediente_deadline(expediente, today=None):
    """From the procedure's maximum time, counted from when the term starts,
    extended by the suspensions (LPAC arts. 21, 22, 30)."""
    procedure = procedure_of(expediente)
    start = expediente.fecha_inicio_computo or expediente.fecha_apertura
    if procedure is None or start is None:
        return None
    return compute_deadline(
        start.date() if isinstance(start, datetime) else start,
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
            canonical = validate_identifier(row.get("identifier_type"), row.get("identifier"))
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


def expediente_added(expediente, event):
    """Number (AAAA/NNNNNN, gapless per year), ENI identifier, opening date."""
    if expediente.numero is None:
        opened = now()
        year = opened.year
        number = next_number(api.portal.get(), EXPEDIENTE, year)
        expediente.numero = format_expediente_number(year, number)
        unidad = enclosing_unidad(expediente)
        organo = (
            unidad.dir3_code
            if unidad is not None
            else api.portal.get_registry_record("paeria.egov.organo_dir3")
        )
        expediente.eni_identifier = f"ES_{organo}_{year}_EXP_{number:06d}"
        expediente.fecha_apertura = opened
    update_expediente_derived(expediente)
    expediente.reindexObject()


def expediente_copied(expediente, event):
    """A copy is a new expediente: it gets its own number and index when added."""
    expediente.numero = None
    expediente.eni_identifier = None
    expediente.fecha_apertura = None
    expediente.fecha_inicio_computo = None
    expediente.suspensions = ()
    expediente.index_closed = False
    expediente._last_order = 0


def expediente_modified(expediente, event):
    update_expediente_derived(expediente)


# Documento ----------------------------------------------------------------


def document_identifier(documento, year):
    """``ES_<DIR3>_<AAAA>_<id>``: the id part is 30 characters of the object's
    UUID, unique without a shared counter that every upload would contend for."""
    uid = IUUID(documento).replace("-", "")
    return f"ES_{documento.organo}_{year}_{uid[:30].upper()}"


def update_fingerprint(documento):
    if documento.file is None:
        documento.huella = None
        documento.nombre_formato = None
        return
    documento.huella = sha256_of_file(documento.file)
    documento.funcion_resumen = HASH_FUNCTION
    documento.nombre_formato = format_name(documento.file.contentType)


def documento_added(documento, event):
    """Fingerprint, identifier and — inside an expediente — the next order number
    (foliado) and incorporation date. A copy pasted elsewhere gets its own."""
    if "organo" not in documento.__dict__:
        # Only now, inside its container, does the default know the unit.
        documento.organo = default_organo(documento)
    captured = documento.fecha_captura or now()
    documento.eni_identifier = document_identifier(documento, captured.year)
    update_fingerprint(documento)
    expediente = enclosing_expediente(documento)
    if expediente is not None:
        documento.orden = expediente.take_order_number()
        documento.fecha_incorporacion = now()
    else:
        documento.orden = None
        documento.fecha_incorporacion = None
    documento.reindexObject()


def documento_moved(documento, event):
    """Moved to another expediente: it takes that expediente's next number."""
    if event.oldParent is None or event.newParent is None:
        return  # added or removed: handled elsewhere
    if event.oldParent is event.newParent:
        return  # renamed
    expediente = enclosing_expediente(documento)
    if expediente is not None:
        documento.orden = expediente.take_order_number()
        documento.fecha_incorporacion = now()
        documento.reindexObject(idxs=["orden", "expediente_numero", "unidad_uid"])


def documento_modified(documento, event):
    """A new file means a new fingerprint; the hash is always of the stored bytes."""
    update_fingerprint(documento)


# Unidad -------------------------------------------------------------------


def unidad_added(unidad, event):
    """Create the unit's two groups and give them their local roles on the unit."""
    unidad._tramitadores_group = unidad.tramitadores_group_id()
    unidad._responsables_group = unidad.responsables_group_id()
    groups = (
        (unidad.tramitadores_group_id(), "Tramitadores", "Tramitador"),
        (unidad.responsables_group_id(), "Responsables", "Responsable"),
    )
    for group_id, label, role in groups:
        if api.group.get(groupname=group_id) is None:
            api.group.create(
                groupname=group_id,
                title=f"{unidad.Title()} — {label}",
                description=f"{label} ({unidad.dir3_code})",
            )
            logger.info("Created group %s for unit %s", group_id, unidad.getId())
        unidad.manage_setLocalRoles(group_id, [role])
    unidad.reindexObjectSecurity()


def unidad_removed(unidad, event):
    """Groups go with their unit (the unit's content is gone too)."""
    for group_id in (unidad.tramitadores_group_id(), unidad.responsables_group_id()):
        if api.group.get(groupname=group_id) is not None:
            api.group.delete(groupname=group_id)
