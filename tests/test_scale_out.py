"""Scale-out: `paeria-instance cluster` (what `make cluster` runs) starts two
Zope processes on one PostgreSQL database behind HAProxy, and they behave as
one portal.

- What one process writes (an expediente with a document, its file a blob in
  PostgreSQL) the other serves at once: RelStorage polls the database for
  invalidations at the start of each transaction.
- Concurrent edits of different expedientes, from many clients through both
  processes, are all saved, and never conflict on the expedientes or any
  object of paeria.egov: the conflicts there are, Zope retries, are all in
  Plone's catalog (the lexicon's new words, now that the full-text indexes
  merge edits of different documents), which the test proves by locating
  each conflicting object; their number is printed (see docs/scaling.md).
- SIGHUP restarts the processes one at a time, each drained from HAProxy
  first: no read through the balancer fails, and each process starts again
  with the objects it had cached (RelStorage's persistent cache).
- One process killed with SIGKILL under load loses no committed write; reads
  through the balancer keep answering 200, and a write fails only if it was
  under way in the killed process (its client gets 502, or its connection
  closed unanswered, and cannot know whether it was committed, so either
  outcome is accepted for it).
- SIGTERM stops the balancer and the processes, leaving none behind.

The tests share one cluster and run in the order written. They print what
they measured (`pytest -s` shows it; docs/scaling.md quotes it).
"""

from concurrent.futures import ThreadPoolExecutor
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.haproxy import BACKEND
from paeria.egov.instance.haproxy import find_haproxy
from tests.portal import create_procedimiento
from tests.portal import create_unidad
from tests.portal import documento_with_pdf
from tests.portal import INSTANCE
from tests.portal import instance_environment
from tests.portal import popen
from tests.portal import run
from tests.portal import terminate
from tests.postgresql import ScratchDatabase
from tests.test_register_concurrency import RETRIED
import csv
import hashlib
import io
import json
import os
import pytest
import random
import re
import requests
import signal
import socket
import subprocess
import sys
import threading
import time


pytestmark = pytest.mark.postgresql

ADMIN = ("admin", "scale-out-admin")
JSON = {"Accept": "application/json", "Accept-Language": "en"}
PROCESSES = 2
EXPEDIENTES = 8
EDITS_PER_EXPEDIENTE = 6
READY = re.compile(r"Cluster ready in ([\d.]+)s")
# paeria.egov.conflicts logs each request given up after its last retry.
GAVE_UP = re.compile(r"at [A-Z]+ \S+: .*Gave up after \d+ attempts")


def _port_is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_consecutive_ports(count):
    for _ in range(100):
        base = random.randint(20000, 60000 - count)
        if all(_port_is_free(base + k) for k in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports")


def site_path(url):
    """An address of the site as a path in it, to be asked of any process."""
    return re.sub(r"^https?://[^/]+/[^/]+", "", url)


class RunningCluster:
    """`paeria-instance cluster` in a subprocess, as `make cluster` runs it."""

    def __init__(self, home, dsn):
        self.home = home
        self.port = free_consecutive_ports(PROCESSES + 1)
        self.environment = instance_environment(
            PORT=self.port, RELSTORAGE_DSN=dsn, DEMO=0, ADMIN_PASSWORD=ADMIN[1]
        )
        self.output = home / "cluster-output.log"
        self.state_path = home / "var" / "cluster" / "cluster.json"
        self.process = None
        self.wall_seconds = self.ready_seconds = None

    def start(self, timeout=240):
        self.home.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.output.open("ab") as output:
            self.process = popen(
                [
                    INSTANCE,
                    "cluster",
                    "--home",
                    str(self.home),
                    "--processes",
                    str(PROCESSES),
                ],
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        while time.monotonic() < started + timeout:
            text = self.text()
            ready = READY.search(text)
            if ready and self.state_path.exists():
                self.wall_seconds = time.monotonic() - started
                self.ready_seconds = float(ready.group(1))
                self.state = json.loads(self.state_path.read_text())
                return self
            if self.process.poll() is not None:
                status = self.process.returncode
                raise RuntimeError(f"the cluster exited with {status}:\n{text[-4000:]}")
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("the cluster was not ready in time:\n" + self.text()[-4000:])

    def stop(self, timeout=120):
        terminate(self.process, timeout)

    def text(self):
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    def refresh_state(self):
        self.state = json.loads(self.state_path.read_text())
        return self.state

    @property
    def url(self):
        return self.state["url"]

    @property
    def backends(self):
        return self.state["backends"]

    def event_log(self, backend):
        path = os.path.join(backend["home"], "var", "log", "event.log")
        with open(path, errors="replace") as log:
            return log.read()

    def conflicts(self):
        """(retried attempts, requests given up) in every process's event log."""
        logs = [self.event_log(backend) for backend in self.backends]
        retried = sum(len(RETRIED.findall(log)) for log in logs)
        gave_up = sum(len(GAVE_UP.findall(log)) for log in logs)
        return retried, gave_up

    def server_states(self):
        """{process name: status} as HAProxy's admin socket reports them."""
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(5)
            connection.connect(self.state["haproxy"]["socket"])
            connection.sendall(b"show stat\n")
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        rows = csv.DictReader(io.StringIO(answer.decode().lstrip("# ")))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")
        }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    try:
        find_haproxy()
    except ConfigurationError as error:
        pytest.skip(f"{error} .ci/run installs it.")
    with ScratchDatabase() as database:
        running = RunningCluster(tmp_path_factory.mktemp("cluster"), database.dsn)
        try:
            running.start()
            print(
                f"\ncluster of {PROCESSES} processes ready in "
                f"{running.wall_seconds:.1f}s from the command (site creation "
                f"included), {running.ready_seconds:.1f}s from starting the "
                "processes to both in HAProxy's rotation"
            )
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="module")
def shared(cluster):
    """What the tests create and later check is still there."""
    return {}


def post(base, path, body):
    response = requests.post(
        f"{base}{path}", json=body, headers=JSON, auth=ADMIN, timeout=120
    )
    assert response.status_code == 201, response.text[:2000]
    return response.json()


def get(base, path_or_url, **params):
    return requests.get(
        f"{base}{site_path(path_or_url)}",
        params=params,
        headers=JSON,
        auth=ADMIN,
        timeout=60,
    )


def patch(session, url, body):
    """PATCH as the portal asks clients to: a 503 with Retry-After (a request
    that lost its four attempts to write conflicts; nothing was saved) is sent
    again after that many seconds. Returns (final status, 503s received)."""
    busy = 0
    while True:
        response = session.patch(url, json=body, headers=JSON, auth=ADMIN, timeout=120)
        if response.status_code != 503 or "Retry-After" not in response.headers:
            return response.status_code, busy
        assert "Nothing was saved" in response.json()["error"]["message"]
        busy += 1
        time.sleep(int(response.headers["Retry-After"]))


def expediente_body(procedimiento, title, description=""):
    return {
        "@type": "Expediente",
        "title": title,
        "description": description,
        "procedimiento": procedimiento,
        "interesados": [
            {
                "identifier_type": "NIF",
                "identifier": "12345678Z",
                "name": "Maria Puig i Soler",
                "representative": None,
                "notification_channel": "electronica",
                "email": None,
            }
        ],
    }


def test_what_one_process_writes_the_other_serves(cluster, shared):
    first, second = (backend["url"] for backend in cluster.backends)
    unidad = create_unidad(first, ADMIN)
    procedimiento = create_procedimiento(first, ADMIN, unidad)
    expediente = post(
        first,
        "/unidades/urbanismo",
        expediente_body(procedimiento["UID"], "Obra menor al carrer Major"),
    )
    body, pdf = documento_with_pdf()
    documento = post(first, site_path(expediente["@id"]), body)
    fingerprint = hashlib.sha256(pdf).hexdigest()
    assert documento["huella"] == fingerprint

    # The other process, asked straight away, and the balancer serve it all:
    # the expediente, its number, its document, the file (from PostgreSQL, as
    # it never was in the second process's blob cache) and the catalog entry.
    for base in (second, cluster.url):
        served = get(base, expediente["@id"])
        assert served.status_code == 200, served.text[:1000]
        assert served.json()["title"] == "Obra menor al carrer Major"
        assert served.json()["numero"] == expediente["numero"]
        assert [site_path(i["@id"]) for i in served.json()["items"]] == [
            site_path(documento["@id"])
        ]
        download = get(base, documento["file"]["download"])
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == fingerprint
        found = get(base, "/@search", portal_type="Documento").json()
        assert [site_path(i["@id"]) for i in found["items"]] == [
            site_path(documento["@id"])
        ]
    shared.update(
        procedimiento=procedimiento["UID"],
        expediente=expediente,
        documento=documento,
        fingerprint=fingerprint,
    )


# Where each object a conflict names lives: a walk of the portal catalog (its
# catalog, indexes, lexicons and every BTree, bucket and tree set inside them),
# run in the first process's home while the cluster serves (RelStorage lets
# any number of processes open the database).
LOCATE_SCRIPT = """
import json, os, sys
from Acquisition import aq_base
from ZODB.utils import u64

targets = {int(oid) for oid in os.environ["CONFLICT_OIDS"].split()}
found, seen = {}, set()

def children(obj):
    tree = type(obj).__name__.endswith(("BTree", "TreeSet"))
    state = obj.__getstate__() if tree else None
    if state and len(state) == 2 and isinstance(state[0], tuple):
        yield from (("<bucket>", child) for child in state[0][::2])
    if hasattr(obj, "items") and type(obj).__module__.startswith("BTrees"):
        yield from ((repr(key), value) for key, value in obj.items())
    yield from getattr(obj, "__dict__", {}).items()

def walk(obj, path):
    if isinstance(obj, (dict, list, tuple)):  # inside a persistent object
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        for name, child in list(items):
            walk(child, f"{path}/{name}")
        return
    oid = getattr(obj, "_p_oid", None)
    if not isinstance(oid, bytes) or oid in seen:  # not stored, or a class
        return
    seen.add(oid)
    if u64(oid) in targets:
        found[u64(oid)] = f"{path} ({type(obj).__name__})"
    obj._p_activate()
    for name, child in list(children(obj)):
        walk(child, f"{path}/{name}")

walk(aq_base(app.Plone.portal_catalog), "portal_catalog")
print(json.dumps(found))
"""
CONFLICT = re.compile(r"database conflict error \(oid (0x[0-9a-f]+), class ([\w.]+)")
LOCKED = re.compile(r"advisory lock \[\d+,(\d+),(\d+),1\]")


def conflicting_oids(logs):
    """{oid: (class, times)} of every object named by a conflict, or locked by
    both sides of a deadlock at commit."""
    found = {}
    for log in logs:
        named = [(int(oid, 16), kind) for oid, kind in CONFLICT.findall(log)]
        named += [
            ((int(high) << 32) | int(low), "(locked at commit)")
            for high, low in LOCKED.findall(log)
        ]
        for oid, kind in named:
            found[oid] = (kind, found.get(oid, (kind, 0))[1] + 1)
    return found


def locate(cluster, oids):
    first = cluster.backends[0]
    script = os.path.join(first["home"], "locate-conflicts.py")
    with open(script, "w") as out:
        out.write(LOCATE_SCRIPT)
    zope_conf = os.path.join(first["home"], "etc", "zope.conf")
    result = run(
        [sys.executable, "-m", "Zope2.utilities.zconsole", "run", zope_conf, script],
        env={**cluster.environment, "CONFLICT_OIDS": " ".join(map(str, oids))},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {
        int(oid): path
        for oid, path in json.loads(result.stdout.splitlines()[-1]).items()
    }


def edit_text(n, k):
    """What a clerk writes: words of their own expediente (a new one at each
    edit), not the same new words at the same moment as every other clerk."""
    street = STREETS[n % len(STREETS)]
    return {
        "title": f"Obres al carrer {street}, revisió {street.lower()}{k}",
        "description": f"Canvi {street.lower()}{k} demanat per la persona interessada.",
    }


STREETS = [
    "Major",
    "Cavallers",
    "Magdalena",
    "Blondel",
    "Ferran",
    "Alcalde",
    "Democràcia",
    "Sant",
    "Bisbe",
    "Companys",
    "Balmes",
    "Prat",
]


def test_concurrent_edits_of_different_expedientes(cluster, shared):
    """Many clients edit different expedientes at once through both processes.
    Every edit is saved. The only objects two edits ever contend for are the
    catalog's (the lexicon, when both add new words to the same small part of
    it: see docs/scaling.md), never the expedientes, their
    journal or anything else of paeria.egov; Zope retries those conflicts, and
    the rare request that loses all four attempts answers 503 with nothing
    saved, which the client sends again. The counts are printed."""
    backends = [backend["url"] for backend in cluster.backends]
    expedientes = [
        post(
            cluster.url,
            "/unidades/urbanismo",
            expediente_body(shared["procedimiento"], **edit_text(n, "inicial")),
        )["@id"]
        for n in range(EXPEDIENTES)
    ]
    logs_before = [cluster.event_log(backend) for backend in cluster.backends]
    retried_before, gave_up_before = cluster.conflicts()

    def edit(n):
        """One client per expediente; its edits alternate between the two
        processes, so both always have edits under way."""
        answers = []
        session = requests.Session()
        for k in range(EDITS_PER_EXPEDIENTE):
            started = time.monotonic()
            url = f"{backends[(n + k) % 2]}{site_path(expedientes[n])}"
            status, busy = patch(session, url, edit_text(n, k))
            answers.append((status, time.monotonic() - started, busy))
        return answers

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=EXPEDIENTES) as pool:
        answers = [a for client in pool.map(edit, range(EXPEDIENTES)) for a in client]
    duration = time.monotonic() - started
    retried, gave_up = cluster.conflicts()
    new_logs = [
        cluster.event_log(backend)[len(before) :]
        for backend, before in zip(cluster.backends, logs_before, strict=True)
    ]
    oids = conflicting_oids(new_logs)
    located = locate(cluster, oids) if oids else {}
    latencies = sorted(seconds for _, seconds, _ in answers)
    busy = sum(busy for _, _, busy in answers)
    print(
        f"\n{len(answers)} edits of {EXPEDIENTES} expedientes by {EXPEDIENTES} "
        f"clients on {PROCESSES} processes in {duration:.1f}s "
        f"({len(answers) / duration:.1f}/s): statuses "
        f"{sorted({status for status, _, _ in answers})} after {busy} 503s sent "
        "again, latency median "
        f"{latencies[len(latencies) // 2]:.2f}s, max {latencies[-1]:.2f}s; "
        f"conflicts retried {retried - retried_before}, given up "
        f"{gave_up - gave_up_before}, on: "
        + "; ".join(
            f"{located.get(oid, f'{oid:#x} {kind}')} ×{times}"
            for oid, (kind, times) in oids.items()
        )
    )
    assert [status for status, _, _ in answers] == [204] * len(answers)
    assert gave_up - gave_up_before == busy
    outside_catalog = {
        oid: kind for oid, (kind, _) in oids.items() if oid not in located
    }
    assert outside_catalog == {}, "conflicts outside the catalog"
    for base in backends:
        for n, path in enumerate(expedientes):
            served = get(base, path).json()
            assert served["title"] == edit_text(n, EDITS_PER_EXPEDIENTE - 1)["title"]
    shared["expedientes"] = expedientes


class Readers:
    """Clients reading through the balancer until stopped; every answer kept."""

    def __init__(self, cluster, paths, clients=4):
        self.cluster = cluster
        self.paths = paths
        self.clients = clients
        self.answers = []  # (time, status or exception name)
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.read, args=(n,)) for n in range(clients)
        ]

    def read(self, n):
        session = requests.Session()
        k = n
        while not self.stopping.is_set():
            path = self.paths[k % len(self.paths)]
            k += 1
            try:
                status = session.get(
                    f"{self.cluster.url}{path}", headers=JSON, auth=ADMIN, timeout=60
                ).status_code
            except requests.RequestException as error:
                status = f"{type(error).__name__}: {error}"[:300]
            self.answers.append((time.monotonic(), status))
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(120)

    def failures(self):
        return [answer for answer in self.answers if answer[1] != 200]


CACHE_WRITTEN = re.compile(r"Wrote (\d+) items to <Connection at \S+ to '([^']+)'")
CACHE_READ = re.compile(r"Bulk update of empty cache: Examined \d+ and stored (\d+)")


def test_rolling_restart_fails_no_read_and_starts_warm(cluster, shared):
    paths = [site_path(path) for path in shared["expedientes"]] + ["", "/tramites"]
    logs_before = [cluster.event_log(backend) for backend in cluster.backends]
    pids_before = [backend["pid"] for backend in cluster.backends]
    with Readers(cluster, paths) as readers:
        time.sleep(1)
        started = time.monotonic()
        cluster.process.send_signal(signal.SIGHUP)
        while "Every process restarted." not in cluster.text():
            assert time.monotonic() - started < 180, cluster.text()[-3000:]
            assert cluster.process.poll() is None, cluster.text()[-3000:]
            time.sleep(0.2)
        restart = time.monotonic() - started
        time.sleep(1)
    state = cluster.refresh_state()
    assert all(
        new["pid"] != old
        for new, old in zip(state["backends"], pids_before, strict=True)
    ), "the processes were not restarted"
    # "UP 1/2" is in rotation too: back from maintenance, before its checks.
    assert all(state.startswith("UP") for state in cluster.server_states().values())

    # Each process wrote its cache when it stopped and read it back at start.
    warm = []
    for backend, before in zip(cluster.backends, logs_before, strict=True):
        after = cluster.event_log(backend)[len(before) :]
        written = CACHE_WRITTEN.findall(after)
        read = CACHE_READ.findall(after)
        assert written and read, after[-3000:]
        warm.append((backend["name"], int(written[-1][0]), int(read[-1])))
        assert int(read[-1]) > 0
    print(
        f"\nrolling restart of {PROCESSES} processes in {restart:.1f}s under "
        f"{len(readers.answers)} reads through the balancer: "
        f"{len(readers.failures())} failed; persistent cache (process, items "
        f"written at stop, items loaded at start): {warm}"
    )
    assert readers.failures() == []


def taken_down_at(cluster, name, since):
    """When HAProxy reported the process ``name`` DOWN, waiting up to 30 s
    from ``since``; None if it did not."""
    while time.monotonic() - since < 30:
        if cluster.server_states().get(name, "").startswith("DOWN"):
            return time.monotonic()
        time.sleep(0.05)
    return None


def test_a_killed_process_loses_no_committed_write(cluster, shared):
    expedientes = shared["expedientes"]
    paths = [site_path(path) for path in expedientes] + [
        site_path(shared["documento"]["file"]["download"])
    ]
    victim = cluster.backends[1]
    writes = {n: [] for n in range(len(expedientes))}  # n: [(value, status)]
    stopping = threading.Event()
    busy_writes = []

    def write(n):
        session = requests.Session()
        k = 0
        while not stopping.is_set():
            street = STREETS[n % len(STREETS)]
            value = f"Obres al carrer {street}, escriptura {street.lower()}{k}"
            url = f"{cluster.url}{site_path(expedientes[n])}"
            try:
                status, busy = patch(session, url, {"title": value})
                busy_writes.append(busy)
            except requests.RequestException as error:
                status = f"{type(error).__name__}: {error}"[:300]
            writes[n].append((value, status, time.monotonic()))
            k += 1

    writers = [threading.Thread(target=write, args=(n,)) for n in writes]
    with Readers(cluster, paths) as readers:
        for thread in writers:
            thread.start()
        time.sleep(3)
        killed_at = time.monotonic()
        os.kill(victim["pid"], signal.SIGKILL)
        down_at = taken_down_at(cluster, victim["name"], killed_at)
        # Keep going well after HAProxy took the process out.
        time.sleep(4)
        stopping.set()
        for thread in writers:
            thread.join(120)
    assert down_at is not None, cluster.server_states()

    all_writes = [w for ws in writes.values() for w in ws]
    failed_writes = [w for w in all_writes if w[1] != 204]
    failed_reads = readers.failures()
    print(
        f"\nSIGKILL of {victim['name']} under {len(writes)} writers and "
        f"{readers.clients} readers through the balancer: HAProxy took it out "
        f"after {down_at - killed_at:.1f}s; reads {len(readers.answers)}, failed "
        f"{len(failed_reads)}; writes {len(all_writes)}, failed "
        f"{len(failed_writes)} {sorted({w[1] for w in failed_writes}, key=str)}; "
        f"503s (write conflicts) sent again {sum(busy_writes)}"
    )
    assert failed_reads == []
    # Only a write under way in the killed process may fail, as 502 or with the
    # connection closed unanswered (HAProxy does so when the process's
    # connection was a reused one, as a server would); each writer has at most
    # one under way, so at most one per writer.
    for ws in writes.values():
        failed = [w for w in ws if w[1] != 204]
        assert len(failed) <= 1, failed
        for _, status, finished in failed:
            assert status == 502 or "RemoteDisconnected" in str(status), status
            assert -0.5 < finished - killed_at < 2, finished - killed_at
    assert any(w[2] > down_at and w[1] == 204 for w in all_writes)

    # Every committed write is served: each expediente's title is its last
    # write answered 204, or a later one that failed (it may have committed).
    for n, ws in writes.items():
        committed = [i for i, w in enumerate(ws) if w[1] == 204]
        acceptable = {w[0] for w in ws[committed[-1] :]}
        served = get(cluster.url, expedientes[n])
        assert served.status_code == 200
        assert served.json()["title"] in acceptable, (served.json()["title"], ws[-3:])
    # And what was written before, blobs included.
    download = get(cluster.url, shared["documento"]["file"]["download"])
    assert hashlib.sha256(download.content).hexdigest() == shared["fingerprint"]
    assert f"{victim['name']} (pid {victim['pid']}) exited with status -9" in (
        cluster.text()
    )
    assert cluster.process.poll() is None


def test_sigterm_stops_everything(cluster):
    pids = [cluster.state["haproxy"]["pid"]] + [b["pid"] for b in cluster.backends]
    started = time.monotonic()
    cluster.stop()
    took = time.monotonic() - started
    print(f"\ncluster stopped in {took:.1f}s")
    assert cluster.process.returncode == 0, cluster.text()[-3000:]
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not cluster.state_path.exists()
    assert "Stopped." in cluster.text()
