"""The ``paeria-instance`` commands that need Zope: creating the site, serving
it, and the console commands that work on its database (journal, expiry,
integrity, reference data, ENI import).

Each takes the instance's settings and the parsed arguments and returns the
command's exit status. This module imports Zope and Plone at its top: only
``cli.py``'s command table loads it (with importlib), when one of these
commands runs, so that ``--help``, ``configure`` and ``check`` stay fast and
never start Zope.
"""

from contextlib import contextmanager
from paeria.egov.eni.commands import eni_import
from paeria.egov.eni.commands import eni_import_documents
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.prepare import check_database
from paeria.egov.instance.prepare import check_port_free
from paeria.egov.instance.prepare import check_var_writable
from paeria.egov.instance.site import ensure_site
from paeria.egov.instance.zopeapp import zope_app
from paeria.egov.integrity import commands as integrity_commands
from paeria.egov.journal import verification
from paeria.egov.notifications.expiry import expire_due
from paeria.egov.reference.command import load_reference
from plone.base.interfaces import IPloneSiteRoot
from zc.lockfile import LockError
from zope.component.hooks import setSite
from Zope2.Startup.serve import main as runwsgi
import logging
import os
import signal
import sys
import transaction
import Zope2


def warn_default_password(settings):
    if settings.admin_password_is_default:
        print(
            "WARNING: the Zope administrator 'admin' has the default password "
            "'admin'; set ADMIN_PASSWORD before exposing this portal.",
            file=sys.stderr,
        )


def _open_database_error(error):
    """Turn the usual errors of opening the database into one readable line."""
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


def _stop_on_signals():
    """SIGTERM and SIGINT raise KeyboardInterrupt. A shell that starts a job in
    the background makes it ignore SIGINT; restore both signals so that
    `kill PID` and Ctrl-C always stop it."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def create_site(settings, arguments):
    """Create the Plone site if absent; on an existing site, run pending upgrades."""
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
    return 0


def serve(settings, arguments):
    """Serve the instance in this process, so that SIGTERM and SIGINT close the
    database cleanly (a FileStorage closed uncleanly rescans Data.fs at start)."""
    check_var_writable(settings)
    check_port_free(settings)
    check_database(settings)
    warn_default_password(settings)
    _stop_on_signals()
    print(
        f"Serving http://{settings.host}:{settings.port}/{settings.site_id} "
        f"(storage: {settings.storage}, pid {os.getpid()}).",
        flush=True,
    )
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
    return 0


@contextmanager
def site_of(settings):
    """The Plone site of the instance, as the current site, for a console
    command: the database opened and closed around the block, and a database
    that cannot be opened (locked by a running server, unreachable) reported
    in one readable line."""
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


def journal_command(settings, arguments):
    """Seal the journal's pending entries into the global chain (journal-seal,
    for cron) or seal and verify every chain (journal-verify); the latter
    returns 1 when a chain is broken, naming its first broken link."""
    with site_of(settings) as site:
        if arguments.command == "journal-seal":
            sealed = verification.seal(site)
            transaction.commit()
            length, head = verification.global_state(site)
            print(f"Sealed {sealed} journal entries into the global chain.")
            # One line to append to a place the server cannot rewrite (the
            # journal's external anchor: docs/journal.md).
            print(f"Global chain: {length} entries, head {head}.")
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


def expire_notifications_command(settings, arguments):
    """Expire every notification not accessed within its 10 calendar days
    (LPAC 43.2), as the portal; meant for cron."""
    with site_of(settings):
        expired = expire_due()
        transaction.commit()
    print(f"Expired {expired} notifications not accessed in time.")
    return 0


def integrity_command(settings, arguments):
    """Read every document's blob and compare it with its fingerprints
    (integrity-scan), or check a restored portal: counts, that scan and the
    journal's chains, without writing (check-consistency). Exit status 1 when
    anything is wrong; with ``--json`` the standard output is one JSON
    document (see paeria.egov.integrity.commands)."""
    run = (
        integrity_commands.integrity_scan
        if arguments.command == "integrity-scan"
        else integrity_commands.check_consistency
    )
    with site_of(settings) as site:
        status = run(site, as_json=arguments.json, every=arguments.every)
        transaction.abort()  # read-only: nothing to keep
    return status


def load_reference_command(settings, arguments):
    """Load (or resume) the reference data set: see paeria.egov.reference."""
    # As for serve: `kill` (or Ctrl-C in a shell that started it in the
    # background) ends the load after aborting its batch, and the database is
    # closed cleanly, ready to resume.
    _stop_on_signals()
    with site_of(settings) as site:
        return load_reference(site, arguments.scale, arguments.seed, arguments.batch)


def eni_import_command(settings, arguments):
    """Import ENI files into a unit, or documento files into an expediente
    (eni-import): see paeria.egov.eni.commands. No FILE, neither or both of
    --unit and --expediente, a file that cannot be read or a unit or
    expediente not found end with exit status 2."""
    if not arguments.file or bool(arguments.unit) == bool(arguments.expediente):
        raise ConfigurationError(
            "eni-import needs the FILE to import and either --unit (the unit's "
            "path, unidades/urbanismo, or its DIR3 code) or --expediente (to add "
            "documento files to it: its path, number or ENI identifier)."
        )
    with site_of(settings) as site:
        try:
            if arguments.expediente:
                return eni_import_documents(
                    site,
                    arguments.file,
                    arguments.expediente,
                    dry_run=arguments.dry_run,
                    as_json=arguments.json,
                    out=sys.stdout,
                )
            return eni_import(
                site,
                arguments.file,
                arguments.unit,
                procedimiento=arguments.procedimiento,
                again=arguments.import_again,
                dry_run=arguments.dry_run,
                as_json=arguments.json,
                out=sys.stdout,
            )
        except LookupError as error:
            raise ConfigurationError(str(error)) from None
        except OSError as error:
            raise ConfigurationError(
                f"Cannot read {error.filename or ' '.join(arguments.file)}: "
                f"{error.strerror or error}."
            ) from None
