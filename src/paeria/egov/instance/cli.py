"""``paeria-instance``: configure, create and serve the portal from the environment.

Every problem with the machine's configuration (a port in use, an unwritable
``var/``, a PostgreSQL server that refuses the DSN) ends the command with one
readable line on stderr and exit status 2, never a traceback.
"""

from contextlib import contextmanager
from paeria.egov import clock
from paeria.egov.instance.cluster import run_cluster
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.config import InstanceSettings
from paeria.egov.instance.prepare import check_database
from paeria.egov.instance.prepare import check_port_free
from paeria.egov.instance.prepare import check_var_writable
from paeria.egov.instance.prepare import configure
from pathlib import Path
import argparse
import logging
import os
import signal
import subprocess
import sys


def warn_default_password(settings):
    if settings.admin_password_is_default:
        print(
            "WARNING: the Zope administrator 'admin' has the default password "
            "'admin'; set ADMIN_PASSWORD before exposing this portal.",
            file=sys.stderr,
        )


def _open_database_error(error):
    """Turn the usual errors of opening the database into one readable line."""
    from zc.lockfile import LockError

    if isinstance(error, LockError):
        return ConfigurationError(
            "The database is in use by another process (is the portal already "
            "running?): stop it first."
        )
    if isinstance(error, OSError):
        return ConfigurationError(
            f"Cannot open the database: {error.strerror or error} "
            f"({getattr(error, 'filename', '') or ''})."
        )
    return None


def create_site(settings):
    """Create the Plone site if absent; on an existing site, run pending upgrades."""
    # Imported here: Plone and Zope load only once the configuration is written
    # and Zope is started (zopeapp), and commands that need none stay fast.
    from paeria.egov.instance.site import ensure_site
    from paeria.egov.instance.zopeapp import zope_app

    warn_default_password(settings)
    # Stock Plone logs these warnings on every site creation; they say nothing
    # an operator can act on.
    for noisy in ("GenericSetup.componentregistry", "Products.MimetypesRegistry"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        with zope_app(settings.zope_conf) as app:
            message = ensure_site(app, settings)
    except Exception as error:
        readable = _open_database_error(error)
        if readable is None:
            raise
        raise readable from None
    print(message)


def serve(settings):
    """Serve the instance in this process, so that SIGTERM and SIGINT close the
    database cleanly (a FileStorage closed uncleanly rescans Data.fs at start)."""
    check_var_writable(settings)
    check_port_free(settings)
    check_database(settings)
    warn_default_password(settings)

    def stop(signum, frame):
        raise KeyboardInterrupt

    # A shell that starts a job in the background makes it ignore SIGINT;
    # restore both signals so that `kill PID` and Ctrl-C always stop it.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        f"Serving http://{settings.host}:{settings.port}/{settings.site_id} "
        f"(storage: {settings.storage}, pid {os.getpid()}).",
        flush=True,
    )
    from Zope2.Startup.serve import main as runwsgi
    import Zope2

    try:
        runwsgi(argv=["runwsgi", str(settings.zope_ini)], quiet=True)
    except KeyboardInterrupt:
        pass
    except SystemExit:
        raise
    except Exception as error:
        readable = _open_database_error(error)
        if readable is None:
            raise
        raise readable from None
    finally:
        database = getattr(Zope2, "DB", None)
        if database is not None:
            database.close()
    print("Stopped.", flush=True)


def console(settings):
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "Zope2.utilities.zconsole",
            "debug",
            str(settings.zope_conf),
        ],
    )


@contextmanager
def site_of(settings):
    """The Plone site of the instance, as the current site, for a console
    command: the database opened and closed around the block, and a database
    that cannot be opened (locked by a running server, unreachable) reported
    in one readable line."""
    # Imported here: Plone and Zope load only once the configuration is written
    # and Zope is started (zopeapp), and commands that need none stay fast.
    from paeria.egov.instance.zopeapp import zope_app
    from plone.base.interfaces import IPloneSiteRoot
    from zope.component.hooks import setSite

    try:
        with zope_app(settings.zope_conf) as app:
            site = app.get(settings.site_id)
            if site is None or not IPloneSiteRoot.providedBy(site):
                raise ConfigurationError(
                    f"There is no Plone site /{settings.site_id}: run "
                    "`paeria-instance create-site` first or set SITE_ID."
                )
            setSite(site)
            yield site
    except ConfigurationError:
        raise
    except Exception as error:
        readable = _open_database_error(error)
        if readable is None:
            raise
        raise readable from None


def journal_command(settings, command):
    """Seal the journal's pending entries into the global chain (journal-seal,
    for cron) or seal and verify every chain (journal-verify); the latter
    returns 1 when a chain is broken, naming its first broken link."""
    # Imported here: Plone and Zope load only once the configuration is written
    # and Zope is started (zopeapp), and commands that need none stay fast.
    from paeria.egov.journal import verification
    import transaction

    with site_of(settings) as site:
        if command == "journal-seal":
            sealed = verification.seal(site)
            transaction.commit()
            print(f"Sealed {sealed} journal entries into the global chain.")
            return 0
        result = verification.verify(site, seal_first=True)
        transaction.commit()
    print(
        f"Sealed {result.sealed} entries; checked {result.chains_checked} chains "
        f"and {result.entries_checked} entries. Global chain: "
        f"{result.global_length} entries, head {result.global_head}."
    )
    for broken in result.broken:
        print(
            f"BROKEN chain {broken.chain} at entry {broken.index}: "
            f"{broken.mismatch} (expected {broken.expected}, found {broken.found})",
            file=sys.stderr,
        )
    if result.ok:
        print("Every journal chain is intact.")
        return 0
    return 1


def expire_notifications_command(settings):
    """Expire every notification not accessed within its 10 calendar days
    (LPAC 43.2), as the portal; meant for cron."""
    # Imported here: Plone and Zope load only once the configuration is written
    # and Zope is started (zopeapp), and commands that need none stay fast.
    from paeria.egov.notifications.expiry import expire_due
    import transaction

    with site_of(settings):
        expired = expire_due()
        transaction.commit()
    print(f"Expired {expired} notifications not accessed in time.")
    return 0


def integrity_command(settings, command, as_json=False, every=1000):
    """Read every document's blob and compare it with its fingerprints
    (integrity-scan), or check a restored portal: counts, that scan and the
    journal's chains, without writing (check-consistency). Exit status 1 when
    anything is wrong; with ``as_json`` the standard output is one JSON
    document (see paeria.egov.integrity.commands)."""
    # Imported here: Plone and Zope load only once the configuration is written
    # and Zope is started (zopeapp), and commands that need none stay fast.
    from paeria.egov.integrity import commands
    import transaction

    run = (
        commands.integrity_scan
        if command == "integrity-scan"
        else commands.check_consistency
    )
    with site_of(settings) as site:
        status = run(site, as_json=as_json, every=every)
        transaction.abort()  # read-only: nothing to keep
    return status


def load_reference_command(settings, scale, seed, batch):
    """Load (or resume) the reference data set: see paeria.egov.reference."""
    # Imported here: Plone and Zope load only once the configuration is written
    # and Zope is started (zopeapp), and commands that need none stay fast.
    from paeria.egov.reference.command import load_reference

    def stop(signum, frame):
        raise KeyboardInterrupt

    # As for serve: `kill` (or Ctrl-C in a shell that started it in the
    # background) ends the load after aborting its batch, and the database is
    # closed cleanly, ready to resume.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with site_of(settings) as site:
        return load_reference(site, scale, seed, batch)


# The scheduled tasks an operator may re-run as of an instant (--as-of or
# PAERIA_AS_OF): what they decide depends on the date, and re-running one for a
# day the server was down must decide as that day would have.
AS_OF_COMMANDS = ("expire-notifications", "journal-seal", "journal-verify")


def apply_as_of(command, as_of):
    """Move the portal's clock for a scheduled task run as of an instant;
    refuse it for the others, where a moved clock would stamp real work with
    a false date."""
    if command not in AS_OF_COMMANDS:
        if as_of:
            raise ConfigurationError(
                f"--as-of applies to {', '.join(AS_OF_COMMANDS)} only, not {command}."
            )
        if os.environ.get(clock.AS_OF_ENVIRONMENT):
            print(
                f"warning: {clock.AS_OF_ENVIRONMENT} is ignored by {command}: it "
                f"applies to {', '.join(AS_OF_COMMANDS)} only.",
                file=sys.stderr,
            )
        return None
    try:
        instant = clock.apply_as_of(as_of)
    except ValueError as error:
        raise ConfigurationError(f"--as-of / {clock.AS_OF_ENVIRONMENT}: {error}")
    if instant is not None:
        local = instant.astimezone(clock.MADRID)
        print(
            f"Running {command} as of {local.isoformat()} ({clock.OFFICE_TIMEZONE}), "
            "not the system's time.",
            file=sys.stderr,
        )
    return instant


COMMANDS = {
    "configure": "write etc/ from the environment (HOST, PORT, STORAGE…)",
    "create-site": "create the site with paeria.egov if absent (DEMO=1: demo data)",
    "serve": "serve the portal until stopped",
    "start": "configure, create-site, then serve",
    "check": "check the configuration (var/ writable, port free, database reachable)",
    "console": "an interactive Python console with `app` bound to Zope's root",
    "journal-seal": "seal the journal's pending entries into the global chain (cron)",
    "journal-verify": "seal, then verify every journal chain (exit 1 if one is broken)",
    "expire-notifications": "reject the notifications not accessed in 10 days (cron)",
    "integrity-scan": "hash every document's file, report mismatches (exit 1 if any)",
    "check-consistency": "counts, integrity scan, journal chains (exit 1 on a problem)",
    "cluster": "N processes on one PostgreSQL database behind HAProxy (--processes)",
    "load-reference": "load the reference data (--scale small|reference; resumable)",
}


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="paeria-instance",
        description="Configure, create and serve a paeria.egov portal.",
        epilog="\n".join(f"  {name:12} {text}" for name, text in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument(
        "--home",
        default=os.environ.get("INSTANCE_HOME_DIR", "."),
        help="the instance folder holding etc/ and var/ (default: the current one)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="integrity-scan, check-consistency: print the result as JSON",
    )
    parser.add_argument(
        "--every",
        type=int,
        default=1000,
        help="integrity-scan, check-consistency: a progress line every N documents",
    )
    parser.add_argument(
        "--as-of",
        metavar="INSTANT",
        help=f"{', '.join(AS_OF_COMMANDS)}: run as of this ISO 8601 date or "
        "date-time (2026-12-31, 2026-12-31T09:00 in Europe/Madrid, or with Z or "
        f"an offset) instead of now; also from ${clock.AS_OF_ENVIRONMENT}",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="cluster: how many Zope processes behind the balancer (default: 2)",
    )
    parser.add_argument(
        "--scale",
        choices=("small", "tenth", "reference"),
        default="small",
        help="load-reference: 'reference' is Lleida's volume, 'tenth' and 'small' "
        "a tenth and a hundredth of it",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=2026,
        help="load-reference: the same seed always gives the same data",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="load-reference: expedientes per transaction (and per resumable step)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        settings = InstanceSettings.from_environment(Path(arguments.home))
        command = arguments.command
        apply_as_of(command, arguments.as_of)
        if command == "cluster":
            return run_cluster(settings, arguments.processes)
        if command in ("configure", "start"):
            configure(settings)
        elif not settings.zope_conf.exists():
            raise ConfigurationError(
                f"{settings.zope_conf} does not exist: run `make start` or "
                "`paeria-instance configure` first."
            )
        if command == "check":
            check_var_writable(settings)
            check_port_free(settings)
            check_database(settings)
            print("The configuration is usable.")
        if command == "create-site":
            create_site(settings)
        if command == "start":
            # Zope's start-up is global to a process and create-site closes the
            # database it opened, so the site is created in a process of its own.
            status = subprocess.call(
                [sys.executable, "-m", "paeria.egov.instance.cli", "create-site"]
                + ["--home", str(settings.home)]
            )
            if status:
                return status
        if command in ("serve", "start"):
            serve(settings)
        if command == "console":
            console(settings)
        if command in ("journal-seal", "journal-verify"):
            return journal_command(settings, command)
        if command == "expire-notifications":
            return expire_notifications_command(settings)
        if command == "load-reference":
            return load_reference_command(
                settings, arguments.scale, arguments.seed, arguments.batch
            )
        if command in ("integrity-scan", "check-consistency"):
            return integrity_command(
                settings, command, as_json=arguments.json, every=arguments.every
            )
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
