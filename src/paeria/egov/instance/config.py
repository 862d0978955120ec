"""The instance's settings, read from the environment, and the files written from them.

Storage is chosen by configuration only: ``STORAGE=filestorage`` (the default)
is an embedded FileStorage with its blobs under ``var/``; ``STORAGE=postgres``
is RelStorage on the PostgreSQL database of ``RELSTORAGE_DSN`` (by default
:data:`DEFAULT_POSTGRES_DSN`), history-free, with the blobs in the database and
two local caches under ``var/``: the blob cache and RelStorage's persistent
object cache, so that a restarted process starts warm. ``RELSTORAGE_DSN``
alone, without ``STORAGE``, also means PostgreSQL.
"""

from dataclasses import dataclass
from pathlib import Path
import os


DEFAULT_ADMIN_PASSWORD = "admin"  # noqa: S105 - the documented development default
# The database `STORAGE=postgres` uses when RELSTORAGE_DSN is not set: the local
# server as Debian's postgresql package installs it (README, docs/scaling.md).
DEFAULT_POSTGRES_DSN = "host=127.0.0.1 port=5432 dbname=paeria user=postgres"
STORAGE_CHOICES = ("filestorage", "postgres")
# RelStorage's in-memory pickle cache per process (its own default, 10 MB, holds
# a fraction of a Plone site's hot objects); it is also the most that the
# persistent cache writes to disk at shutdown and reads back at start.
DEFAULT_RELSTORAGE_CACHE_MB = 256
# The largest body the server reads at all (waitress answers 413 itself,
# before reading, beyond it): the largest endpoint's own limit with the
# default 50 MB files, four of them in base64 (paeria.egov.uploads,
# docs/performance.md "Uploads"). Each endpoint refuses by its own, smaller
# limit; raise it with MAX_REQUEST_MB when raising the file size.
DEFAULT_MAX_REQUEST_MB = 268


class ConfigurationError(Exception):
    """A setting the instance cannot work with; its message is one readable line."""


@dataclass(frozen=True)
class InstanceSettings:
    home: Path
    host: str = "127.0.0.1"
    port: int = 8080
    site_id: str = "Plone"
    admin_user: str = "admin"
    admin_password: str = DEFAULT_ADMIN_PASSWORD
    admin_password_is_default: bool = True
    relstorage_dsn: str = ""
    # True when the DSN is DEFAULT_POSTGRES_DSN, chosen by STORAGE=postgres alone.
    relstorage_dsn_is_default: bool = False
    relstorage_cache_mb: int = DEFAULT_RELSTORAGE_CACHE_MB
    demo: bool = True
    threads: int = 4
    max_request_mb: int = DEFAULT_MAX_REQUEST_MB
    zodb_cache_size: int = 30000
    # Behind an HTTPS terminator: the login cookie is sent over HTTPS only.
    secure_cookies: bool = False
    # Keys, certificates and trust of signing/ (PAERIA_SIGNING_DIR); None:
    # var/signing.
    signing_dir: Path | None = None

    @property
    def etc(self) -> Path:
        return self.home / "etc"

    @property
    def var(self) -> Path:
        return self.home / "var"

    @property
    def signing(self) -> Path:
        """The signing directory (docs/signatures.md): the employees' key
        store, the development PKI of a demo site, CRLs."""
        return self.signing_dir or self.var / "signing"

    @property
    def zope_conf(self) -> Path:
        return self.etc / "zope.conf"

    @property
    def zope_ini(self) -> Path:
        return self.etc / "zope.ini"

    @property
    def storage(self) -> str:
        return "relstorage" if self.relstorage_dsn else "filestorage"

    @property
    def blob_cache(self) -> Path:
        return self.var / "blobcache"

    @property
    def object_cache(self) -> Path:
        """RelStorage's persistent cache: written when the database is closed
        cleanly, read back when it is opened (one SQLite file per database)."""
        return self.var / "relstorage-cache"

    @classmethod
    def from_environment(cls, home, environ=None):
        environ = os.environ if environ is None else environ
        port_text = environ.get("PORT", "8080").strip()
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigurationError(
                f"PORT must be a number between 1 and 65535, not {port_text!r}."
            )
        site_id = environ.get("SITE_ID", "Plone").strip()
        if not site_id.isidentifier():
            raise ConfigurationError(
                f"SITE_ID must be letters, digits and underscores, not {site_id!r}."
            )
        password = environ.get("ADMIN_PASSWORD", "")
        threads_text = environ.get("THREADS", "4").strip()
        if not threads_text.isdigit() or not int(threads_text):
            raise ConfigurationError(
                f"THREADS must be a positive number, not {threads_text!r}."
            )
        relstorage_dsn, dsn_is_default = _storage_from_environment(environ)
        max_request_text = environ.get(
            "MAX_REQUEST_MB", str(DEFAULT_MAX_REQUEST_MB)
        ).strip()
        if not max_request_text.isdigit() or not int(max_request_text):
            raise ConfigurationError(
                "MAX_REQUEST_MB must be a positive number of megabytes, not "
                f"{max_request_text!r}."
            )
        cache_text = environ.get(
            "RELSTORAGE_CACHE_MB", str(DEFAULT_RELSTORAGE_CACHE_MB)
        ).strip()
        if not cache_text.isdigit():
            raise ConfigurationError(
                "RELSTORAGE_CACHE_MB must be a number of megabytes (0 disables "
                f"the cache), not {cache_text!r}."
            )
        return cls(
            home=Path(home).resolve(),
            host=environ.get("HOST", "127.0.0.1").strip() or "127.0.0.1",
            port=int(port_text),
            site_id=site_id,
            admin_password=password or DEFAULT_ADMIN_PASSWORD,
            admin_password_is_default=not password,
            relstorage_dsn=relstorage_dsn,
            relstorage_dsn_is_default=dsn_is_default,
            relstorage_cache_mb=int(cache_text),
            demo=environ.get("DEMO", "1").strip().lower() not in ("0", "false", "no"),
            threads=int(threads_text),
            max_request_mb=int(max_request_text),
            secure_cookies=environ.get("SECURE_COOKIES", "0").strip().lower()
            in ("1", "true", "yes"),
            signing_dir=Path(environ["PAERIA_SIGNING_DIR"].strip()).resolve()
            if environ.get("PAERIA_SIGNING_DIR", "").strip()
            else None,
        )


def _storage_from_environment(environ):
    """(DSN, whether it is the default) from STORAGE and RELSTORAGE_DSN; an
    empty DSN means FileStorage."""
    storage = environ.get("STORAGE", "").strip().lower()
    dsn = environ.get("RELSTORAGE_DSN", "").strip()
    if storage not in ("", *STORAGE_CHOICES):
        raise ConfigurationError(
            f"STORAGE must be 'filestorage' (the default) or 'postgres', not "
            f"{environ['STORAGE'].strip()!r}."
        )
    if storage == "filestorage" and dsn:
        raise ConfigurationError(
            "STORAGE=filestorage and RELSTORAGE_DSN are both set: unset "
            "RELSTORAGE_DSN, or use STORAGE=postgres to store the database in "
            "PostgreSQL."
        )
    if storage == "postgres" and not dsn:
        return DEFAULT_POSTGRES_DSN, True
    return dsn, False


def _zconfig_value(value: str) -> str:
    """ZConfig reads a value to the end of the line and expands ``$names``."""
    if "\n" in value or "\r" in value:
        raise ConfigurationError("RELSTORAGE_DSN must be on one line.")
    return value.replace("$", "$$")


def storage_section(settings: InstanceSettings) -> str:
    var = settings.var
    if settings.relstorage_dsn:
        return f"""%import relstorage
<zodb_db main>
    mount-point /
    cache-size {settings.zodb_cache_size}
    <relstorage>
        keep-history false
        shared-blob-dir false
        blob-dir {settings.blob_cache}
        blob-cache-size 2gb
        cache-local-mb {settings.relstorage_cache_mb}
        cache-local-dir {settings.object_cache}
        <postgresql>
            dsn {_zconfig_value(settings.relstorage_dsn)}
        </postgresql>
    </relstorage>
</zodb_db>
"""
    return f"""<zodb_db main>
    mount-point /
    cache-size {settings.zodb_cache_size}
    <filestorage>
        path {var}/filestorage/Data.fs
        blob-dir {var}/blobstorage
    </filestorage>
</zodb_db>
"""


def zope_conf(settings: InstanceSettings) -> str:
    return f"""# Written by `paeria-instance configure`; edit the environment, not this file.
%define INSTANCE {settings.home}
instancehome $INSTANCE
clienthome {settings.var}
debug-mode off
security-policy-implementation C
verbose-security off
default-zpublisher-encoding utf-8

<environment>
    CHAMELEON_CACHE {settings.var}/cache
    zope_i18n_compile_mo_files true
    zope_i18n_allowed_languages es ca en
    PAERIA_STORAGE {settings.storage}
    PAERIA_SIGNING_DIR {settings.signing}
</environment>

<dos_protection>
    form-memory-limit 4MB
</dos_protection>

{storage_section(settings)}"""


#: zope.ini, the WSGI configuration of one process; named substitutions:
#: ``host``, ``port``, ``threads``, ``max_request_body_size`` and ``log`` (the
#: log directory).
ZOPE_INI_TEMPLATE = """# Written by `paeria-instance configure`; edit the environment, not this file.
[app:zope]
use = egg:Zope#main
zope_conf = %(here)s/zope.conf

[server:main]
use = egg:waitress#main
listen = {host}:{port}
threads = {threads}
max_request_body_size = {max_request_body_size}
clear_untrusted_proxy_headers = false

[filter:translogger]
use = egg:Paste#translogger
setup_console_handler = False

[pipeline:main]
pipeline =
    egg:Zope#httpexceptions
    translogger
    zope

[loggers]
keys = root, waitress.queue, waitress, wsgi

[handlers]
keys = console, accesslog, eventlog

[formatters]
keys = generic, message

[formatter_generic]
format = %(asctime)s %(levelname)s [%(name)s:%(lineno)s][%(threadName)s] %(message)s
datefmt = %Y-%m-%d %H:%M:%S

[formatter_message]
format = %(message)s

[logger_root]
level = INFO
handlers = console, eventlog

[logger_waitress.queue]
level = INFO
handlers = eventlog
qualname = waitress.queue
propagate = 0

[logger_waitress]
level = INFO
handlers = eventlog
qualname = waitress

[logger_wsgi]
level = WARN
handlers = accesslog
qualname = wsgi
propagate = 0

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[handler_accesslog]
class = FileHandler
args = (r'{log}/access.log', 'a')
level = INFO
formatter = message

[handler_eventlog]
class = FileHandler
args = (r'{log}/event.log', 'a')
level = INFO
formatter = generic
"""


def zope_ini(settings: InstanceSettings) -> str:
    return ZOPE_INI_TEMPLATE.format(
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        max_request_body_size=settings.max_request_mb * 1024 * 1024,
        log=settings.var / "log",
    )


def site_zcml() -> str:
    """Zope's own skeleton site.zcml, as ``mkwsgiinstance`` would copy it."""
    # Here, not at the top: every paeria-instance command imports this module,
    # and importing Zope2 would make `configure`, `check` and `--help` slow.
    import Zope2.utilities

    skeleton = Path(Zope2.utilities.__file__).parent / "skel" / "etc" / "site.zcml"
    return skeleton.read_text(encoding="utf-8")
