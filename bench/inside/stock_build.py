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

With --feed it follows what paeria_load.py appends while paeria.egov's data
are still loading (both loads then run at once, one per core); the run with
--manifest afterwards adds only what is missing (the 50-document expediente
paeria_prepare.py makes) and the staff users. Files get the paeria document's
path within its container as id, so that both runs agree on what exists.

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
    ("--manifest", {"help": "paeria_prepare.py's JSON: mirror all of it"}),
    ("--feed", {"help": "paeria_load.py's feed: mirror it as it grows"}),
    ("--admin-password", {"required": True}),
    ("--password", {"help": "of the staff users (with --manifest)"}),
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


class Mirror:
    """Creates the Folders and Files, committing every ``--batch`` items, and
    times only its own work (not the waits for the feed)."""

    def __init__(self, site):
        self.site = site
        self.items = self.pending = 0
        self.seconds = 0.0
        self.groups = {}

    def created(self):
        self.items += 1
        self.pending += 1
        if self.pending >= args.batch:
            self.commit()

    def commit(self):
        import transaction

        transaction.commit()
        self.site._p_jar.cacheGC()
        self.pending = 0

    def group_folder(self, folder_id, title):
        """The unit's (or the register's) folder, where the group of its staff
        has the roles a case worker needs, set before anything is added so
        that no subtree has to be reindexed for security later."""
        from plone import api

        site = self.site
        if folder_id not in self.groups:
            if not site.hasObject(folder_id):
                api.content.create(
                    container=site, type="Folder", id=folder_id, title=title
                )
                self.created()
            group_id = f"{folder_id}-editors"
            if api.group.get(groupname=group_id) is None:
                api.group.create(groupname=group_id, title=f"{title} — editors")
            folder = site[folder_id]
            if list(folder.get_local_roles_for_userid(group_id)) != STAFF_ROLES:
                folder.manage_setLocalRoles(group_id, STAFF_ROLES)
                folder.reindexObjectSecurity()
            self.groups[folder_id] = group_id
        return site[folder_id]

    def container(self, container, titles):
        """One Folder per expediente or entry, one File per document; what an
        interrupted run or the feed already made is kept."""
        from plone import api
        from plone.namedfile.file import NamedBlobFile

        began = time.perf_counter()
        group = container["group"]
        parent = self.group_folder(group, titles.get(group, group.title()))
        if parent.hasObject(container["id"]):
            folder = parent[container["id"]]
        else:
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
            self.created()
        for document in container["docs"]:
            if folder.hasObject(document["id"]):
                continue
            with open(document["blob"], "rb") as data:
                api.content.create(
                    container=folder,
                    type="File",
                    id=document["id"],
                    title=document["title"],
                    file=NamedBlobFile(
                        data.read(),
                        contentType=document["mime"],
                        filename=document["filename"],
                    ),
                )
            self.created()
        self.seconds += time.perf_counter() - began

    def load(self):
        return {
            "items": self.items,
            "seconds": self.seconds,
            "items_per_s": self.items / self.seconds if self.seconds else 0,
        }


def staff_users(mirror, samples):
    """The staff users of the samples, members of their unit's group."""
    from plone import api

    staff = {}
    for tray in samples["trays"]:
        staff.setdefault(tray["user"], set()).add(tray["unit"])
    for sample in [samples["big"], samples["create"], *samples["get"]]:
        unit = stock_path("/" + args.site, sample.get("path") or sample["unit_path"])
        staff.setdefault(sample["user"], set()).add(unit.split("/")[2])
    for username, units in sorted(staff.items()):
        if api.user.get(username=username) is None:
            api.user.create(
                username=username,
                email=f"{username}@bench.invalid",
                password=args.password,
            )
        for unit in sorted(units):
            api.group.add_user(groupname=mirror.groups[unit], username=username)


def mirror_manifest(site, prepared):
    from plone import api

    manifest = prepared["manifest"]
    titles = {unit["id"]: unit["title"] for unit in manifest["units"]}
    mirror = Mirror(site)
    total = len(manifest["containers"])
    with api.env.adopt_roles(["Manager"]):
        for unit in manifest["units"]:
            mirror.group_folder(unit["id"], unit["title"])
        for number, container in enumerate(manifest["containers"], start=1):
            mirror.container(container, titles)
            if number % 5000 == 0:
                progress(f"  stock: {number}/{total} folders, {mirror.items} new items")
        staff_users(mirror, prepared["samples"])
        mirror.commit()
    return mirror.load()


def follow_feed(site, feed):
    """Mirror what paeria_load.py appends to ``feed`` until it says done."""
    from plone import api

    mirror = Mirror(site)
    titles = {}
    folders = 0
    with api.env.adopt_roles(["Manager"]), open(feed, encoding="utf-8") as lines:
        pending = ""
        while True:
            chunk = lines.readline()
            if not chunk or not chunk.endswith("\n"):
                pending += chunk
                mirror.commit()
                time.sleep(0.5)
                continue
            data = json.loads(pending + chunk)
            pending = ""
            if data.get("done"):
                break
            for unit in data.get("units", ()):
                titles[unit["id"]] = unit["title"]
                mirror.group_folder(unit["id"], unit["title"])
            for container in data.get("containers", ()):
                mirror.container(container, titles)
                folders += 1
                if folders % 5000 == 0:
                    rate = mirror.items / mirror.seconds if mirror.seconds else 0
                    progress(
                        f"  stock: {folders} folders from the feed, "
                        f"{mirror.items} items, {rate:.0f} items/s"
                    )
        mirror.commit()
    return mirror.load()


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


with zope_app(args.conf) as app:
    import transaction

    ensure_admin(app, args.admin_password)
    new = ensure_site(app)[1]
    transaction.commit()
    progress("  stock: created the Plone site" if new else "  stock: site exists")
    with site_of(app, args.site) as site:
        if args.feed:
            write(args.out, {"load": follow_feed(site, args.feed)})
        else:
            with open(args.manifest, encoding="utf-8") as source:
                prepared = json.load(source)
            load = mirror_manifest(site, prepared)
            write(
                args.out,
                {
                    "load": load,
                    "samples": stock_samples(site, prepared["samples"]),
                    "counts": counts(site),
                },
            )
