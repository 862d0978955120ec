"""Benchmark paeria.egov against stock Plone 6.2 and print one table.

    make bench SCALE=small            # or: .venv/bin/python bench/run.py --scale small
    .venv/bin/python bench/run.py --scale reference --out results.json --only 1,2

Every figure is measured in the same run, on this machine, for paeria.egov and
for stock Plone 6.2 (its own venv, var/bench/stock-venv, with no trace of
paeria.egov) doing the nearest equivalent on the same data volume: stock
Folders for expedientes, stock Files (the same bytes) for documents. See
bench/README.md for what each figure means and which stock equivalent is used.

Sections (--only): 1 creation, 2 listings and search, 3 opening an expediente
with 50 documents, 4 throughput (one process; two behind HAProxy), 5
concurrent registration on RelStorage, 6 cold start, memory and ZODB size.
"""

from pathlib import Path
import argparse
import contextlib
import datetime
import hashlib
import importlib.metadata
import itertools
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid


BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
INSIDE = BENCH / "inside"
sys.path.insert(0, str(BENCH))

from tools import basic_auth  # noqa: E402
from tools import BenchError  # noqa: E402
from tools import blob_bytes  # noqa: E402
from tools import check_requests  # noqa: E402
from tools import combine  # noqa: E402
from tools import copy_instance  # noqa: E402
from tools import environment  # noqa: E402
from tools import free_port  # noqa: E402
from tools import GAVE_UP  # noqa: E402
from tools import HAPROXY_PATH  # noqa: E402
from tools import LOADS  # noqa: E402
from tools import output_to  # noqa: E402
from tools import pack  # noqa: E402
from tools import postgresql_problem  # noqa: E402
from tools import read_json  # noqa: E402
from tools import RETRIED  # noqa: E402
from tools import run  # noqa: E402
from tools import say  # noqa: E402
from tools import ScratchDatabase  # noqa: E402
from tools import Server  # noqa: E402
from tools import stop_group  # noqa: E402
from tools import write_json  # noqa: E402
from tools import wrk  # noqa: E402
from tools import zodbconvert  # noqa: E402
import report  # noqa: E402


SCALES = {
    # CI runs `small` to keep the harness working; its figures are not the
    # reference ones (see README).
    "small": {
        "create": 20,
        "create_rest": 10,
        "repetitions": 200,
        "seconds": 3,
        "rounds": 3,
        "registrations": 40,
    },
    # A tenth of the reference volume (load-reference --scale tenth).
    "tenth": {
        "create": 50,
        "create_rest": 25,
        "repetitions": 300,
        "seconds": 12,
        "rounds": 4,
        "registrations": 100,
    },
    "reference": {
        "create": 100,
        "create_rest": 50,
        "repetitions": 500,
        "seconds": 20,
        "rounds": 4,
        "registrations": 200,
    },
}
SECTIONS = {
    "1": "creation",
    "2": "listings and search",
    "3": "opening an expediente with 50 documents",
    "4": "throughput",
    "5": "registration with 10 writers",
    "6": "cold start, memory, ZODB size",
}
SITE = "Plone"
ADMIN = ("admin", "bench-admin")
# What makes a standard Plone 6.2 Classic UI site with the REST API, served by
# waitress as paeria.egov is; RelStorage for the two-process figures. All
# pinned by paeria.egov's constraints.txt, so both sides run the same versions.
STOCK_PACKAGES = (
    "Products.CMFPlone",
    "plone.app.contenttypes",
    "plonetheme.barceloneta",
    "plone.restapi",
    "plone.api",
    "Paste",
    "waitress",
    "RelStorage[postgresql]",
)
WRITERS = 10
SIDES = ("paeria", "stock")
# The harness's scripts that shape the data (a change loads it again).
DATA_SCRIPTS = (
    "_describe.py",
    "_zope.py",
    "odt.py",
    "paeria_load.py",
    "paeria_prepare.py",
    "stock_build.py",
)
PAERIA_BIN = Path(sys.executable).parent
INSTANCE = PAERIA_BIN / "paeria-instance"


def sha256(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
    return digest.hexdigest()


def tree_hash(folder, suffixes, skip=()):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder)
        if (
            path.is_file()
            and path.suffix in suffixes
            and not any(part in skip for part in relative.parts)
        ):
            digest.update(str(relative).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def data_scripts_hash():
    return sha256(*((INSIDE / name).read_bytes() for name in DATA_SCRIPTS))


def concurrent_posts(http, url, body, headers, total):
    """POST ``body(0)`` … ``body(total - 1)`` to ``url`` from WRITERS clients
    at once; the (status, seconds) of each request, in the order answered."""
    counter = itertools.count()
    lock = threading.Lock()
    outcomes = []

    def writer():
        session = http.Session()
        session.auth = ADMIN
        session.headers.update(headers)
        while True:
            with lock:
                index = next(counter)
            if index >= total:
                return
            started = time.perf_counter()
            response = session.post(url, json=body(index), timeout=600)
            outcomes.append((response.status_code, time.perf_counter() - started))

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def count_retries(logs, offsets):
    """(retried attempts, requests given up) logged past ``offsets``."""
    retried = gave_up = 0
    for log, offset in zip(logs, offsets, strict=True):
        with log.open("rb") as source:
            source.seek(offset)
            text = source.read().decode("utf-8", "replace")
        retried += RETRIED.subn("", text)[1]
        gave_up += GAVE_UP.subn("", text)[1]
    return retried, gave_up


def writers_figures(outcomes, seconds, retried, gave_up):
    """The figures of item 5 from the writers' outcomes."""
    statuses = {}
    for status, _ in outcomes:
        statuses[status] = statuses.get(status, 0) + 1
    created = statuses.get(201, 0)
    latencies = sorted(elapsed for _, elapsed in outcomes)
    return {
        "writers": WRITERS,
        "requests": len(outcomes),
        "created": created,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": seconds,
        "created_per_s": created / seconds,
        "retried_attempts": retried,
        "gave_up": gave_up,
        "retry_rate": retried / max(len(outcomes), 1),
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p95_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000,
    }


class Bench:
    def __init__(self, args):
        self.args = args
        self.scale = args.scale
        self.config = SCALES[args.scale]
        self.sections = args.only
        self.work = ROOT / "var" / "bench" / args.scale
        self.work.mkdir(parents=True, exist_ok=True)
        self.logs = self.work / "logs"
        # Each run's logs only (the stock venv's is rewritten when it is built).
        shutil.rmtree(self.logs, ignore_errors=True)
        self.stock_venv = ROOT / "var" / "bench" / "stock-venv"
        self.stock_python = self.stock_venv / "bin" / "python"
        self.results = {"paeria": {}, "stock": {}}
        self.notes = []
        self.volume = {}
        self.data_source = None
        self.staff_password = None
        self.clusters = []
        self.follower = None

    # -- Set-up ------------------------------------------------------------

    def machine(self):
        cpu = "?"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]

        def version(command):
            try:
                output = subprocess.run(
                    command, capture_output=True, text=True, timeout=10
                )
                return (output.stdout or output.stderr).splitlines()[0].strip()
            except (OSError, IndexError, subprocess.SubprocessError):
                return None

        return {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory_gb": round(int(memory) / 1024 / 1024, 1),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "plone": importlib.metadata.version("Products.CMFPlone"),
            "zope": importlib.metadata.version("Zope"),
            "plone_restapi": importlib.metadata.version("plone.restapi"),
            "paeria_egov": importlib.metadata.version("paeria.egov"),
            "wrk": version(["wrk", "-v"]),
            "haproxy": version(["haproxy", "-v"]),
            "postgresql": version(["psql", "--version"]),
            "load_average_at_start": os.getloadavg(),
        }

    def ensure_stock_venv(self):
        """The stock venv, rebuilt only when constraints.txt or the package
        list change; it must not be able to import paeria.egov."""
        constraints = ROOT / "constraints.txt"
        stamp_file = self.stock_venv / ".bench-stamp"
        stamp = sha256(constraints.read_bytes(), *STOCK_PACKAGES)
        if stamp_file.exists() and stamp_file.read_text() == stamp:
            return stamp
        say("stock: creating the stock Plone 6.2 venv (var/bench/stock-venv)")
        if self.stock_venv.exists():
            shutil.rmtree(self.stock_venv)
        log = self.logs / "stock-venv.log"
        base_python = os.path.realpath(sys.executable)
        run([base_python, "-m", "venv", self.stock_venv], log)
        pip = [self.stock_python, "-m", "pip", "install", "-q", "-c", constraints]
        run([*pip, "pip", "setuptools", "wheel"], log, timeout=1800)
        run([*pip, *STOCK_PACKAGES], log, timeout=1800)
        probe = subprocess.run(
            [self.stock_python, "-c", "import paeria.egov"], capture_output=True
        )
        if probe.returncode == 0:
            raise BenchError("the stock venv can import paeria.egov: it is not stock")
        stamp_file.write_text(stamp)
        return stamp

    def make_payloads(self):
        """The 5 documents each created expediente gets (item 1): three
        one-page PDFs, a text file and an ODT, the same bytes on both sides."""
        from paeria.egov.demo.pdf import make_pdf

        folder = self.work / "payloads"
        folder.mkdir(exist_ok=True)
        text = (
            "Solicitud de licencia de obra menor para la reforma de la cocina "
            "y el baño de la vivienda, con presupuesto y memoria descriptiva."
        )
        items = []
        for index, title in enumerate(
            ("Solicitud", "Memoria descriptiva", "Presupuesto"), start=1
        ):
            filename = f"documento-{index}.pdf"
            (folder / filename).write_bytes(make_pdf(title, [text] * 3))
            items.append(
                {"title": title, "filename": filename, "mime": "application/pdf"}
            )
        (folder / "declaracion.txt").write_text(
            "Declaración responsable.\n" + text + "\n", encoding="utf-8"
        )
        items.append(
            {
                "title": "Declaración responsable",
                "filename": "declaracion.txt",
                "mime": "text/plain",
            }
        )
        sys.path.insert(0, str(INSIDE))
        from odt import odt

        (folder / "plano.odt").write_bytes(odt(text))
        items.append(
            {
                "title": "Plano de situación",
                "filename": "plano.odt",
                "mime": "application/vnd.oasis.opendocument.text",
            }
        )
        write_json(folder / "payloads.json", items)
        return folder

    def paeria_env(self, port=None, dsn=""):
        return environment(
            PORT=port or free_port(),
            ADMIN_PASSWORD=ADMIN[1],
            DEMO="0",
            RELSTORAGE_DSN=dsn,
        )

    def configure_paeria(self, home, port=None, dsn=""):
        env = self.paeria_env(port, dsn)
        run([INSTANCE, "configure", "--home", home], self.logs / "paeria.log", env)
        return env

    def reusable(self, stamp_file, result_file, stamp):
        """Whether data loaded by an earlier run can be used: loaded under the
        same code and constraints, or loaded at all with --reuse-data."""
        if self.args.rebuild or not stamp_file.exists() or not result_file.exists():
            return False
        found = read_json(stamp_file).get("stamp")
        if found == stamp:
            return True
        if found is not None and self.args.reuse_data:
            note = (
                "--reuse-data: data loaded by an earlier run under other code or "
                "constraints were used."
            )
            if note not in self.notes:
                self.notes.append(note)
            return True
        return False

    def paeria_pristine(self):
        """paeria.egov with the reference data, the 50-document expediente and
        the manifest, packed; kept between runs while the add-on's code, the
        constraints and the harness's scripts are unchanged."""
        home = self.work / "paeria-pristine"
        prepared = self.work / "paeria-prepared.json"
        stamp = {
            "scale": self.scale,
            "source": tree_hash(
                ROOT / "src" / "paeria" / "egov",
                {".py", ".zcml", ".xml", ".pt", ".txt", ".json", ".cfg"},
                skip={"tests", "__pycache__"},
            ),
            "constraints": sha256((ROOT / "constraints.txt").read_bytes()),
            "inside": data_scripts_hash(),
        }
        stamp_file = self.work / "paeria-pristine.json"
        if self.reusable(stamp_file, prepared, stamp):
            built = read_json(stamp_file)
            say("paeria: reusing the loaded data of an earlier run (--rebuild: load)")
        else:
            # A load interrupted under the same code is resumed, not restarted
            # (load-reference resumes; at the reference scale it takes long).
            resume = (
                not self.args.rebuild
                and stamp_file.exists()
                and read_json(stamp_file).get("loading") == stamp
            )
            write_json(stamp_file, {"loading": stamp})
            built = self.build_paeria(home, prepared, resume)
            built["stamp"] = stamp
            write_json(stamp_file, built)
        self.data_source = built["data_source"]
        self.staff_password = built["staff_password"]
        self.results["paeria"]["load"] = built["load"]
        self.results["paeria"]["zodb"] = built["zodb"]
        return home, read_json(prepared)

    def build_paeria(self, home, prepared, resume):
        from paeria.egov.reference import REFERENCE_PASSWORD

        log = self.logs / "paeria.log"
        if home.exists() and not resume:
            shutil.rmtree(home)
        say("paeria: creating the site (DEMO=0)")
        env = self.configure_paeria(home)
        run([INSTANCE, "create-site", "--home", home], log, env)
        conf = home / "etc" / "zope.conf"
        # Stock Plone mirrors each batch as soon as it is committed, on the
        # other core: at the reference volume each load takes hours, and one
        # after the other would take their sum.
        feed = self.work / "paeria-feed.jsonl"
        feed.write_text("")
        self.follow_feed(feed, resume)
        loaded = self.work / "paeria-loaded.json"
        say(
            f"paeria: {'resuming ' if resume else ''}load-reference --scale "
            f"{self.scale}, stock Plone following"
        )
        started = time.monotonic()
        run(
            [
                sys.executable,
                INSIDE / "paeria_load.py",
                "--conf",
                conf,
                "--out",
                loaded,
                "--scale",
                self.scale,
                "--feed",
                feed,
            ],
            log,
        )
        load_seconds = time.monotonic() - started
        password = REFERENCE_PASSWORD
        source = "paeria.egov.reference, what `paeria-instance load-reference` runs"
        say("paeria: describing the data and choosing the samples")
        run(
            [
                sys.executable,
                INSIDE / "paeria_prepare.py",
                "--conf",
                conf,
                "--out",
                prepared,
            ],
            log,
        )
        say("paeria: packing")
        size = pack(home)
        counts = read_json(prepared)["counts"]
        return {
            "data_source": source,
            "staff_password": password,
            "load": {
                "seconds": load_seconds,
                "objects": read_json(loaded)["objects"],
                **counts,
            },
            "zodb": {
                "data_fs_bytes": size,
                "blob_bytes": blob_bytes(home),
                "documents": counts["documents"],
                "bytes_per_document": size / max(counts["documents"], 1),
            },
        }

    def follow_feed(self, feed, resume):
        """Start stock_build.py --feed on a new stock site (kept when the
        paeria load resumes); stock_pristine waits for it."""
        home = self.work / "stock-pristine"
        if home.exists() and not resume:
            shutil.rmtree(home)
        settings = self.write_stock_config(home, free_port())
        log = self.logs / "stock.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [self.stock_python, INSIDE / "stock_build.py"]
        command += ["--conf", settings.zope_conf, "--out", self.work / "stock-fed.json"]
        command += ["--feed", feed, "--admin-password", ADMIN[1]]
        with log.open("ab") as output:
            output.write(f"\n$ {' '.join(map(str, command))}\n".encode())
            output.flush()
            self.follower = subprocess.Popen(
                [str(part) for part in command],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop_follower(self):
        if self.follower is not None:
            stop_group(self.follower)

    def followed(self):
        """Wait for the stock load that follows the feed; what it loaded."""
        say("stock: finishing the load that followed paeria.egov's")
        status = self.follower.wait()
        self.follower = None
        if status:
            tail = (self.logs / "stock.log").read_text(errors="replace")[-3000:]
            raise BenchError(f"stock_build.py --feed exited {status}:\n{tail}")
        self.notes.append(
            "Both sides' reference data were loaded at the same time, one process "
            "per core (stock Plone following paeria.egov's batches); their load "
            "rates are those of that shared run."
        )
        return read_json(self.work / "stock-fed.json")["load"]

    def write_stock_config(self, home, port, dsn=""):
        """zope.conf, zope.ini and site.zcml for stock Plone, from the very
        functions that write paeria.egov's (same ZODB cache size, waitress
        threads, logs and storage settings)."""
        from paeria.egov.instance.config import InstanceSettings
        from paeria.egov.instance.config import site_zcml
        from paeria.egov.instance.config import zope_conf
        from paeria.egov.instance.config import zope_ini

        settings = InstanceSettings.from_environment(
            Path(home),
            {
                "PORT": str(port),
                "ADMIN_PASSWORD": ADMIN[1],
                "DEMO": "0",
                "RELSTORAGE_DSN": dsn,
            },
        )
        settings.etc.mkdir(parents=True, exist_ok=True)
        folders = ["log", "cache"]
        folders += (
            ["blobcache", "relstorage-cache"] if dsn else ["filestorage", "blobstorage"]
        )
        for folder in folders:
            (settings.var / folder).mkdir(parents=True, exist_ok=True)
        settings.zope_conf.write_text(zope_conf(settings))
        settings.zope_ini.write_text(zope_ini(settings))
        (settings.etc / "site.zcml").write_text(site_zcml())
        return settings

    def stock_pristine(self, venv_stamp):
        home = self.work / "stock-pristine"
        manifest = self.work / "paeria-prepared.json"
        built_file = self.work / "stock-built.json"
        stamp = {
            "manifest": sha256(manifest.read_bytes()),
            "venv": venv_stamp,
            "inside": data_scripts_hash(),
        }
        stamp_file = self.work / "stock-pristine.json"
        # A stock load that followed paeria.egov's is finished and completed
        # even when an earlier run's stamp matches: it rebuilt the site.
        fed = self.followed() if self.follower is not None else None
        if fed is None and self.reusable(stamp_file, built_file, stamp):
            say("stock: reusing the loaded data of an earlier run")
            built = read_json(stamp_file)
        else:
            resume = fed is not None or (
                not self.args.rebuild
                and stamp_file.exists()
                and read_json(stamp_file).get("loading") == stamp
            )
            if home.exists() and not resume:
                shutil.rmtree(home)
            write_json(stamp_file, {"loading": stamp})
            settings = self.write_stock_config(home, free_port())
            say(
                "stock: adding what the feed did not carry"
                if fed
                else "stock: creating the site and loading the same volume"
            )
            run(
                [
                    self.stock_python,
                    INSIDE / "stock_build.py",
                    "--conf",
                    settings.zope_conf,
                    "--out",
                    built_file,
                    "--manifest",
                    manifest,
                    "--admin-password",
                    ADMIN[1],
                    "--password",
                    self.staff_password,
                ],
                self.logs / "stock.log",
            )
            say("stock: packing")
            size = pack(home)
            loaded = read_json(built_file)
            load = loaded["load"]
            if fed:
                load = {
                    "items": load["items"] + fed["items"],
                    "seconds": load["seconds"] + fed["seconds"],
                }
                load["items_per_s"] = load["items"] / max(load["seconds"], 1e-9)
            documents = loaded["counts"]["documents"]
            built = {
                "stamp": stamp,
                "load": {**load, **loaded["counts"]},
                "zodb": {
                    "data_fs_bytes": size,
                    "blob_bytes": blob_bytes(home),
                    "documents": documents,
                    "bytes_per_document": size / max(documents, 1),
                },
            }
            write_json(stamp_file, built)
        self.results["stock"]["load"] = built["load"]
        self.results["stock"]["zodb"] = built["zodb"]
        return home, read_json(built_file)

    # -- In-process figures ------------------------------------------------

    def inside(self, side, script, home, out, *extra):
        python = sys.executable if side == "paeria" else self.stock_python
        run(
            [
                python,
                INSIDE / script,
                "--conf",
                home / "etc" / "zope.conf",
                "--out",
                out,
                "--site",
                SITE,
                *map(str, extra),
            ],
            self.logs / f"{side}.log",
        )
        return read_json(out)

    def in_process(self, homes, samples_files):
        """Both sides in turn, figure by figure, so that whatever else the
        machine does at that moment weighs on both alike."""
        if "2" in self.sections:
            for side in SIDES:
                say(f"{side}: listings and search in-process")
                self.results[side]["inprocess"] = self.inside(
                    side,
                    "queries.py",
                    homes[side],
                    self.work / f"{side}-queries.json",
                    "--side",
                    side,
                    "--samples",
                    samples_files[side],
                    "--repetitions",
                    self.config["repetitions"],
                )
        if "1" in self.sections:
            for side in SIDES:
                say(f"{side}: creation through the Python API")
                self.results[side]["create_api"] = self.inside(
                    side,
                    "create.py",
                    homes[side],
                    self.work / f"{side}-create.json",
                    "--side",
                    side,
                    "--samples",
                    samples_files[side],
                    "--payloads",
                    self.work / "payloads",
                    "--count",
                    self.config["create"],
                )

    # -- Over HTTP: one process per side on FileStorage --------------------

    def start_server(self, side, home, port):
        url = f"http://127.0.0.1:{port}/{SITE}"
        if side == "paeria":
            env = self.configure_paeria(home, port)
            command = [INSTANCE, "serve", "--home", home]
        else:
            self.write_stock_config(home, port)
            env = environment()
            command = [
                self.stock_python,
                INSIDE / "stock_serve.py",
                home / "etc" / "zope.ini",
            ]
        server = Server(side, command, env, url, home / "serve.log")
        return server, server.start()

    def staff(self, user):
        return basic_auth(user, self.staff_password)

    def admin(self):
        return basic_auth(*ADMIN)

    def search_requests(self, side, samples):
        """{figure: [(path, Authorization, Accept)]} of item 2 over HTTP."""
        from paeria.egov.units.browser import OPEN

        json_ = "application/json"
        quote = urllib.parse.quote
        if side == "paeria":
            tray_query = (
                f"portal_type=Expediente&path.depth=1&eni_state={OPEN}"
                "&sort_on=fecha_limite&b_size=25"
                "&metadata_fields=expediente_numero&metadata_fields=fecha_limite"
            )
            container, document = "Expediente", "Documento"
            nif_index, number_index = "interesados_ids", "expediente_numero"
        else:
            tray_query = (
                "portal_type=Folder&path.depth=1&review_state=private"
                "&sort_on=modified&sort_order=descending&b_size=25"
                "&metadata_fields=modified"
            )
            container, document = "Folder", "File"
            nif_index = number_index = "Subject"
        search = f"/{SITE}/@search?portal_type="
        admin = self.admin()
        return {
            "tray": [
                (f"{t['path']}/@search?{tray_query}", self.staff(t["user"]), json_)
                for t in samples["trays"]
            ],
            "tray_page": [
                (t["path"], self.staff(t["user"]), "text/html")
                for t in samples["trays"]
            ],
            "nif": [
                (f"{search}{container}&{nif_index}={quote(n, safe='')}", admin, json_)
                for n in samples["nifs"]
            ],
            "numero": [
                (
                    f"{search}{container}&{number_index}={quote(n, safe='')}",
                    admin,
                    json_,
                )
                for n in samples["numeros"]
            ],
            "fulltext": [
                (
                    f"{search}{document}&SearchableText={quote(w, safe='')}&b_size=25",
                    admin,
                    json_,
                )
                for w in samples["words"]
            ],
        }

    def expediente_requests(self, samples):
        return [
            (g["path"], self.staff(g["user"]), "application/json")
            for g in samples["get"]
        ]

    def wrk_both(self, bases, name, requests, connections, seconds, warmup=0):
        """One figure for both sides, measured in rounds taken in turns
        (paeria.egov, stock, paeria.egov, …) so that a burst of other work on
        the machine falls on both alike; ``warmup`` seconds of the same load
        first, not counted."""
        rounds = self.config["rounds"]
        each = max(1, round(seconds / rounds))
        runs = {side: [] for side in SIDES}
        for side in SIDES:
            folder = self.work / "wrk" / side
            slowest = check_requests(bases[side], requests[side], f"{side} {name}")
            # wrk counts only requests answered within a round: a round holds
            # at least a few of the slowest side's requests (stock Plone's
            # page of 50 Files takes seconds).
            each = max(each, math.ceil(4 * slowest))
            if warmup:
                warm = max(warmup, math.ceil(4 * slowest))
                wrk(bases[side], requests[side], connections, warm, folder, "warm")
        for _ in range(rounds):
            for side in SIDES:
                runs[side].append(
                    wrk(
                        bases[side],
                        requests[side],
                        connections,
                        each,
                        self.work / "wrk" / side,
                        name,
                    )
                )
        return {side: combine(runs[side], connections) for side in SIDES}

    def http(self, homes, samples):
        """Items 1 (REST), 2 (HTTP), 3, 4 (one process) and 6 (cold start,
        memory): one process per side, both running, figures in turns."""
        servers, bases = {}, {}
        seconds = self.config["seconds"]
        try:
            for side in SIDES:
                say(f"{side}: starting one process on FileStorage (cold start)")
                port = free_port()
                servers[side], cold = self.start_server(side, homes[side], port)
                bases[side] = f"http://127.0.0.1:{port}"
                self.results[side]["cold_start_s"] = cold
            if "2" in self.sections:
                self.http_searches(bases, samples, seconds)
            if "3" in self.sections:
                self.http_open(bases, samples, seconds)
            if "4" in self.sections:
                say("throughput: REST GET of expedientes, 4 clients, 1 process")
                requests = {s: self.expediente_requests(samples[s]) for s in SIDES}
                measured = self.wrk_both(
                    bases, "throughput", requests, 4, seconds * 2, warmup=2
                )
                for side in SIDES:
                    self.results[side]["throughput"] = measured[side]
            for side in SIDES:
                self.results[side]["rss_mb"] = servers[side].rss_mb()
            if "1" in self.sections:
                say("creation through REST POST, expedientes in turns")
                measured = self.create_rest(bases, samples)
                for side in SIDES:
                    self.results[side]["create_rest"] = measured[side]
        finally:
            for server in servers.values():
                server.stop()

    def http_searches(self, bases, samples, seconds):
        """Item 2 over HTTP: the listings and searches, 1 client."""
        say("listings and search over HTTP (1 client)")
        searches = {s: self.search_requests(s, samples[s]) for s in SIDES}
        for name in ("tray", "tray_page", "nif", "numero", "fulltext"):
            requests = {side: searches[side][name] for side in SIDES}
            if not all(requests.values()):
                continue
            measured = self.wrk_both(bases, name, requests, 1, seconds)
            for side in SIDES:
                self.results[side].setdefault("http", {})[name] = measured[side]

    def http_open(self, bases, samples, seconds):
        """Item 3: the expediente with 50 documents over REST and as a page."""
        say("opening the expediente with 50 documents (1 client)")
        for name, accept in (
            ("rest", "application/json"),
            ("page", "text/html"),
        ):
            requests = {
                side: [
                    (
                        samples[side]["big"]["path"],
                        self.staff(samples[side]["big"]["user"]),
                        accept,
                    )
                ]
                for side in SIDES
            }
            measured = self.wrk_both(bases, f"open_{name}", requests, 1, seconds)
            for side in SIDES:
                self.results[side].setdefault("open", {})[name] = measured[side]

    def create_rest(self, bases, samples):
        """Item 1 over HTTP: one client POSTs the container, then its 5
        documents (base64 JSON, as integrators do), one after the other; one
        expediente on each side in turn, one not counted first."""
        creators = {
            side: self.rest_creator(side, bases[side], samples[side]) for side in SIDES
        }
        count = self.config["create_rest"]
        seconds = dict.fromkeys(SIDES, 0.0)
        for side in SIDES:
            items = creators[side](0)
        for index in range(1, count + 1):
            for side in SIDES:
                started = time.perf_counter()
                creators[side](index)
                seconds[side] += time.perf_counter() - started
        return {
            side: {
                "expedientes": count,
                "items": count * items,
                "seconds": seconds[side],
                "items_per_s": count * items / seconds[side],
                "ms_per_item": seconds[side] * 1000 / (count * items),
            }
            for side in SIDES
        }

    def rest_creator(self, side, base, samples):
        """A function creating expediente ``index`` and its documents over
        REST on one side; it returns how many items it created."""
        import base64
        import requests as http

        payloads = self.work / "payloads"
        documents = [
            {
                "title": item["title"],
                "file": {
                    "data": base64.b64encode(
                        (payloads / item["filename"]).read_bytes()
                    ).decode("ascii"),
                    "encoding": "base64",
                    "filename": item["filename"],
                    "content-type": item["mime"],
                },
            }
            for item in read_json(payloads / "payloads.json")
        ]
        create = samples["create"]
        session = http.Session()
        session.auth = (create["user"], self.staff_password)
        session.headers["Accept"] = "application/json"
        unit_url = base + create["unit_path"]

        def one(index):
            party = f"{50_000_000 + index:08d}"
            party += "TRWAGMYFPDXBNJZSQVHLCKE"[int(party) % 23]
            if side == "paeria":
                body = {
                    "@type": "Expediente",
                    "title": f"Expediente REST de prueba {index}",
                    "procedimiento": create["procedure_uid"],
                    "interesados": [
                        {
                            "identifier_type": "NIF",
                            "identifier": party,
                            "name": f"Persona {party}",
                            "notification_channel": "electronica",
                        }
                    ],
                }
                extra = {"@type": "Documento", "tipo_documental": "TD14"}
                extra["origen"] = "ciudadano"
            else:
                numero = f"2098/{index:06d}"
                body = {
                    "@type": "Folder",
                    "title": f"Expediente REST de prueba {index}",
                    "description": f"{numero} {party}",
                    "subjects": [numero, party],
                }
                extra = {"@type": "File"}
            response = session.post(unit_url, json=body, timeout=300)
            if response.status_code != 201:
                raise BenchError(
                    f"{side}: POST {unit_url} answered {response.status_code}: "
                    f"{response.text[:500]}"
                )
            container = response.json()["@id"]
            for document in documents:
                response = session.post(
                    container, json={**extra, **document}, timeout=300
                )
                if response.status_code != 201:
                    raise BenchError(
                        f"{side}: POST {container} answered {response.status_code}: "
                        f"{response.text[:500]}"
                    )
            return 1 + len(documents)

        return one

    # -- Two processes on RelStorage behind HAProxy ------------------------

    def port_block(self, count):
        """A port whose next ``count`` ports are free too (the balancer and
        its processes: PORT, PORT+1… as `paeria-instance cluster` uses them)."""
        for _ in range(100):
            port = free_port()
            if port + count > 65535:
                continue
            try:
                for offset in range(1, count + 1):
                    with socket.socket() as probe:
                        probe.bind(("127.0.0.1", port + offset))
            except OSError:
                continue
            return port
        raise BenchError(f"no {count + 1} consecutive free ports")

    def start_cluster(self, side, processes, dsn):
        """``processes`` Zope processes and HAProxy for one side: paeria.egov
        through paeria.egov.instance.cluster (what `paeria-instance cluster`
        runs); stock Plone through the same class serving stock processes, so
        both sides get the very same balancer configuration."""
        from paeria.egov.instance.cluster import Cluster
        from paeria.egov.instance.config import InstanceSettings

        port = self.port_block(processes)
        env = self.paeria_env(port, dsn)
        settings = InstanceSettings.from_environment(self.work / f"{side}-cluster", env)
        kind = Cluster if side == "paeria" else stock_cluster(self)
        log = self.logs / f"{side}-cluster.log"
        with output_to(log):
            cluster = kind(settings, processes, environ=env, out=sys.stdout)
            self.clusters.append((cluster, log))
            cluster.prepare()
            cluster.start()
        return cluster

    def stop_clusters(self):
        while self.clusters:
            cluster, log = self.clusters.pop()
            if cluster.started_anything:
                with output_to(log):
                    cluster.stop()

    def cluster_phase(self, pristines, samples):
        """Items 4 (one process, then two, behind the balancer) and 5 (10
        concurrent writers), on a copy of the same data in PostgreSQL."""
        databases = {}
        bases = {}
        with contextlib.ExitStack() as stack:
            for side in SIDES:
                database = stack.enter_context(
                    ScratchDatabase(f"paeria_bench_{side}_{uuid.uuid4().hex[:8]}")
                )
                say(f"{side}: copying the data into PostgreSQL (zodbconvert)")
                started = time.monotonic()
                folder = self.work / f"{side}-zodbconvert"
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir()
                zodbconvert(
                    (PAERIA_BIN if side == "paeria" else self.stock_venv / "bin")
                    / "zodbconvert",
                    pristines[side],
                    database.dsn,
                    folder,
                    self.logs / f"{side}-zodbconvert.log",
                )
                self.results[side]["zodbconvert_s"] = time.monotonic() - started
                databases[side] = database.dsn
            for side in SIDES:
                cluster_home = self.work / f"{side}-cluster"
                if cluster_home.exists():
                    shutil.rmtree(cluster_home)
            requests = {s: self.expediente_requests(samples[s]) for s in SIDES}
            try:
                say("starting two processes per side on RelStorage behind HAProxy")
                clusters = {}
                for side in SIDES:
                    clusters[side] = self.start_cluster(side, 2, databases[side])
                    bases[side] = clusters[side].url.rsplit("/", 1)[0]
                if "4" in self.sections:
                    say("throughput on RelStorage: 1 process (4 clients) vs 2 (8)")
                    measured = self.scale_out(clusters, bases, requests)
                    for side in SIDES:
                        self.results[side]["cluster"] = measured[side]
                if "5" in self.sections:
                    for side in SIDES:
                        say(f"{side}: {WRITERS} concurrent writers on two processes")
                        logs = [
                            backend.settings.var / "log" / "event.log"
                            for backend in clusters[side].backends
                        ]
                        self.results[side]["writers"] = self.writers(
                            side, bases[side], logs, samples[side]
                        )
            finally:
                self.stop_clusters()

    def scale_out(self, clusters, bases, requests):
        """Throughput with one process, then with two, behind the same
        balancer: the second process is taken out of HAProxy's rotation
        (maintenance) for the one-process rounds. Rounds alternate one and
        two processes and both sides, so that the machine's drift (other
        work, a virtual machine's neighbours) weighs on every figure alike."""
        from paeria.egov.instance.haproxy import BACKEND

        def use(cluster, processes):
            for index, backend in enumerate(cluster.backends):
                state = "ready" if index < processes else "maint"
                cluster.admin(f"set server {BACKEND}/{backend.name} state {state}")

        modes = (("one", 1, 4), ("two", 2, 8))
        for side in SIDES:
            check_requests(bases[side], requests[side], f"{side} cluster")
            wrk(bases[side], requests[side], 8, 3, self.work / "wrk" / side, "warm")
        rounds = self.config["rounds"]
        each = max(1, round(self.config["seconds"] * 2 / rounds))
        runs = {(side, mode): [] for side in SIDES for mode, _, _ in modes}
        try:
            for _ in range(rounds):
                for mode, processes, connections in modes:
                    for side in SIDES:
                        use(clusters[side], processes)
                        runs[side, mode].append(
                            wrk(
                                bases[side],
                                requests[side],
                                connections,
                                each,
                                self.work / "wrk" / side,
                                f"cluster_{mode}",
                            )
                        )
        finally:
            for side in SIDES:
                use(clusters[side], len(clusters[side].backends))
        return {
            side: {
                mode: combine(runs[side, mode], connections)
                for mode, _, connections in modes
            }
            for side in SIDES
        }

    def writers(self, side, base, logs, samples):
        """Item 5: WRITERS clients at once, through the balancer. paeria.egov:
        POST /registro/@registrar (an entry with one PDF, its number and
        receipt); stock: POST a File into one Folder. Retried attempts are
        counted from the processes' event logs (Zope logs each one)."""
        from paeria.egov.demo.pdf import make_pdf
        import base64
        import requests as http

        pdf = make_pdf("Solicitud", ["Solicitud presentada por registro."])
        file_ = {
            "data": base64.b64encode(pdf).decode("ascii"),
            "encoding": "base64",
            "filename": "solicitud.pdf",
            "content-type": "application/pdf",
        }
        headers = {"Accept": "application/json", "Accept-Language": "en"}
        if side == "paeria":
            url, body = self.registrations(base, file_, samples)
        else:
            url, body = self.stock_files(base, file_, headers, http)
        offsets = [log.stat().st_size if log.exists() else 0 for log in logs]
        started = time.perf_counter()
        outcomes = concurrent_posts(
            http, url, body, headers, self.config["registrations"]
        )
        seconds = time.perf_counter() - started
        retried, gave_up = count_retries(logs, offsets)
        return writers_figures(outcomes, seconds, retried, gave_up)

    def registrations(self, base, file_, samples):
        """paeria.egov's writers: (URL, body of request ``index``) registering
        an entry with ``file_``."""
        url = f"{base}/{SITE}/registro/@registrar"

        def body(index):
            return {
                "canal": "telematico",
                "interesado_identifier_type": "NIF",
                "interesado_identifier": "12345678Z",
                "interesado_name": "Maria Puig i Soler",
                "resumen": f"Solicitud concurrente {index:05d}",
                "unidad_destino": samples["register_unit_uid"],
                "files": [file_],
            }

        return url, body

    def stock_files(self, base, file_, headers, http):
        """Stock Plone's writers: (URL, body of request ``index``) adding a File
        to a Folder created for them."""
        response = http.post(
            f"{base}/{SITE}",
            json={"@type": "Folder", "id": "escritura", "title": "Escritura"},
            headers=headers,
            auth=ADMIN,
            timeout=300,
        )
        if response.status_code != 201:
            raise BenchError(
                f"stock: cannot create the writers' folder: {response.text[:500]}"
            )
        url = f"{base}/{SITE}/escritura"

        def body(index):
            return {
                "@type": "File",
                "title": f"Solicitud concurrente {index:05d}",
                "file": file_,
            }

        return url, body

    # -- The run -----------------------------------------------------------

    def run(self):
        began = time.monotonic()
        machine = self.machine()
        say(f"scale {self.scale}; sections {', '.join(sorted(self.sections))}")
        venv_stamp = self.ensure_stock_venv()
        self.make_payloads()
        paeria_pristine, prepared = self.paeria_pristine()
        stock_pristine, stock_built = self.stock_pristine(venv_stamp)
        samples = {"paeria": prepared["samples"], "stock": stock_built["samples"]}
        samples_files = {}
        for side in SIDES:
            samples_files[side] = self.work / f"{side}-samples.json"
            write_json(samples_files[side], samples[side])
        self.volume = {
            "paeria": prepared["counts"],
            "stock": stock_built["counts"],
            "data_source": self.data_source,
            "samples": {
                "trays": len(samples["paeria"]["trays"]),
                "nifs": len(samples["paeria"]["nifs"]),
                "numeros": len(samples["paeria"]["numeros"]),
                "words": len(samples["paeria"]["words"]),
                "expedientes_to_get": len(samples["paeria"]["get"]),
            },
        }
        homes = {"paeria": self.work / "paeria", "stock": self.work / "stock"}
        pristines = {"paeria": paeria_pristine, "stock": stock_pristine}
        shutil.rmtree(self.work / "wrk", ignore_errors=True)
        say("copying both instances' data into working copies")
        for side in SIDES:
            copy_instance(pristines[side], homes[side])
        self.configure_paeria(homes["paeria"])
        self.write_stock_config(homes["stock"], free_port())

        self.in_process(homes, samples_files)
        if self.sections & {"1", "2", "3", "4", "6"}:
            self.http(homes, samples)
        if self.sections & {"4", "5"}:
            problem = postgresql_problem()
            if problem:
                self.notes.append(
                    "Two-process figures not measured: PostgreSQL unreachable "
                    f"({problem})."
                )
            elif shutil.which("haproxy", path=HAPROXY_PATH) is None:
                self.notes.append(
                    "Two-process figures not measured: haproxy is not installed."
                )
            else:
                self.cluster_phase(pristines, samples)
        loads = [load for _, load in LOADS]
        machine["load_average_1min"] = {
            "min": min(loads),
            "max": max(loads),
            "mean": sum(loads) / len(loads),
        }
        if max(loads) > (os.cpu_count() or 1) * 0.75 + 1:
            self.notes.append(
                f"The machine was busy with other work during the run (1-minute "
                f"load average up to {max(loads):.1f} on {os.cpu_count()} cores; "
                "see results.machine): both sides were measured in turns, figure "
                "by figure, but absolute values are lower than on an idle machine."
            )
        return report.build(
            scale=self.scale,
            sections=self.sections,
            machine=machine,
            volume=self.volume,
            results=self.results,
            notes=self.notes,
            seconds=time.monotonic() - began,
        )


def stock_cluster(bench):
    """paeria.egov.instance.cluster.Cluster serving stock Plone processes:
    same HAProxy configuration, checks, ports and process handling."""
    from paeria.egov.instance.cluster import Cluster
    from paeria.egov.instance.haproxy import find_haproxy

    class StockCluster(Cluster):
        def instance_command(self, command, backend):
            if command != "serve":
                raise BenchError(f"stock Plone has no `{command}` command")
            return [
                str(bench.stock_python),
                str(INSIDE / "stock_serve.py"),
                str(backend.settings.zope_ini),
            ]

        def prepare(self):
            self.haproxy_path = find_haproxy()
            self.check_ports()
            self.root.mkdir(parents=True, exist_ok=True)
            for backend in self.backends:
                bench.write_stock_config(
                    backend.settings.home,
                    backend.settings.port,
                    self.settings.relstorage_dsn,
                )
            self.write_haproxy_config()

    return StockCluster


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n".join(f"  {key}  {name}" for key, name in SECTIONS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--out",
        help="also write the results as JSON here "
        "(default: bench/results/bench-<scale>.json)",
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help="comma-separated sections to measure, e.g. 1,2 (default: all)",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="load both sides' data again even if an earlier run's can be reused",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="use data loaded by an earlier run even if the add-on's code or "
        "constraints.txt changed since (said in the notes)",
    )
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from 1-6")
    args.only = only
    return args


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        import paeria.egov  # noqa: F401
    except ImportError:
        print(
            "error: run the benchmark with paeria.egov's venv: make bench "
            "(or .venv/bin/python bench/run.py)",
            file=sys.stderr,
        )
        return 2
    missing = [tool for tool in ("wrk",) if shutil.which(tool) is None]
    if missing:
        print(
            f"error: {', '.join(missing)} not installed (Debian: apt-get install "
            f"{' '.join(missing)})",
            file=sys.stderr,
        )
        return 2
    bench = Bench(args)
    try:
        result = bench.run()
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        bench.stop_follower()
        bench.stop_clusters()
        Server.stop_all()
    out = Path(args.out) if args.out else BENCH / "results" / f"bench-{args.scale}.json"
    write_json(out, result["json"])
    out.with_suffix(".md").write_text(result["markdown"], encoding="utf-8")
    print(result["markdown"])
    say(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
