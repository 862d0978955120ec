"""What every script run inside a Zope instance needs, for both sides.

These scripts run with the Python of the side they measure: paeria.egov's
``.venv`` or the stock Plone venv, which must never import paeria.egov. So this
module imports only Zope, Plone and the standard library. Scripts are started
as ``<venv>/bin/python bench/inside/<script>.py --conf etc/zope.conf ...`` (as
``zconsole run`` would, but with arguments) and write their result as JSON.
"""

from contextlib import contextmanager
import argparse
import json
import statistics
import sys
import time


def arguments(*extra, description=""):
    """--conf, --out and --site, plus ``extra`` (name, kwargs) pairs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--conf", required=True, help="the instance's zope.conf")
    parser.add_argument("--out", required=True, help="where to write the JSON result")
    parser.add_argument("--site", default="Plone")
    for name, options in extra:
        parser.add_argument(name, **options)
    return parser.parse_args()


@contextmanager
def zope_app(zope_conf):
    """The Zope root with a request and the system user; the database is closed
    at the end so that a FileStorage index is written (a stale one makes the
    next start rescan Data.fs)."""
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.SecurityManagement import noSecurityManager
    from AccessControl.users import system as system_user
    from Testing.makerequest import makerequest
    from zope.globalrequest import setRequest
    from Zope2.Startup.run import make_wsgi_app
    import transaction
    import Zope2

    make_wsgi_app({}, str(zope_conf))
    app = makerequest(Zope2.app())
    app.REQUEST["PARENTS"] = [app]
    setRequest(app.REQUEST)
    newSecurityManager(None, system_user)
    try:
        yield app
    except BaseException:
        transaction.abort()
        raise
    finally:
        noSecurityManager()
        setRequest(None)
        connection = app._p_jar
        database = connection.db()
        connection.close()
        database.close()


@contextmanager
def site_of(app, site_id):
    from zope.component.hooks import setSite

    site = app[site_id]
    setSite(site)
    # Views and absolute_url() need the site in the request's parents.
    app.REQUEST["PARENTS"] = [site, app]
    try:
        yield site
    finally:
        setSite(None)


def log_in(site, user_id):
    """Run what follows as ``user_id`` of the site (or of Zope's root), with
    the roles and groups the publisher would give that user."""
    from AccessControl.SecurityManagement import newSecurityManager

    user = site.acl_users.getUserById(user_id)
    if user is not None:
        user = user.__of__(site.acl_users)
    else:
        root_users = site.getPhysicalRoot().acl_users
        user = root_users.getUserById(user_id).__of__(root_users)
    newSecurityManager(site.REQUEST, user)
    return user


def log_in_as_system():
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.users import system as system_user

    newSecurityManager(None, system_user)


def percentile(values, fraction):
    """Nearest-rank percentile of ``values`` (seconds) — the same definition
    for every figure of both sides."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def timings(function, samples, repetitions, before=None):
    """Call ``function(sample)`` once per sample to warm the caches, then
    ``repetitions`` times cycling over the samples; milliseconds. ``before``
    (e.g. logging the sample's user in) runs outside the clock."""
    for sample in samples:
        if before is not None:
            before(sample)
        function(sample)
    elapsed = []
    results = 0
    for index in range(repetitions):
        sample = samples[index % len(samples)]
        if before is not None:
            before(sample)
        started = time.perf_counter()
        results += function(sample)
        elapsed.append(time.perf_counter() - started)
    return {
        "repetitions": repetitions,
        "samples": len(samples),
        "mean_results": results / repetitions,
        "p50_ms": percentile(elapsed, 0.50) * 1000,
        "p95_ms": percentile(elapsed, 0.95) * 1000,
        "mean_ms": statistics.fmean(elapsed) * 1000,
    }


def write(path, data):
    with open(path, "w", encoding="utf-8") as output:
        json.dump(data, output, indent=1, sort_keys=True, default=str)
        output.write("\n")


def progress(message):
    print(message, file=sys.stderr, flush=True)
