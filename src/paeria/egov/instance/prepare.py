"""Preparing an instance before Zope starts: the machine checks and the
configuration files, shared by ``paeria-instance`` (cli.py) and the cluster
(cluster.py).

Every problem (a port in use, an unwritable ``var/``, a PostgreSQL server that
refuses the DSN) is a :class:`ConfigurationError` with one readable line.
"""

from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.config import site_zcml
from paeria.egov.instance.config import zope_conf
from paeria.egov.instance.config import zope_ini
import errno
import socket
import tempfile


def check_var_writable(settings):
    """Create var/ and its sub-folders and prove a file can be written there."""
    folders = [settings.var, settings.var / "log", settings.var / "cache"]
    if settings.storage == "filestorage":
        folders += [settings.var / "filestorage", settings.var / "blobstorage"]
    else:
        folders += [settings.blob_cache, settings.object_cache]
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.var, prefix=".write-test-"):
            pass
    except OSError as error:
        raise ConfigurationError(
            f"The data directory {settings.var} is not writable "
            f"({error.strerror or error}): fix its permissions or run from a "
            "checkout you own."
        ) from None


def check_port_free(settings):
    try:
        addresses = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM
        )
    except socket.gaierror as error:
        raise ConfigurationError(
            f"HOST {settings.host!r} is not an address of this machine ({error})."
        ) from None
    family, kind, proto, _, address = addresses[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigurationError(
                    f"Port {settings.port} on {settings.host} is already in use: "
                    "stop the other server or choose another, e.g. PORT=8081 "
                    "make start."
                ) from None
            raise ConfigurationError(
                f"Cannot listen on {settings.host}:{settings.port} "
                f"({error.strerror or error})."
            ) from None


def check_database(settings):
    """Connect once to PostgreSQL so that a wrong DSN is reported before Zope
    starts (RelStorage would otherwise fail deep inside the first request)."""
    if settings.storage != "relstorage":
        return
    try:
        # Imported here: psycopg2 is RelStorage's driver, an extra that only
        # STORAGE=relstorage needs; every other paeria-instance command (this
        # module is imported by cli.py) runs, and starts fast, without it.
        import psycopg2
    except ImportError:
        raise ConfigurationError(
            "The database is in PostgreSQL but RelStorage's PostgreSQL driver is "
            "not installed: run `make install`."
        ) from None
    try:
        connection = psycopg2.connect(settings.relstorage_dsn, connect_timeout=5)
    except psycopg2.Error as error:
        reason = " ".join(str(error).split()) or error.__class__.__name__
        if settings.relstorage_dsn_is_default:
            raise ConfigurationError(
                "Cannot connect to PostgreSQL with STORAGE=postgres's default DSN "
                f"{settings.relstorage_dsn!r}: {reason} (create the database with "
                "`createdb -h 127.0.0.1 -U postgres paeria`, or set RELSTORAGE_DSN)"
            ) from None
        raise ConfigurationError(
            f"Cannot connect to PostgreSQL with RELSTORAGE_DSN: {reason}"
        ) from None
    connection.close()


def configure(settings):
    """Write etc/zope.conf, etc/zope.ini and etc/site.zcml from the settings."""
    check_var_writable(settings)
    check_database(settings)
    try:
        settings.etc.mkdir(parents=True, exist_ok=True)
        settings.zope_conf.write_text(zope_conf(settings), encoding="utf-8")
        settings.zope_ini.write_text(zope_ini(settings), encoding="utf-8")
        (settings.etc / "site.zcml").write_text(site_zcml(), encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            f"Cannot write the configuration in {settings.etc} "
            f"({error.strerror or error})."
        ) from None
    print(f"Configured the instance in {settings.home} ({settings.storage}).")
