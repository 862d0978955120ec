"""``paeria-instance cluster`` (``make cluster``): several Zope processes serving
one PostgreSQL database behind HAProxy, on this machine.

HAProxy listens on HOST:PORT; process k (1..N) listens on 127.0.0.1:PORT+k and
has a home of its own, ``var/cluster/node-<port>/``: its ``etc/`` and its
``var/`` with its logs, its blob cache and RelStorage's persistent object
cache. Caches belong to a process; the data, blobs included, is in PostgreSQL.
The site is created (or its add-on upgraded) once, in the first home, before
any process serves.

HAProxy checks each process with ``GET /<SITE_ID>/@@ok`` (Plone's public,
uncached view for health checks, which traverses the site and so reads the
database) and sends each request to the least busy process that passes.
A read (GET, HEAD) whose process dies before answering is replayed on another
one; a write never is, because it may have been committed: its client gets 502.

The launcher stays in the foreground. SIGTERM or Ctrl-C stops HAProxy, letting
requests under way finish, then every process (each closes its database and
so writes its persistent cache). SIGHUP restarts the processes one at a time,
each taken out of HAProxy's rotation and drained first, so that new code is
served without a failed request; a process that died is started again too.
Next to the homes: ``haproxy.cfg``, ``haproxy.log``, HAProxy's admin socket
``haproxy.sock`` and ``cluster.json`` (URLs, ports and process ids, while the
cluster runs).
"""

from dataclasses import dataclass
from dataclasses import replace
from paeria.egov.instance.children import answers_ok
from paeria.egov.instance.children import spawn
from paeria.egov.instance.children import stop_process
from paeria.egov.instance.children import tail
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.haproxy import BACKEND
from paeria.egov.instance.haproxy import CHECK_INTERVAL_MS
from paeria.egov.instance.haproxy import find_haproxy
from paeria.egov.instance.haproxy import haproxy_config
from paeria.egov.instance.haproxy import HEALTH_VIEW
from paeria.egov.instance.prepare import check_port_free
from paeria.egov.instance.prepare import configure
from pathlib import Path
import contextlib
import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time


MAX_PROCESSES = 64
START_TIMEOUT = 300
DRAIN_TIMEOUT = 60
# An AF_UNIX socket path longer than this does not fit in sockaddr_un.
SOCKET_PATH_MAX = 100


class ClusterError(Exception):
    """The cluster could not be started or kept running; one readable line."""


def redacted(dsn):
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", dsn)


@dataclass
class Backend:
    """One Zope process of the cluster."""

    settings: object
    process: subprocess.Popen | None = None
    exit_reported: bool = False

    @property
    def name(self):
        return f"node-{self.settings.port}"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.settings.port}/{self.settings.site_id}"

    @property
    def health_url(self):
        return f"{self.url}/{HEALTH_VIEW}"

    @property
    def console_log(self):
        return self.settings.var / "log" / "console.log"

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None


class Cluster:
    """N ``paeria-instance serve`` processes and one HAProxy, as children."""

    def __init__(self, settings, processes=2, environ=None, out=None):
        if settings.storage != "relstorage":
            raise ConfigurationError(
                "A cluster needs the database in PostgreSQL, which several "
                "processes can share (a FileStorage opens in one process only): "
                "set STORAGE=postgres (database `paeria` on 127.0.0.1) or "
                "RELSTORAGE_DSN."
            )
        if not 1 <= processes <= MAX_PROCESSES:
            raise ConfigurationError(
                f"The number of processes N must be between 1 and {MAX_PROCESSES}, "
                f"not {processes}."
            )
        if settings.port + processes > 65535:
            raise ConfigurationError(
                f"PORT {settings.port} leaves no room for {processes} processes on "
                "the ports after it: choose a lower PORT."
            )
        self.settings = settings
        self.environ = dict(os.environ if environ is None else environ)
        self.out = out or sys.stdout
        self.root = settings.var / "cluster"
        self.backends = [
            Backend(
                replace(
                    settings,
                    home=self.root / f"node-{port}",
                    host="127.0.0.1",
                    port=port,
                )
            )
            for port in range(settings.port + 1, settings.port + processes + 1)
        ]
        self.haproxy = None
        self.haproxy_path = None
        self.config_path = self.root / "haproxy.cfg"
        self.haproxy_log = self.root / "haproxy.log"
        self.state_path = self.root / "cluster.json"
        socket_path = self.root / "haproxy.sock"
        if len(str(socket_path)) > SOCKET_PATH_MAX:
            socket_path = Path(tempfile.gettempdir()) / (
                f"paeria-haproxy-{settings.port}.sock"
            )
        self.socket_path = socket_path

    # -- Addresses -------------------------------------------------------------

    @property
    def url(self):
        host = self.settings.host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - only how it is shown
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.settings.port}/{self.settings.site_id}"

    def say(self, message):
        print(message, file=self.out, flush=True)

    def backend_environment(self, backend):
        environment = dict(self.environ)
        environment.pop("STORAGE", None)
        environment.update(
            PORT=str(backend.settings.port),
            HOST=backend.settings.host,
            # Every process resolves the database as the launcher did.
            RELSTORAGE_DSN=self.settings.relstorage_dsn,
            # HAProxy sets X-Forwarded-For to the client's address (and nothing
            # else reaches a process on 127.0.0.1): the journal and the CSV
            # verification's throttle see clients, not the balancer.
            PAERIA_EGOV_TRUSTED_PROXY="1",
        )
        return environment

    def instance_command(self, command, backend):
        return [
            sys.executable,
            "-m",
            "paeria.egov.instance.cli",
            command,
            "--home",
            str(backend.settings.home),
        ]

    # -- Preparing ---------------------------------------------------------------

    def check_ports(self):
        for settings in [self.settings] + [b.settings for b in self.backends]:
            try:
                check_port_free(settings)
            except ConfigurationError as error:
                raise ConfigurationError(
                    f"{str(error).split(':')[0]}: the cluster needs PORT "
                    f"({self.settings.port}, the balancer) and the "
                    f"{len(self.backends)} ports after it free; stop what uses it "
                    "or choose another PORT."
                ) from None

    def prepare(self):
        """Everything before serving: HAProxy present, ports free, each home
        configured (which checks the database), the site created once."""
        self.haproxy_path = find_haproxy()
        self.check_ports()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(
                f"Cannot create {self.root} ({error.strerror or error})."
            ) from None
        for backend in self.backends:
            configure(backend.settings)
        self.write_haproxy_config()
        first = self.backends[0]
        self.say(f"Creating or upgrading the site in {first.settings.home}…")
        status = subprocess.call(
            self.instance_command("create-site", first),
            env=self.backend_environment(first),
        )
        if status:
            raise ClusterError(
                f"creating the site failed (exit status {status}); see above."
            )

    def haproxy_config(self):
        return haproxy_config(self.settings, self.backends, self.socket_path)

    def write_haproxy_config(self):
        self.config_path.write_text(self.haproxy_config(), encoding="utf-8")
        check = subprocess.run(
            [self.haproxy_path, "-c", "-q", "-f", str(self.config_path)],
            capture_output=True,
            text=True,
        )
        if check.returncode:
            reason = " ".join((check.stderr or check.stdout).split())[-500:]
            raise ClusterError(f"HAProxy refuses {self.config_path}: {reason}")

    # -- Running -------------------------------------------------------------------

    def start(self, timeout=START_TIMEOUT):
        """Start every process and HAProxy; return when HAProxy has every
        process in its rotation. Returns the seconds it took."""
        started = time.monotonic()
        deadline = started + timeout
        for backend in self.backends:
            self.start_backend(backend)
        self.start_haproxy()
        for backend in self.backends:
            self.wait_healthy(backend, deadline)
        for backend in self.backends:
            self.wait_in_rotation(backend, deadline)
        if not answers_ok(f"{self.url}/{HEALTH_VIEW}"):
            raise ClusterError(f"the balancer at {self.url} does not answer")
        self.write_state()
        return time.monotonic() - started

    def start_backend(self, backend):
        backend.console_log.parent.mkdir(parents=True, exist_ok=True)
        backend.process = spawn(
            self.instance_command("serve", backend),
            self.backend_environment(backend),
            backend.console_log,
        )
        backend.exit_reported = False

    def start_haproxy(self):
        # A socket left by a HAProxy that was killed would not be replaced.
        if self.socket_path.exists():
            self.socket_path.unlink()
        self.haproxy = spawn(
            [self.haproxy_path, "-db", "-f", str(self.config_path)],
            dict(self.environ),
            self.haproxy_log,
        )

    def wait_healthy(self, backend, deadline):
        while time.monotonic() < deadline:
            if not backend.alive:
                raise ClusterError(
                    f"{backend.name} exited with status "
                    f"{backend.process.returncode} while starting; the end of "
                    f"{backend.console_log}:\n{tail(backend.console_log)}"
                )
            if answers_ok(backend.health_url):
                return
            time.sleep(0.5)
        raise ClusterError(
            f"{backend.name} did not answer {backend.health_url} in time"
        )

    def wait_in_rotation(self, backend, deadline):
        while time.monotonic() < deadline:
            self.check_haproxy()
            if self.server_states().get(backend.name, "").startswith("UP"):
                return
            time.sleep(0.2)
        raise ClusterError(f"HAProxy did not put {backend.name} in rotation in time")

    def check_haproxy(self):
        if self.haproxy is None or self.haproxy.poll() is not None:
            status = None if self.haproxy is None else self.haproxy.returncode
            raise ClusterError(
                f"HAProxy exited (status {status}); the end of {self.haproxy_log}:\n"
                + tail(self.haproxy_log)
            )

    def admin(self, command):
        """One command on HAProxy's admin socket; returns its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(self.socket_path))
            connection.sendall(command.encode("ascii") + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    def server_stats(self):
        """HAProxy's statistics of each process: {name: row of `show stat`}."""
        try:
            answer = self.admin("show stat")
        except OSError:
            return {}
        rows = csv.DictReader(io.StringIO(answer.lstrip("# ")))
        return {
            row["svname"]: row
            for row in rows
            if row.get("pxname") == BACKEND
            and row.get("svname") not in ("FRONTEND", "BACKEND")
        }

    def server_states(self):
        """{name: "UP" | "DOWN" | "MAINT" | "UP 1/2"…} as HAProxy sees them."""
        return {name: row["status"] for name, row in self.server_stats().items()}

    def write_state(self):
        state = {
            "url": self.url,
            "port": self.settings.port,
            "haproxy": {
                "pid": self.haproxy.pid,
                "config": str(self.config_path),
                "log": str(self.haproxy_log),
                "socket": str(self.socket_path),
            },
            "launcher_pid": os.getpid(),
            "backends": [
                {
                    "name": b.name,
                    "port": b.settings.port,
                    "url": b.url,
                    "home": str(b.settings.home),
                    "pid": b.process.pid if b.process else None,
                }
                for b in self.backends
            ],
        }
        self.state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")

    def poll(self):
        """Report each process found dead (once); raise when HAProxy, or every
        process, is gone."""
        self.check_haproxy()
        for backend in self.backends:
            if (
                backend.process is not None
                and not backend.alive
                and not backend.exit_reported
            ):
                backend.exit_reported = True
                self.say(
                    f"{backend.name} (pid {backend.process.pid}) exited with "
                    f"status {backend.process.returncode}: HAProxy sends its "
                    "requests to the other processes. `kill -HUP "
                    f"{os.getpid()}` starts it again; see {backend.console_log}."
                )
        if not any(backend.alive for backend in self.backends):
            raise ClusterError("every Zope process has exited")

    def restart_backend(self, backend, timeout=START_TIMEOUT):
        """Out of rotation, drained, stopped (writing its persistent cache),
        started, back in rotation once HAProxy's checks pass."""
        deadline = time.monotonic() + timeout
        self.admin(f"set server {BACKEND}/{backend.name} state maint")
        drained = time.monotonic() + DRAIN_TIMEOUT
        while backend.alive and time.monotonic() < drained:
            stats = self.server_stats().get(backend.name, {})
            if stats.get("scur", "0") == "0" and stats.get("qcur", "0") == "0":
                break
            time.sleep(0.2)
        stop_process(backend.process)
        self.start_backend(backend)
        self.wait_healthy(backend, deadline)
        self.admin(f"set server {BACKEND}/{backend.name} state ready")
        self.wait_in_rotation(backend, deadline)
        self.write_state()

    def rolling_restart(self):
        self.say("Restarting the processes one at a time…")
        for backend in self.backends:
            started = time.monotonic()
            self.restart_backend(backend)
            self.say(
                f"  {backend.name} restarted (pid {backend.process.pid}) in "
                f"{time.monotonic() - started:.1f}s"
            )
        self.say("Every process restarted.")

    @property
    def started_anything(self):
        return self.haproxy is not None or any(b.process for b in self.backends)

    def stop(self):
        """HAProxy first (it stops listening and lets requests under way
        finish), then every process at once."""
        if self.haproxy is not None:
            stop_process(self.haproxy, signal.SIGUSR1, timeout=35)
        for backend in self.backends:
            if backend.alive:
                backend.process.send_signal(signal.SIGTERM)
        for backend in self.backends:
            stop_process(backend.process)
        for path in (self.state_path, self.socket_path):
            with contextlib.suppress(OSError):
                path.unlink()

    def describe(self, seconds):
        lines = [
            f"Cluster ready in {seconds:.1f}s: {self.url} (HAProxy; checks GET "
            f"/{self.settings.site_id}/{HEALTH_VIEW} every "
            f"{CHECK_INTERVAL_MS / 1000:g}s)",
            *(
                f"  {b.name}  {b.url}  pid {b.process.pid}  home {b.settings.home}"
                for b in self.backends
            ),
            f"Database: PostgreSQL {redacted(self.settings.relstorage_dsn)}",
            f"Stop with Ctrl-C or `kill {os.getpid()}`; `kill -HUP {os.getpid()}` "
            "restarts the processes one at a time.",
        ]
        return "\n".join(lines)


def run_cluster(settings, processes=2, environ=None, out=None):
    """The ``cluster`` command: start, serve until SIGTERM/SIGINT, stop.
    Returns the exit status (a bad configuration raises ConfigurationError)."""
    cluster = Cluster(settings, processes, environ=environ, out=out)
    received = []

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    def queue(signum, frame):
        received.append(signum)

    _handle_signals(interrupt)
    status = 0
    try:
        cluster.prepare()
        seconds = cluster.start()
        cluster.say(cluster.describe(seconds))
        _handle_signals(queue)
        _serve(cluster, received)
    except KeyboardInterrupt:
        pass
    except ClusterError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # Signals during the stop must not cut it short.
        _handle_signals(queue)
        if cluster.started_anything:
            cluster.say("Stopping the cluster…")
            cluster.stop()
            cluster.say("Stopped.")
    return status


def _handle_signals(handler):
    """Route SIGTERM, SIGINT and SIGHUP to ``handler``."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, handler)


def _serve(cluster, received):
    """Watch the cluster until a signal other than SIGHUP is ``received``;
    SIGHUP restarts the processes one at a time."""
    while True:
        if received:
            signum = received.pop(0)
            if signum != signal.SIGHUP:
                break
            cluster.rolling_restart()
            continue
        cluster.poll()
        time.sleep(0.5)
