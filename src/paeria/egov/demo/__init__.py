"""The demo data set `make start` adds to a new site (DEMO=1): a few units with
staff, published procedures and expedientes with real PDF documents.

Deterministic, so that a demo reads the same every time. The demo staff's
password is DEMO_PASSWORD; never create demo data on a production site."""

from paeria.egov import clock
from paeria.egov import logger
from paeria.egov.demo.pdf import make_pdf
from paeria.egov.states import Procedimiento
from plone import api
from plone.namedfile.file import NamedBlobFile


DEMO_PASSWORD = "paeria-demo"  # noqa: S105 - documented demo credential

UNITS = (
    ("urbanismo", "Urbanisme", "LA0003062"),
    ("serveis-socials", "Serveis Socials", "LA0003071"),
    ("hisenda", "Hisenda", "LA0003080"),
)

# (id, title, SIA, unit, amount, unit of time, silence, online, subjects, documents)
PROCEDURES = (
    (
        "llicencia-obra-menor",
        "Llicència d'obra menor",
        "2070601",
        "urbanismo",
        1,
        "months",
        "estimatorio",
        True,
        ["Urbanisme", "Habitatge"],
        [
            ("Projecte o memòria descriptiva", True, "TD14"),
            ("Pressupost", True, "TD99"),
        ],
    ),
    (
        "ajut-urgencia-social",
        "Ajut d'urgència social",
        "2070602",
        "serveis-socials",
        20,
        "business_days",
        "desestimatorio",
        True,
        ["Serveis socials"],
        [("Informe social", False, "TD13"), ("Justificant d'ingressos", True, "TD14")],
    ),
    (
        "fraccionament-deutes",
        "Fraccionament de deutes tributaris",
        "2070603",
        "hisenda",
        6,
        "months",
        "desestimatorio",
        True,
        ["Tributs"],
        [("Sol·licitud", True, "TD14")],
    ),
    (
        "instancia-generica",
        "Instància genèrica",
        "2070604",
        "hisenda",
        3,
        "months",
        "desestimatorio",
        True,
        ["General"],
        [],
    ),
)

# (unit, procedure, title, (identifier type, identifier, name), documents)
EXPEDIENTES = (
    (
        "urbanismo",
        "llicencia-obra-menor",
        "Reforma de cuina al carrer Major, 12",
        ("NIF", "12345678Z", "Anna Puig Soler"),
        [
            ("Sol·licitud de llicència", "TD14", "ciudadano"),
            ("Pressupost", "TD99", "ciudadano"),
        ],
    ),
    (
        "urbanismo",
        "llicencia-obra-menor",
        "Canvi de tancament a l'avinguda de Blondel, 5",
        ("NIE", "X1234567L", "Joao Silva"),
        [("Sol·licitud de llicència", "TD14", "ciudadano")],
    ),
    (
        "serveis-socials",
        "ajut-urgencia-social",
        "Ajut per a subministraments bàsics",
        ("NIF", "87654321X", "Marta Vidal Roca"),
        [
            ("Sol·licitud d'ajut", "TD14", "ciudadano"),
            ("Informe de la treballadora social", "TD13", "administracion"),
        ],
    ),
    (
        "hisenda",
        "fraccionament-deutes",
        "Fraccionament IBI 2026",
        ("CIF", "B25123458", "Fruites del Segrià, SL"),
        [("Sol·licitud de fraccionament", "TD14", "ciudadano")],
    ),
)


# Other demo accounts (same password): a citizen whose NIF is the first
# expediente's interested party (she sees it in Mi carpeta), a register clerk
# and an internal auditor (global roles).
CITIZEN = ("ciutadana.demo", "Anna Puig Soler", "12345678Z")
GLOBAL_STAFF = (
    ("registrador.demo", "Registrador — Registre general", "Registrador"),
    ("auditor.demo", "Auditora — Control intern", "Auditor"),
)


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


def create_demo_data(site):
    """Create the demo data set; returns a one-line account of it."""
    with api.env.adopt_roles(["Manager"]):
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
            created += 1

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
