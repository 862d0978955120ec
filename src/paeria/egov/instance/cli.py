"""``paeria-instance``: configure, create and serve the portal from the environment.

Every problem with the machine's configuration (a port in use, an unwritable
``var/``, a PostgreSQL server that refuses the DSN) ends the command with one
readable line on stderr and exit status 2, never a traceback.
"""

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
import importlib
import os
import subprocess
import sys


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


# The commands that need Zope, by the dotted path of their implementation
# (``module:function(settings, arguments)``, returning the exit status). The
# module is imported only when its command runs: it imports Zope and Plone,
# which the other commands (``--help``, configure, check, cluster) never load.
IMPLEMENTATIONS = {
    "create-site": "paeria.egov.instance.commands:create_site",
    "serve": "paeria.egov.instance.commands:serve",
    "journal-seal": "paeria.egov.instance.commands:journal_command",
    "journal-verify": "paeria.egov.instance.commands:journal_command",
    "expire-notifications": (
        "paeria.egov.instance.commands:expire_notifications_command"
    ),
    "integrity-scan": "paeria.egov.instance.commands:integrity_command",
    "check-consistency": "paeria.egov.instance.commands:integrity_command",
    "load-reference": "paeria.egov.instance.commands:load_reference_command",
    "eni-import": "paeria.egov.instance.commands:eni_import_command",
}


def implementation(command):
    """The function that runs ``command``, its module imported now."""
    module, name = IMPLEMENTATIONS[command].split(":")
    return getattr(importlib.import_module(module), name)


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
    "eni-import": "import ENI FILEs into --unit, documents into --expediente",
}


def refuse_stray_file(arguments):
    """Only eni-import takes a FILE: another command given one was mistyped."""
    if arguments.file and arguments.command != "eni-import":
        raise ConfigurationError(f"{arguments.command} takes no FILE.")


def _add_eni_import_arguments(parser):
    parser.add_argument(
        "file",
        nargs="*",
        help="eni-import: zip packages (each its own import), an exchange file, "
        "an expediente XML with its documento XMLs, or folders of them",
    )
    parser.add_argument(
        "--unit", help="eni-import: the unit's path (unidades/urbanismo) or DIR3 code"
    )
    parser.add_argument(
        "--expediente",
        help="eni-import: instead of --unit, add the documento XML FILEs to this "
        "expediente (its path, number or ENI identifier)",
    )
    parser.add_argument(
        "--procedimiento",
        help="eni-import: the procedure's UID (default: by the SIA code)",
    )
    parser.add_argument(
        "--import-again",
        action="store_true",
        help="eni-import: import an expediente imported before as a new one",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="eni-import: check and say what would be imported; import nothing "
        "(--json: the report as JSON)",
    )


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
    _add_eni_import_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        settings = InstanceSettings.from_environment(Path(arguments.home))
        command = arguments.command
        refuse_stray_file(arguments)
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
        if command == "start":
            # Zope's start-up is global to a process and create-site closes the
            # database it opened, so the site is created in a process of its own.
            status = subprocess.call(
                [
                    sys.executable,
                    "-m",
                    "paeria.egov.instance.cli",
                    "create-site",
                    "--home",
                    str(settings.home),
                ]
            )
            if status:
                return status
            return implementation("serve")(settings, arguments)
        if command == "console":
            console(settings)
        if command in IMPLEMENTATIONS:
            return implementation(command)(settings, arguments)
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
