"""Load paeria.egov's reference data (what ``paeria-instance load-reference``
runs) and, as each batch is committed, append what it added to a feed that
stock_build.py --feed follows: the stock side loads the same volume on the
other core while this one is still loading, instead of after it.

Writes (--out) the loader's counts and time. The feed (--feed) has one JSON
object per line: {"units": [...]} first, then {"containers": [...]} per batch
(the shape of _describe.py's manifest), and {"done": true} at the end.
Runs in paeria.egov's venv.
"""

from _describe import CONTAINER_TYPES
from _describe import describe_containers
from _describe import units
from _zope import arguments
from _zope import progress
from _zope import site_of
from _zope import write
from _zope import zope_app
import json
import time
import zope.event


args = arguments(
    ("--scale", {"required": True}),
    ("--feed", {"required": True, "help": "the JSON-lines file to append to"}),
    ("--batch", {"type": int, "default": 100, "help": "expedientes per commit"}),
    description=__doc__,
)


class Feed:
    """Collects the containers each batch adds and appends them once the
    batch is committed (their blob files exist only then)."""

    def __init__(self, site, path):
        self.site = site
        self.catalog = site.portal_catalog
        self.output = open(path, "a", encoding="utf-8")  # noqa: SIM115
        self.added = []
        self.sent_units = False

    def notice(self, event):
        from zope.lifecycleevent.interfaces import IObjectAddedEvent

        if (
            IObjectAddedEvent.providedBy(event)
            and getattr(event.object, "portal_type", None) in CONTAINER_TYPES
        ):
            self.added.append(event.object)

    def line(self, data):
        self.output.write(json.dumps(data, sort_keys=True) + "\n")
        self.output.flush()

    def batch_committed(self, done, total, counts):
        if not self.sent_units:
            self.line({"units": units(self.catalog)})
            self.sent_units = True
        paths = {"/".join(obj.getPhysicalPath()) for obj in self.added}
        self.added = []
        if paths:
            containers, _ = describe_containers(self.site, self.catalog, paths)
            self.line({"containers": list(containers.values())})
        if done % 1000 < args.batch or done == total:
            objects = sum(counts.values())
            progress(f"  paeria: {done}/{total} expedientes, {objects} objects")

    def close(self):
        self.line({"done": True})
        self.output.close()


with zope_app(args.conf) as app, site_of(app, args.site) as site:
    from paeria.egov.reference.loader import load

    feed = Feed(site, args.feed)
    zope.event.subscribers.append(feed.notice)
    started = time.monotonic()
    try:
        loader, finished = load(
            site, scale=args.scale, batch=args.batch, report=feed.batch_committed
        )
    finally:
        zope.event.subscribers.remove(feed.notice)
    seconds = time.monotonic() - started
    if not finished:
        raise SystemExit("the load stopped before its end")
    feed.close()
    created = sum(loader.counts.values())
    write(
        args.out,
        {
            "seconds": seconds,
            "objects": created,
            "objects_per_s": created / seconds if seconds else 0,
            "counts": dict(loader.counts),
        },
    )
