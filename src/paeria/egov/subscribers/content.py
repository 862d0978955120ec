"""Computed metadata of the domain's content, set by event subscribers only.

Numbers, identifiers, fingerprints and order are never taken from the client:
the schema marks them read-only (forms and plone.restapi skip them) and these
subscribers are the only writers."""

from Acquisition import aq_base
from datetime import datetime
from paeria.egov import clock
from paeria.egov import logger
from paeria.egov.calendar.terms import compute_deadline
from paeria.egov.clock import MADRID
from paeria.egov.content.documento import default_organo
from paeria.egov.content.documento import format_name
from paeria.egov.content.documento import HASH_FUNCTION
from paeria.egov.content.indexers import enclosing_expediente
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.content.lookup import object_by_uid
from paeria.egov.fingerprints import sha256_of_file
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import format_expediente_number
from paeria.egov.numbering import next_number
from paeria.egov.registry.calendar import site_calendar
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import validate_identifier
from plone import api
from plone.uuid.interfaces import IUUID
from zope.container.interfaces import IContainerModifiedEvent


def canonical_dir3(code):
    """DIR3 codes are stored as validated (upper case, no spaces): they go into
    ENI identifiers, which are compared exactly, and are searched as such. An
    invalid one was refused at the form or API already and is left as it is."""
    try:
        return validate_dir3(code)
    except InvalidIdentifier:
        return code


# Procedimiento ------------------------------------------------------------


def procedimiento_modified(procedimiento, event):
    procedimiento.sia_code = (procedimiento.sia_code or "").strip()


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


def expediente_added(expediente, event):
    """Number (AAAA/NNNNNN, gapless per year), ENI identifier, opening date."""
    if expediente.numero is None:
        opened = clock.office_now()
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


def uncatalog_old_path(obj, event):
    """IObjectWillBeMovedEvent of the domain's content (moved or renamed):
    drop its catalog entry under the path it is leaving at once.

    CMF queues that removal and carries it out later through the object
    itself, which by then answers with its new path: when the queue had not
    run between the object's creation and its move, as in a request that
    makes and moves it, the entry under the old path stayed behind and the
    catalog listed the object at an address it no longer had."""
    if event.oldParent is None or event.newParent is None:
        return  # added, or removed: the queue removes it under this very path
    catalog = api.portal.get_tool("portal_catalog")
    path = "/".join(obj.getPhysicalPath())
    if catalog._catalog.uids.get(path) is not None:
        catalog.uncatalog_object(path)


def expediente_copied(expediente, event):
    """A copy is a new expediente: it gets its own number when added. Its
    documents keep their order (see documento_added), so the order counter is
    kept too and the next document follows the last copied one."""
    expediente.numero = None
    expediente.eni_identifier = None
    expediente.fecha_apertura = None
    expediente.fecha_inicio_computo = None
    expediente.suspensions = ()
    expediente.index_closed = False


def expediente_modified(expediente, event):
    if IContainerModifiedEvent.providedBy(event):
        # A document added, removed or reordered: nothing derived changes.
        return
    update_expediente_derived(expediente)
    # Plone queued a reindex for this modification, but looking the procedure
    # up searches the catalog, which runs that queue before the derived values
    # above changed: queue another one so the catalog gets them.
    expediente.reindexObject()


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


def added_with_its_container(documento, event):
    """Whether the event is about an ancestor (the expediente copied or moved
    as a whole) and reaches the document as one of its sublocations. Then the
    document keeps its place in its expediente's index: dispatching to
    sublocations follows the ids, not the order (foliado)."""
    return aq_base(event.object) is not aq_base(documento)


def documento_added(documento, event):
    """Fingerprint, identifier and — inside an expediente — the next order number
    (foliado) and incorporation date. A copy pasted elsewhere gets its own."""
    if "organo" not in documento.__dict__:
        # Only now, inside its container, does the default know the unit.
        documento.organo = default_organo(documento)
    documento.organo = canonical_dir3(documento.organo)
    captured = documento.fecha_captura or clock.office_now()
    documento.eni_identifier = document_identifier(documento, captured.year)
    update_fingerprint(documento)
    expediente = enclosing_expediente(documento)
    if expediente is not None:
        if not (added_with_its_container(documento, event) and documento.orden):
            documento.orden = expediente.take_order_number()
        documento.fecha_incorporacion = clock.office_now()
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
    if added_with_its_container(documento, event):
        return  # its expediente moved (to another unit) and its index with it
    expediente = enclosing_expediente(documento)
    if expediente is not None:
        documento.orden = expediente.take_order_number()
        documento.fecha_incorporacion = clock.office_now()
        documento.reindexObject(idxs=["orden", "expediente_numero", "unidad_uid"])


def documento_modified(documento, event):
    """A new file means a new fingerprint; the hash is always of the stored bytes.
    Reindexed here, as the queued reindex may already have run (see
    expediente_modified)."""
    documento.organo = canonical_dir3(documento.organo)
    update_fingerprint(documento)
    documento.reindexObject()


# Unidad -------------------------------------------------------------------


def unidad_added(unidad, event):
    """Create the unit's two groups and give them their local roles on the unit."""
    unidad.dir3_code = canonical_dir3(unidad.dir3_code)
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
    unidad.reindexObject(idxs=["dir3_code"])


def unidad_modified(unidad, event):
    """Keep the DIR3 code canonical when it is edited. (To be registered for
    IObjectModifiedEvent in configure.zcml.)"""
    unidad.dir3_code = canonical_dir3(unidad.dir3_code)
    unidad.reindexObject(idxs=["dir3_code"])


def unidad_removed(unidad, event):
    """Groups go with their unit (the unit's content is gone too)."""
    for group_id in (unidad.tramitadores_group_id(), unidad.responsables_group_id()):
        if api.group.get(groupname=group_id) is not None:
            api.group.delete(groupname=group_id)
