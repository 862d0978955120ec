"""paeria.egov's data as the stock side mirrors it: every expediente and
register entry (a "container") with its identifiers, whether it is open, and
its documents (id, title, file name, type and the path of the blob file).

Used by paeria_prepare.py for the whole site and by paeria_load.py for each
batch as it is committed, so that stock Plone can load the same volume while
paeria.egov's is still loading. Runs in paeria.egov's venv.
"""

from _zope import progress
import time


CONTAINER_TYPES = ("Expediente", "Asiento")


def _container(brain, site_path):
    from paeria.egov.units.browser import OPEN

    path = brain.getPath()
    relative = path[len(site_path) + 1 :].split("/")
    # Units' expedientes go to the unit's folder; the rest (the register) to
    # a folder named after their top-level container.
    in_unit = path.startswith(f"{site_path}/unidades/")
    return {
        "kind": brain.portal_type,
        "group": relative[1] if in_unit else relative[0],
        "id": relative[-1],
        "title": brain.Title,
        "numero": getattr(brain, "expediente_numero", None)
        or getattr(brain, "registro_numero", None)
        or "",
        "ids": sorted(getattr(brain, "interesados_ids", None) or ()),
        "open": brain.portal_type == "Expediente"
        and getattr(brain, "eni_state", None) == OPEN,
        "docs": [],
    }


def describe_containers(site, catalog, paths=None, say_every=0):
    """The containers (all, or those at ``paths``) keyed by path, each with
    its documents sorted by their stock id, and how many documents there were
    inside them."""
    site_path = "/".join(site.getPhysicalPath())
    at_paths = {} if paths is None else {"path": {"query": sorted(paths), "depth": 0}}
    under_paths = {} if paths is None else {"path": {"query": sorted(paths)}}
    containers = {
        brain.getPath(): _container(brain, site_path)
        for brain in catalog.unrestrictedSearchResults(
            portal_type=CONTAINER_TYPES, **at_paths
        )
    }
    brains = catalog.unrestrictedSearchResults(portal_type="Documento", **under_paths)
    orphans = 0
    started = time.perf_counter()
    for count, brain in enumerate(brains, start=1):
        path = brain.getPath()
        parent = path.rsplit("/", 1)[0]
        while parent and parent not in containers:
            parent = parent.rsplit("/", 1)[0]
        if not parent:
            orphans += 1
            continue
        document = brain._unrestrictedGetObject()
        named = document.file
        containers[parent]["docs"].append(
            {
                # Unique in the container even for documents nested deeper
                # (a notification's): the stock File's id.
                "id": path[len(parent) + 1 :].replace("/", "-"),
                "title": document.Title(),
                "filename": named.filename,
                "mime": named.contentType,
                "blob": named._blob.committed(),
                "size": named.getSize(),
            }
        )
        if count % 1000 == 0:
            site._p_jar.cacheGC()
            if say_every and count % say_every == 0:
                progress(f"  described {count}/{len(brains)} documents")
    if say_every:
        progress(
            f"  described {len(brains)} documents in "
            f"{time.perf_counter() - started:.1f}s ({orphans} outside any container)"
        )
    for container in containers.values():
        container["docs"].sort(key=lambda document: document["id"])
    return containers, len(brains) - orphans


def units(catalog):
    found = []
    for brain in catalog.unrestrictedSearchResults(portal_type="Unidad", sort_on="id"):
        found.append({"id": brain.getId, "title": brain.Title})
    return found


def describe(site, catalog):
    """The whole manifest."""
    containers, documents = describe_containers(site, catalog, say_every=1000)
    return {
        "units": units(catalog),
        "containers": list(containers.values()),
        "documents": documents,
    }
