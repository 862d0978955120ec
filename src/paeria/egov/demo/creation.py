"""Adding the demo data set to a site: :func:`create_demo_data`. Whatever is
there already (a unit, a procedure, an expediente of the same title, an
account) is kept, so that running it twice adds nothing."""

from paeria.egov import clock
from paeria.egov import logger
from paeria.egov.demo.data import CITIZEN
from paeria.egov.demo.data import DEMO_PASSWORD
from paeria.egov.demo.data import EXPEDIENTES
from paeria.egov.demo.data import GLOBAL_STAFF
from paeria.egov.demo.data import PROCEDURES
from paeria.egov.demo.data import UNITS
from paeria.egov.demo.pdf import make_pdf
from paeria.egov.states import Procedimiento
from plone import api
from plone.namedfile.file import NamedBlobFile


def _member(username, fullname, role=None, **properties):
    if api.user.get(username=username) is None:
        api.user.create(
            username=username,
            email=f"{username}@demo.paeria.invalid",
            password=DEMO_PASSWORD,
            properties={"fullname": fullname, **properties},
        )
    if role:
        api.user.grant_roles(username=username, roles=[role])


def _staff_user(username, fullname, group_id):
    if api.user.get(username=username) is None:
        api.user.create(
            username=username,
            email=f"{username}@demo.paeria.invalid",
            password=DEMO_PASSWORD,
            properties={"fullname": fullname},
        )
    api.group.add_user(groupname=group_id, username=username)


def _units(site):
    """{unit id: Unidad}, each with a case worker and a head."""
    units = {}
    for unit_id, title, dir3 in UNITS:
        unit = site.unidades.get(unit_id) or api.content.create(
            container=site.unidades,
            type="Unidad",
            id=unit_id,
            title=title,
            dir3_code=dir3,
        )
        units[unit_id] = unit
        _staff_user(
            f"tramitador.{unit_id}",
            f"Tramitador — {title}",
            unit.tramitadores_group_id(),
        )
        _staff_user(
            f"responsable.{unit_id}",
            f"Responsable — {title}",
            unit.responsables_group_id(),
        )
    return units


def _procedures(site, units):
    """{procedure id: Procedimiento}, published."""
    procedures = {}
    for (
        proc_id,
        title,
        sia,
        unit_id,
        amount,
        time_unit,
        silence,
        online,
        subjects,
        documents,
    ) in PROCEDURES:
        procedure = site.tramites.get(proc_id)
        if procedure is None:
            procedure = api.content.create(
                container=site.tramites,
                type="Procedimiento",
                id=proc_id,
                title=title,
                description=f"Tràmit: {title}.",
                sia_code=sia,
                responsible_unit=units[unit_id].UID(),
                max_resolution_amount=amount,
                max_resolution_unit=time_unit,
                silence_effect=silence,
                channels=["telematico", "presencial"],
                online_start=online,
                subject=subjects,
                required_documents=[
                    {"name": name, "mandatory": mandatory, "tipo_documental": td}
                    for name, mandatory, td in documents
                ],
            )
            api.content.transition(procedure, to_state=Procedimiento.PUBLICADO)
        procedures[proc_id] = procedure
    return procedures


def _add_documents(expediente, title, party, documents):
    """A real one-page PDF for each of ``documents``."""
    _kind, identifier, name = party
    for doc_title, tipo, origen in documents:
        content = make_pdf(
            doc_title,
            [
                f"Expedient {expediente.numero}: {title}.",
                f"Interessat: {name} ({identifier}).",
                f"Data: {clock.today().isoformat()}.",
            ],
        )
        api.content.create(
            container=expediente,
            type="Documento",
            title=doc_title,
            tipo_documental=tipo,
            origen=origen,
            file=NamedBlobFile(
                content,
                contentType="application/pdf",
                filename=f"{doc_title}.pdf",
            ),
        )


def _expedientes(units, procedures):
    """Add the expedientes not there yet; return how many were added."""
    created = 0
    for unit_id, proc_id, title, party, documents in EXPEDIENTES:
        unit = units[unit_id]
        # Whoever runs it, and however the catalog's text index reads the
        # title: look at the unit's own expedientes.
        if any(
            obj.portal_type == "Expediente" and obj.title == title
            for obj in unit.objectValues()
        ):
            continue
        kind, identifier, name = party
        expediente = api.content.create(
            container=unit,
            type="Expediente",
            title=title,
            procedimiento=procedures[proc_id].UID(),
            interesados=[
                {
                    "identifier_type": kind,
                    "identifier": identifier,
                    "name": name,
                    "notification_channel": "electronica",
                }
            ],
        )
        _add_documents(expediente, title, party, documents)
        created += 1
    return created


def _accounts():
    """The global staff, and the citizen as Interesado of her expedientes."""
    for username, fullname, role in GLOBAL_STAFF:
        _member(username, fullname, role=role)
    username, fullname, nif = CITIZEN
    _member(username, fullname, nif=nif)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Expediente"):
        expediente = brain._unrestrictedGetObject()
        identifiers = {row.get("identifier") for row in expediente.interesados}
        if nif in identifiers:
            expediente.manage_setLocalRoles(username, ["Interesado"])
            expediente.reindexObjectSecurity()


def create_demo_data(site):
    """Create the demo data set; returns a one-line account of it."""
    with api.env.adopt_roles(["Manager"]):
        units = _units(site)
        procedures = _procedures(site, units)
        created = _expedientes(units, procedures)
        _accounts()
    logger.info(
        "Demo data: %d units, %d procedures, %d expedientes",
        len(units),
        len(procedures),
        created,
    )
    return (
        f"Demo data: {len(units)} units (staff password '{DEMO_PASSWORD}'), "
        f"{len(procedures)} published procedures, {created} expedientes; "
        f"citizen {CITIZEN[0]}, {GLOBAL_STAFF[0][0]}, {GLOBAL_STAFF[1][0]}."
    )
