"""After the reference data are loaded: make sure one expediente has 50
documents, then describe the data for the stock side and pick the samples.

Writes (--out) {"manifest": ..., "samples": ..., "counts": ...}:
- manifest: every unit, every expediente and register entry with its
  identifiers, whether it is open, and its documents (title, file name, type
  and the path of the blob file), so that stock Plone can hold the very same
  volume: one Folder per container, one File (same bytes) per document;
- samples: found through the catalog, never hard-coded — the units with most
  open expedientes and a staff user of each, NIFs from ``interesados_ids``,
  numbers from ``expediente_numero``, words from the documents' full text, the
  expedientes to GET, the one with 50 documents, a procedure to create
  expedientes with, the unit that receives the register's entries.
Runs in paeria.egov's venv.
"""

from _describe import describe
from _zope import arguments
from _zope import site_of
from _zope import write
from _zope import zope_app
import random
import re


args = arguments(
    ("--big", {"type": int, "default": 50, "help": "documents of the big one"}),
    description=__doc__,
)
rng = random.Random(2026)
WORD = re.compile(r"[a-zà-ÿ]{5,}$")


def staff_of(site, unit):
    """A member of the unit's tramitadores group (sorted: deterministic)."""
    groups = site.acl_users.source_groups
    members = sorted(groups.getGroupMembers(unit.tramitadores_group_id()))
    users = [m for m in members if site.acl_users.getUserById(m) is not None]
    return users[0] if users else None


def procedure_for(catalog, unit):
    for query in ({"responsible_unit": unit.UID()}, {}):
        brains = catalog.unrestrictedSearchResults(
            portal_type="Procedimiento", sort_on="id", **query
        )
        if brains:
            return brains[0].UID
    return None


def ensure_big_expediente(site, catalog, unit, procedure_uid, documents):
    """An expediente of ``unit`` with ``documents`` documents: an existing one,
    or one created here (the loader may have none that large)."""
    from paeria.egov.demo.pdf import make_pdf
    from plone import api
    from plone.namedfile.file import NamedBlobFile
    import transaction

    counts = {}
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Documento", path="/".join(unit.getPhysicalPath())
    ):
        parent = brain.getPath().rsplit("/", 1)[0]
        counts[parent] = counts.get(parent, 0) + 1
    for path, count in sorted(counts.items()):
        if count >= documents and site.unrestrictedTraverse(path).portal_type == (
            "Expediente"
        ):
            return path, False
    with api.env.adopt_roles(["Manager"]):
        expediente = api.content.create(
            container=unit,
            type="Expediente",
            title="Expediente de referencia con cincuenta documentos",
            procedimiento=procedure_uid,
            interesados=[
                {
                    "identifier_type": "NIF",
                    "identifier": "12345678Z",
                    "name": "Maria Puig i Soler",
                    "notification_channel": "electronica",
                }
            ],
        )
        for position in range(documents):
            title = f"Documento {position + 1} del expediente {expediente.numero}"
            api.content.create(
                container=expediente,
                type="Documento",
                title=title,
                tipo_documental="TD99",
                origen="administracion",
                file=NamedBlobFile(
                    make_pdf(title, [f"Folio {position + 1}. Informe de tramitación."]),
                    contentType="application/pdf",
                    filename=f"documento-{position + 1:02d}.pdf",
                ),
            )
    transaction.commit()
    return "/".join(expediente.getPhysicalPath()), True


def pick_words(catalog, document_paths, documents):
    """Words of the documents' own text, leaving out those found in more than
    a tenth of them (stop-word-like: nobody searches for them)."""
    candidates = []
    index = catalog._catalog.getIndex("SearchableText")
    for path in rng.sample(document_paths, min(80, len(document_paths))):
        rid = catalog._catalog.uids.get(path)
        if rid is None:
            continue
        words = [w for w in index.getEntryForObject(rid) or () if WORD.match(w)]
        if words:
            candidates.append(rng.choice(words))
    chosen = []
    for word in dict.fromkeys(candidates):
        found = len(
            catalog.unrestrictedSearchResults(
                portal_type="Documento", SearchableText=word
            )
        )
        if 0 < found <= max(1, documents // 10):
            chosen.append(word)
    return chosen[:30]


def prepare(site):
    from paeria.egov.units.browser import OPEN

    catalog = site.portal_catalog
    # The units with most open expedientes, and one of their staff each.
    trays = []
    for brain in catalog.unrestrictedSearchResults(portal_type="Unidad"):
        unit = brain._unrestrictedGetObject()
        path = brain.getPath()
        open_count = len(
            catalog.unrestrictedSearchResults(
                portal_type="Expediente",
                path={"query": path, "depth": 1},
                eni_state=OPEN,
            )
        )
        user = staff_of(site, unit)
        if user and open_count:
            trays.append(
                {"unit": unit.getId(), "path": path, "user": user, "open": open_count}
            )
    if not trays:
        raise SystemExit("no unit has open expedientes and staff: load data first")
    trays.sort(key=lambda tray: (-tray["open"], tray["unit"]))
    trays = trays[:10]
    main = trays[0]
    unit = site.unrestrictedTraverse(main["path"])
    procedure_uid = procedure_for(catalog, unit)
    big_path, created = ensure_big_expediente(
        site, catalog, unit, procedure_uid, args.big
    )

    manifest = describe(site, catalog)
    nifs = sorted(catalog.uniqueValuesFor("interesados_ids"))
    numeros = sorted(n for n in catalog.uniqueValuesFor("expediente_numero") if n)
    document_paths = [
        b.getPath() for b in catalog.unrestrictedSearchResults(portal_type="Documento")
    ]
    get_paths = []
    for tray in trays:
        for brain in catalog.unrestrictedSearchResults(
            portal_type="Expediente", path={"query": tray["path"], "depth": 1}
        ):
            get_paths.append({"path": brain.getPath(), "user": tray["user"]})
    get_paths = rng.sample(get_paths, min(100, len(get_paths)))
    registro_units = [
        b.UID for b in catalog.unrestrictedSearchResults(portal_type="Unidad")
    ]
    samples = {
        "trays": trays,
        "nifs": rng.sample(nifs, min(50, len(nifs))),
        "numeros": rng.sample(numeros, min(50, len(numeros))),
        "words": pick_words(catalog, document_paths, len(document_paths)),
        "get": get_paths,
        "big": {"path": big_path, "user": main["user"], "created": created},
        "create": {
            "unit_path": main["path"],
            "user": main["user"],
            "procedure_uid": procedure_uid,
        },
        "register_unit_uid": sorted(registro_units)[0],
    }
    counts = {
        "units": len(manifest["units"]),
        "expedientes": len(catalog.unrestrictedSearchResults(portal_type="Expediente")),
        "asientos": len(catalog.unrestrictedSearchResults(portal_type="Asiento")),
        "documents": len(document_paths),
        "catalog_objects": len(catalog),
    }
    return {"manifest": manifest, "samples": samples, "counts": counts}


with zope_app(args.conf) as app, site_of(app, args.site) as site:
    write(args.out, prepare(site))
