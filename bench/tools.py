"""The harness's machinery: commands, servers, HAProxy, wrk, PostgreSQL and
FileStorage chores. Runs in paeria.egov's venv (bench/run.py)."""

from contextlib import contextmanager
from contextlib import suppress
from pathlib import Path
from typing import ClassVar
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


STARTED = time.monotonic()
# What Zope logs for each retried attempt (Zope.SiteErrorLog, at INFO, on both
# sides; a message may go on over lines that do not start with a date) and
# paeria.egov for a request given up after its last attempt (as in
# tests/test_register_concurrency.py).
RETRIED = re.compile(
    r"\] (\w+) at \S+: [^\n]*(?:\n(?!\d{4}-\d\d-\d\d )[^\n]*)*?"
    r"Request will be retried\."
)
GAVE_UP = re.compile(r"at POST (\S+): .*Gave up after (\d+) attempts")
# Settings of paeria-instance that must come from the harness, never from
# whoever runs it (a RELSTORAGE_DSN in the shell would move the data).
INSTANCE_VARIABLES = (
    "PORT",
    "HOST",
    "SITE_ID",
    "ADMIN_PASSWORD",
    "DEMO",
    "RELSTORAGE_DSN",
    "STORAGE",
    "THREADS",
    "RELSTORAGE_CACHE_MB",
    "SECURE_COOKIES",
    "INSTANCE_HOME_DIR",
)


class BenchError(Exception):
    """Something the harness cannot go on without; one readable line."""


# (what, 1-minute load average) at each step: the machine may be shared.
LOADS = []
# Debian installs HAProxy in /usr/sbin, not on every user's PATH.
HAPROXY_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def say(message):
    elapsed = time.monotonic() - STARTED
    LOADS.append((message, os.getloadavg()[0]))
    print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def environment(**settings):
    env = {k: v for k, v in os.environ.items() if k not in INSTANCE_VARIABLES}
    env.update({key: str(value) for key, value in settings.items() if value != ""})
    return env


@contextmanager
def output_to(log):
    """Send this process's standard output (file descriptor 1, so that of the
    children it starts too) to ``log``: the table alone goes to stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as target:
        os.dup2(target.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def run(command, log, env=None, timeout=None, cwd=None):
    """Run ``command``, appending its output to ``log``; raise BenchError
    with the output's tail when it fails."""
    log = Path(log)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        output.write(f"\n$ {' '.join(map(str, command))}\n".encode())
        output.flush()
        status = subprocess.call(
            [str(part) for part in command],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            timeout=timeout,
            cwd=cwd,
        )
    if status:
        tail = log.read_text(errors="replace")[-3000:]
        raise BenchError(f"`{' '.join(map(str, command))}` exited {status}:\n{tail}")


def stop_group(process, grace=10):
    """SIGTERM the process group ``process`` leads (a session started with
    start_new_session=True), wait up to ``grace`` seconds, then SIGKILL what
    is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while _group_alive(process.pid) and time.monotonic() < deadline:
            process.poll()  # reaps the leader once it has ended
            time.sleep(0.1)
        if not _group_alive(process.pid):
            break
    process.wait()


def _group_alive(pgid):
    """Whether a process of group ``pgid``, zombies aside, is running."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def basic_auth(user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class Server:
    """A Zope process serving one instance; ``start`` returns the seconds from
    spawning it to the first 200 of ``url`` (the cold start)."""

    running: ClassVar[list] = []  # every process started, shared to stop them all

    def __init__(self, name, command, env, url, log):
        self.name = name
        self.command = [str(part) for part in command]
        self.env = env
        self.url = url
        self.log = Path(log)
        self.process = None

    def start(self, timeout=600):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        output = self.log.open("ab")
        started = time.monotonic()
        # A session of its own: stop() stops whatever the server started too.
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        Server.running.append(self)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.process.returncode}:\n"
                    + self.log.read_text(errors="replace")[-3000:]
                )
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise BenchError(f"{self.name} did not answer {self.url} in {timeout}s")

    @property
    def pid(self):
        return self.process.pid

    def rss_mb(self):
        """Resident memory (VmRSS) of the serving process."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None

    def stop(self, timeout=120):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        if self.process is not None:
            stop_group(self.process)
        if self in Server.running:
            Server.running.remove(self)

    @classmethod
    def stop_all(cls):
        for server in list(cls.running):
            server.stop()


LUA = r"""-- Written by bench/run.py: GET the listed requests in turn.
local list = {
%(requests)s
}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  position = (offset or 0) * 7
end
function request()
  position = position %% #list + 1
  local item = list[position]
  return wrk.format("GET", item[1], {["Authorization"] = item[2], ["Accept"] = item[3]})
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH-RESULT %%d %%d %%d %%d %%d %%d %%d\n",
    summary.requests, summary.duration, errors.status, errors.connect,
    errors.read, errors.write, errors.timeout))
  -- Every latency seen (microseconds) and how often: rounds are merged.
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("BENCH-LATENCY %%d %%d\n", value, count))
  end
end
"""


def lua_string(text):
    if "]==]" in text:
        raise BenchError(f"cannot quote {text!r} for Lua")
    return f"[==[{text}]==]"


def check_requests(base_url, requests, name):
    """Send each request once, outside the measure: it warms the caches and
    proves every one answers 200 (a wrong password would measure 401s).
    Returns the slowest one's seconds."""
    import requests as http

    session = http.Session()
    slowest = 0.0
    for path, authorization, accept in dict.fromkeys(requests):
        started = time.monotonic()
        response = session.get(
            base_url + path,
            headers={"Authorization": authorization, "Accept": accept},
            timeout=300,
        )
        slowest = max(slowest, time.monotonic() - started)
        if response.status_code != 200:
            raise BenchError(
                f"{name}: GET {path} answered {response.status_code}: "
                f"{response.text[:500]}"
            )
    return slowest


def wrk(base_url, requests, connections, seconds, folder, name):
    """Run wrk against ``base_url`` cycling over ``requests`` (path,
    Authorization, Accept) for ``seconds``; the raw result: requests, errors,
    duration and the latency histogram {microseconds: count}."""
    script = Path(folder) / f"{name}.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        LUA
        % {
            "requests": ",\n".join(
                "  {" + ", ".join(map(lua_string, request)) + "}"
                for request in requests
            )
        }
    )
    command = [
        "wrk",
        f"-t{min(connections, 2)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        base_url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    with (Path(folder) / f"{name}.out").open("a") as saved:
        saved.write(output.stdout + output.stderr)
    summary, histogram = None, {}
    for line in output.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            summary = [int(v) for v in line.split()[1:]]
        elif line.startswith("BENCH-LATENCY "):
            value, count = (int(v) for v in line.split()[1:])
            histogram[value] = histogram.get(value, 0) + count
    if summary is None:
        raise BenchError(f"{name}: wrk printed no result:\n{output.stdout[-2000:]}")
    count, duration = summary[:2]
    errors = sum(summary[2:])
    if count == 0 or errors > count * 0.01:
        raise BenchError(
            f"{name}: {count} requests, {errors} errors (non-2xx or socket "
            f"errors):\n{output.stdout[-2000:]}"
        )
    return {
        "requests": count,
        "errors": errors,
        "seconds": duration / 1e6,
        "histogram": histogram,
    }


def combine(runs, connections):
    """One figure from the rounds of wrk runs: requests/s over their whole
    duration, latency percentiles (nearest rank) over every request."""
    histogram = {}
    for measured in runs:
        for value, count in measured["histogram"].items():
            histogram[value] = histogram.get(value, 0) + count
    values = sorted(histogram)
    total = sum(histogram.values())

    def percentile(fraction):
        rank = max(1, -(-int(fraction * total * 1000) // 1000))
        seen = 0
        for value in values:
            seen += histogram[value]
            if seen >= rank:
                return value / 1000
        return values[-1] / 1000

    seconds = sum(measured["seconds"] for measured in runs)
    requests = sum(measured["requests"] for measured in runs)
    return {
        "connections": connections,
        "rounds": len(runs),
        "seconds": seconds,
        "requests": requests,
        "errors": sum(measured["errors"] for measured in runs),
        "requests_per_s": requests / seconds,
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "max_ms": values[-1] / 1000,
        "mean_ms": sum(v * c for v, c in histogram.items()) / total / 1000,
    }


def copy_instance(pristine, work):
    """A working copy of an instance's data: Data.fs copied, blob files hard
    linked (committed blobs are never written again, only added or removed)."""
    work = Path(work)
    if work.exists():
        shutil.rmtree(work)
    for folder in ("filestorage", "log", "cache"):
        (work / "var" / folder).mkdir(parents=True)
    source = Path(pristine) / "var" / "filestorage"
    for name in ("Data.fs", "Data.fs.index"):
        if (source / name).exists():
            shutil.copy2(source / name, work / "var" / "filestorage" / name)
    subprocess.run(
        [
            "cp",
            "-al",
            str(Path(pristine) / "var" / "blobstorage"),
            str(work / "var" / "blobstorage"),
        ],
        check=True,
    )


def pack(home):
    """Pack the FileStorage of ``home`` (no history, unreferenced blobs
    removed) and return the size of Data.fs in bytes."""
    from ZODB import DB
    from ZODB.FileStorage import FileStorage

    data_fs = Path(home) / "var" / "filestorage" / "Data.fs"
    storage = FileStorage(
        str(data_fs), blob_dir=str(Path(home) / "var" / "blobstorage")
    )
    database = DB(storage)
    try:
        database.pack(time.time() + 1)
    finally:
        database.close()
    old = data_fs.with_name("Data.fs.old")
    if old.exists():
        old.unlink()
    return data_fs.stat().st_size


def blob_bytes(home):
    total = 0
    for folder, _, files in os.walk(Path(home) / "var" / "blobstorage"):
        total += sum(
            (Path(folder) / name).stat().st_size
            for name in files
            if name.endswith(".blob")
        )
    return total


# -- PostgreSQL --------------------------------------------------------------

ADMIN_DSN = os.environ.get(
    "PAERIA_TEST_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)


def postgresql_problem():
    """None when a PostgreSQL server answers at ADMIN_DSN, else why not."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    try:
        psycopg2.connect(ADMIN_DSN, connect_timeout=5).close()
    except psycopg2.Error as error:
        return " ".join(str(error).split())
    return None


class ScratchDatabase:
    """A fresh PostgreSQL database, dropped at the end."""

    def __init__(self, name):
        self.name = name
        parts = [p for p in ADMIN_DSN.split() if not p.startswith("dbname=")]
        self.dsn = " ".join([*parts, f"dbname={name}"])

    def _execute(self, statement):
        import psycopg2

        connection = psycopg2.connect(ADMIN_DSN, connect_timeout=5)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def __enter__(self):
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc_info):
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def zodbconvert(zodbconvert_script, home, dsn, folder, log):
    """Copy a FileStorage instance (with its blobs) into an empty RelStorage
    database, history-free, as an operator moving to PostgreSQL would."""
    config = Path(folder) / "zodbconvert.conf"
    config.write_text(
        f"""<filestorage source>
    path {home}/var/filestorage/Data.fs
    blob-dir {home}/var/blobstorage
    read-only true
</filestorage>
%import relstorage
<relstorage destination>
    keep-history false
    shared-blob-dir false
    blob-dir {folder}/zodbconvert-blobcache
    <postgresql>
        dsn {dsn}
    </postgresql>
</relstorage>
"""
    )
    run([zodbconvert_script, config], log)


def read_json(path):
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def write_json(path, data):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as output:
        json.dump(data, output, indent=1, sort_keys=True, default=str)
        output.write("\n")
