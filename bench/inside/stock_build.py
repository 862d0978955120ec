"""Stock Plone 6.2 holding the same volume as paeria.egov's reference data.

Creates the Plone site (Classic UI: plone.app.contenttypes, Barceloneta,
plone.restapi) if absent, then mirrors paeria.egov's manifest with stock types
only: one top-level Folder per unit (and one for the register), one Folder per
expediente or register entry holding one File per document, with the same
bytes (read from paeria.egov's blob files), file names and titles. The
expediente's number and its interested parties' NIFs go into the Folder's
Subject (a KeywordIndex, as ``interesados_ids`` is) and its description;
closed expedientes are published (the stock work tray lists the private ones).
Each unit folder gives a group ``<unit>-editors`` the roles a case worker
needs there (Contributor, Editor, Reader: add, change, see), and the
staff users of the samples are members of their unit's group, so that queries
run with the same security filtering as paeria.egov's.

Runs in the stock venv only: it must not import paeria.egov.
"""

from _zope import arguments
from _zope import progress
from _zope import site_of
from _zope import write
from _zope import zope_app
import json
import time


args = arguments(
    ("--manifest", {"required": True, "help": "paeria_prepare.py's JSON"}),
    ("--admin-password", {"required": True}),
    ("--password", {"required": True, "help": "of the staff users"}),
    ("--batch", {"type": int, "default": 200, "help": "items per commit"}),
    description=__doc__,
)
# What paeria.egov's Tramitador does in a unit, in stock roles.
STAFF_ROLES = ["Contributor", "Editor", "Reader"]


def stock_path(site_path, paeria_path):
    """/Plone/unidades/<unit>/<id> -> /Plone/<unit>/<id>; anything else keeps
    its path (the register's entries: /Plone/registro/<id>). Also in run.py."""
    relative = paeria_path[len(site_path) + 1 :]
    if relative.startswith("unidades/"):
        relative = relative[len("unidades/") :]
    return f"{site_path}/{relative}"


def ensure_admin(app, password):
    users = app.acl_users
    if users.getUser("admin") is None:
        users._doAddUser("admin", password, ["Manager"], [])


def ensure_site(app):
    from Products.CMFPlone.factory import addPloneSite

    if args.site in app.objectIds():
        return app[args.site], False
    site = addPloneSite(
        app,
        args.site,
        title="Stock Plone 6.2",
        extension_ids=(
            "plone.app.contenttypes:default",
            "plonetheme.barceloneta:default",
            "plone.restapi:default",
        ),
        default_language="es",
        portal_timezone="Europe/Madrid",
    )
    return site, True


def mirror(site, prepared):
    from plone import api
    from plone.namedfile.file import NamedBlobFile
    import transaction

    manifest = prepared["manifest"]
    samples = prepared["samples"]
    staff = {}
    for tray in samples["trays"]:
        staff.setdefault(tray["user"], set()).add(tray["unit"])
    for sample in [samples["big"], samples["create"], *samples["get"]]:
        unit = stock_path("/" + args.site, sample.get("path") or sample["unit_path"])
        staff.setdefault(sample["user"], set()).add(unit.split("/")[2])

    started = time.perf_counter()
    items = pending = 0

    def created(count=1):
        nonlocal items, pending
        items += count
        pending += count
        if pending >= args.batch:
            transaction.commit()
            site._p_jar.cacheGC()
            pending = 0

    groups = {}
    with api.env.adopt_roles(["Manager"]):
        folders = {unit["id"]: unit["title"] for unit in manifest["units"]}
        for container in manifest["containers"]:
            folders.setdefault(container["group"], container["group"].title())
        for folder_id, title in sorted(folders.items()):
            if folder_id not in site.objectIds():
                api.content.create(
                    container=site, type="Folder", id=folder_id, title=title
                )
                created()
            group_id = f"{folder_id}-editors"
            if api.group.get(groupname=group_id) is None:
                api.group.create(groupname=group_id, title=f"{title} — editors")
            site[folder_id].manage_setLocalRoles(group_id, STAFF_ROLES)
            site[folder_id].reindexObjectSecurity()
            groups[folder_id] = group_id
        for username, units in sorted(staff.items()):
            if api.user.get(username=username) is None:
                api.user.create(
                    username=username,
                    email=f"{username}@bench.invalid",
                    password=args.password,
                )
            for unit in sorted(units):
                api.group.add_user(groupname=groups[unit], username=username)
        transaction.commit()

        for number, container in enumerate(manifest["containers"], start=1):
            parent = site[container["group"]]
            if container["id"] in parent.objectIds():
                continue  # a second run after an interrupted one
            keywords = [k for k in [container["numero"], *container["ids"]] if k]
            folder = api.content.create(
                container=parent,
                type="Folder",
                id=container["id"],
                title=container["title"],
                description=" ".join(keywords),
                subject=keywords,
            )
            if container["kind"] == "Expediente" and not container["open"]:
                api.content.transition(folder, transition="publish")
            created()
            for document in container["docs"]:
                with open(document["blob"], "rb") as data:
                    api.content.create(
                        container=folder,
                        type="File",
                        title=document["title"],
                        file=NamedBlobFile(
                            data.read(),
                            contentType=document["mime"],
                            filename=document["filename"],
                        ),
                    )
                created()
            if number % 500 == 0:
                rate = items / (time.perf_counter() - started)
                progress(
                    f"  stock: {number}/{len(manifest['containers'])} folders, "
                    f"{items} items, {rate:.0f} items/s"
                )
        transaction.commit()
    elapsed = time.perf_counter() - started
    return {"items": items, "seconds": elapsed, "items_per_s": items / elapsed}


def stock_samples(site, samples):
    site_path = "/" + args.site

    def mapped(sample):
        return {**sample, "path": stock_path(site_path, sample["path"])}

    return {
        "trays": [mapped(tray) for tray in samples["trays"]],
        "nifs": samples["nifs"],
        "numeros": samples["numeros"],
        "words": samples["words"],
        "get": [mapped(sample) for sample in samples["get"]],
        "big": mapped(samples["big"]),
        "create": {
            "unit_path": stock_path(site_path, samples["create"]["unit_path"]),
            "user": samples["create"]["user"],
        },
    }


def counts(site):
    catalog = site.portal_catalog
    return {
        "folders": len(catalog.unrestrictedSearchResults(portal_type="Folder")),
        "documents": len(catalog.unrestrictedSearchResults(portal_type="File")),
        "catalog_objects": len(catalog),
    }


with open(args.manifest, encoding="utf-8") as source:
    prepared = json.load(source)
with zope_app(args.conf) as app:
    import transaction

    ensure_admin(app, args.admin_password)
    new = ensure_site(app)[1]
    transaction.commit()
    progress("  stock: created the Plone site" if new else "  stock: site exists")
    with site_of(app, args.site) as site:
        load = mirror(site, prepared)
        write(
            args.out,
            {
                "load": load,
                "samples": stock_samples(site, prepared["samples"]),
                "counts": counts(site),
            },
        )
