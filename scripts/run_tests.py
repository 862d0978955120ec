"""Run the whole suite: the add-on's zope.testrunner suites, the same suites
again at four faked instants (libfaketime), then the system suites in tests/
(pytest, a real portal driven from outside, over HTTP and, in tests/browser/,
in Debian's Chromium); last, check that the suite left
no process behind. Exit 0 only when all pass; the last line sums them up as
``Summary: N passed, N failed, N skipped``."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree
import argparse
import contextlib
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

TOTAL = re.compile(
    r"(?:Total: (?P<total>\d+) tests?|Ran (?P<ran>\d+) tests?)"
    r"(?:, | with )(?P<failures>\d+) failures?, (?P<errors>\d+) errors?"
    r"(?: and (?P<skipped>\d+) skipped)?"
)

# Every process the suite starts inherits this variable (a new value per run):
# what still carries it at the end was left behind (see check_leftovers).
MARKER = "PAERIA_TEST_RUN"

# The instants of the "dates" stage (UTC). The add-on's suites must pass on any
# day; these are the days where a hidden "today" most often breaks.
INSTANTS = [
    # Europe/Madrid is already in 2027, UTC still in 2026.
    ("2026-12-31T23:30:00Z", "Madrid's new year, UTC's old one"),
    ("2027-01-09T10:00:00Z", "a Saturday"),
    # Good Friday 2027 is 26 March; Easter Monday (29 March) is a Catalan holiday.
    ("2027-03-27T10:00:00Z", "the day after Good Friday, in Easter week"),
    # Europe/Madrid moves from CET to CEST at 01:00 UTC that day.
    ("2027-03-28T01:30:00Z", "the last Sunday of March, just after the DST change"),
]
# Two runs side by side took about 10 minutes each on a 2-core machine busy with
# other work, and 15 when it was busier; past this a run is hung, not slow.
DATED_RUN_TIMEOUT = 25 * 60
PROBE_INSTANT = 1798759800  # 2026-12-31T23:30:00Z

# The one time.sleep() shim of the dated runs; see faketime_environment().
SLEEP_SHIM = '''"""Loaded by scripts/run_tests.py in the dated runs only: Debian 12's
libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1 turns Python 3.11's
time.sleep() (clock_nanosleep on CLOCK_MONOTONIC, absolute) into EINVAL
(libfaketime issue #426). Sleep on the real monotonic clock with select()."""
import select
import time


def sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


time.sleep = sleep
'''


class Result:
    """What one run of a runner counted."""

    def __init__(self, label, passed=0, failed=0, skipped=0, status=0, seconds=0.0):
        self.label = label
        self.passed, self.failed, self.skipped = passed, failed, skipped
        self.status = status
        self.seconds = seconds

    @property
    def ok(self):
        return self.status == 0 and not self.failed

    def line(self):
        return (
            f"{self.label}: {self.passed} passed, {self.failed} failed, "
            f"{self.skipped} skipped in {self.seconds:.0f} s"
        )


# -- Processes ------------------------------------------------------------------


def stop_group(process, grace=20):
    """SIGTERM the process group ``process`` leads, wait ``grace`` seconds,
    then SIGKILL what is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(grace)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()


_live = set()  # the runners under way, stopped if this script is interrupted


def run_in_group(command, timeout=None, echo=True, **options):
    """Run ``command`` in a session of its own, its output streamed line by
    line to ours (``echo``) or only kept; the whole group is stopped on
    timeout or interruption. Returns (status, output lines); the status is
    None on a timeout."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **options,
    )
    _live.add(process)
    timed_out = threading.Event()

    def expire():
        timed_out.set()
        stop_group(process)

    timer = threading.Timer(timeout, expire) if timeout else None
    lines = []
    try:
        if timer is not None:
            timer.daemon = True
            timer.start()
        for line in process.stdout:
            if echo:
                sys.stdout.write(line)
            lines.append(line)
        status = process.wait()
    except BaseException:
        stop_group(process)
        raise
    finally:
        if timer is not None:
            timer.cancel()
        _live.discard(process)
    return (None if timed_out.is_set() else status), lines


def stop_live():
    for process in list(_live):
        stop_group(process)


# -- The add-on's suites ----------------------------------------------------------


def testrunner_command(extra, every_level=True):
    """zope.testrunner over src/; ``every_level`` False leaves out the slow
    sweeps that do not depend on the date (paeria.egov.testing
    DATE_INDEPENDENT_SWEEP), for the dated runs."""
    return [
        str(BIN / "zope-testrunner"),
        "--path=src",
        "--test-path=src",
        "-s",
        "paeria.egov",
        *(["--all"] if every_level else []),
        "--auto-color",
        *extra,
    ]


def count_testrunner(label, status, lines, seconds):
    last = None
    for line in lines:
        match = TOTAL.search(line)
        if match:
            last = match
    if status is None:
        print(f"{label}: timed out, stopped", flush=True)
        return Result(label, 0, 1, 0, 1, seconds)
    if last is None:
        return Result(label, 0, 1, 0, status or 1, seconds)
    total = int(last["total"] or last["ran"])
    failed = int(last["failures"]) + int(last["errors"])
    skipped = int(last["skipped"] or 0)
    return Result(label, total - failed - skipped, failed, skipped, status, seconds)


def run_unit(extra):
    """zope.testrunner over src/."""
    command = testrunner_command(extra)
    print("$ " + " ".join(command), flush=True)
    started = time.monotonic()
    status, lines = run_in_group(command)
    return count_testrunner(
        "zope.testrunner", status, lines, time.monotonic() - started
    )


def faketime_environment(scratch):
    """The environment of a dated run: the instant is parsed in UTC (the child
    runs with TZ=UTC), the monotonic clocks stay real so that timeouts and
    sleeps last what they say; plus the time.sleep() shim when this
    libfaketime needs it."""
    environment = dict(os.environ, TZ="UTC", FAKETIME_DONT_FAKE_MONOTONIC="1")
    probe = subprocess.run(
        [
            "faketime",
            f"@{PROBE_INSTANT}",
            sys.executable,
            "-c",
            "import time; time.sleep(0.001)",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0 and "Invalid argument" in probe.stderr:
        shim = Path(scratch) / "sitecustomize.py"
        shim.write_text(SLEEP_SHIM)
        path = environment.get("PYTHONPATH")
        environment["PYTHONPATH"] = str(scratch) + (os.pathsep + path if path else "")
        print(
            "note: this libfaketime breaks time.sleep() with "
            "FAKETIME_DONT_FAKE_MONOTONIC=1 (libfaketime issue #426): the dated "
            "runs load a time.sleep() that waits with select() on the real "
            "monotonic clock",
            flush=True,
        )
    return environment


def dated_run(instant, extra, environment):
    """One run of zope.testrunner at ``instant``: (command, status, output)."""
    moment = datetime.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    command = [
        "faketime",
        f"@{int(moment.timestamp())}",
        *testrunner_command(extra, every_level=False),
    ]
    started = time.monotonic()
    status, lines = run_in_group(
        command, timeout=DATED_RUN_TIMEOUT, echo=False, env=environment
    )
    return command, status, lines, time.monotonic() - started


def run_dates(extra, instants=None):
    """zope.testrunner over src/ again at each of INSTANTS, the clock started
    there and ticking (``faketime '@<instant>'``); DATES_JOBS runs at a time
    (PAERIA_DATES_JOBS, by default one per core, up to all four), each run's
    output printed as one block when it ends."""
    if shutil.which("faketime") is None:
        print(
            "error: the dated runs need `faketime` (libfaketime): install the "
            "Debian package faketime (`apt-get install faketime`; .ci/run does)",
            flush=True,
        )
        return [Result("dates (faketime missing)", 0, 1, 0, 1)]
    instants = instants or INSTANTS
    jobs = int(
        os.environ.get("PAERIA_DATES_JOBS") or min(len(instants), os.cpu_count() or 1)
    )
    results = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        environment = faketime_environment(scratch)
        print(f"{len(instants)} dated runs, {jobs} at a time", flush=True)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(dated_run, instant, extra, environment)
                for instant, _ in instants
            ]
            try:
                for (instant, why), future in zip(instants, futures, strict=True):
                    command, status, lines, seconds = future.result()
                    label = f"zope.testrunner at {instant}"
                    print(f"\n== {label} ({why}) ==")
                    print(
                        "$ TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 " + " ".join(command)
                    )
                    sys.stdout.writelines(lines)
                    result = count_testrunner(label, status, lines, seconds)
                    print(f"== {result.line()} ==", flush=True)
                    results.append(result)
            except BaseException:
                for future in futures:
                    future.cancel()
                stop_live()
                raise
    print(f"dated runs: {time.monotonic() - started:.0f} s in all", flush=True)
    return results


# -- The system suites ----------------------------------------------------------


def run_system(extra):
    """pytest over tests/; counts read from its JUnit report."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "junit.xml"
        command = [
            str(BIN / "python"),
            "-m",
            "pytest",
            "tests",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *extra,
        ]
        print("$ " + " ".join(command), flush=True)
        started = time.monotonic()
        status, _ = run_in_group(command)
        seconds = time.monotonic() - started
        if not report.exists():
            return Result("pytest", 0, 1, 0, status or 1, seconds)
        suite = ElementTree.parse(report).getroot()
        if suite.tag == "testsuites":
            suite = suite[0]
        total = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        # pytest exits 5 when it collects nothing; an empty system suite is not
        # a failure of the run as long as the add-on's suites ran.
        if status == 5:
            status = 0
        return Result(
            "pytest", total - failed - skipped, failed, skipped, status, seconds
        )


# -- Nothing left behind ----------------------------------------------------------


def command_line(pid):
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    parts = (part.decode(errors="replace") for part in raw.split(b"\0") if part)
    line = " ".join(" ".join(parts).split())  # one line, however it was called
    return line if len(line) <= 300 else line[:297] + "..."


def marked_processes(marker):
    """[(pid, command line)] of every process whose environment holds
    ``PAERIA_TEST_RUN=<marker>``, this one and its ancestors excepted."""
    wanted = f"{MARKER}={marker}".encode()
    excluded = {os.getpid()}
    pid = os.getppid()
    while pid > 1:
        excluded.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in excluded:
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if wanted in environ.split(b"\0"):
            found.append((int(entry.name), command_line(entry.name)))
    return sorted(found)


def _listening_inodes(port):
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def port_holders(port):
    """[(pid, command line)] of the processes listening on TCP ``port``, or
    [(None, "?")] when it is bound by a process this user cannot see."""
    inodes = _listening_inodes(port)
    if not inodes:
        return []
    targets = {f"socket:[{inode}]" for inode in inodes}
    holders = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) in targets:
                    holders.add(int(entry.name))
                    break
            except OSError:
                continue
    return [(pid, command_line(pid)) for pid in sorted(holders)] or [(None, "?")]


def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def kill_processes(pids, grace=10):
    """SIGTERM each of ``pids``, wait up to ``grace`` seconds, SIGKILL the rest."""
    pids = [pid for pid in pids if pid]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            pids = [pid for pid in pids if _alive(pid)]
            if not pids:
                return
            time.sleep(0.1)


def _alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def check_leftovers(marker, ports=()):
    """The processes the suite left running (they carry ``marker``) and the
    fixed ports still bound that were free when the run began, each named on
    a line; they are killed, so that the next run starts clean. Returns the
    lines (empty when nothing was left)."""
    leftovers = marked_processes(marker)
    bound = {}
    for port in ports:
        holders = port_holders(port)
        if holders or not port_is_free(port):
            bound[port] = holders or [(None, "?")]
    problems = [f"left running: pid {pid}: {command}" for pid, command in leftovers]
    for port, holders in bound.items():
        for pid, command in holders:
            who = f"pid {pid}: {command}" if pid else "a process not visible here"
            problems.append(f"port {port} still bound by {who}")
    kill_processes(
        [pid for pid, _ in leftovers]
        + [pid for holders in bound.values() for pid, _ in holders]
    )
    for port in bound:
        deadline = time.monotonic() + 10
        while not port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not port_is_free(port):
            problems.append(f"port {port} is still bound after the kill")
    return problems


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- Main ---------------------------------------------------------------------------


STAGES = ("unit", "dates", "system")


def _interrupt(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=STAGES)
    parser.add_argument("extra", nargs="*", help="passed on to the runner")
    arguments = parser.parse_args()
    os.environ.setdefault("zope_i18n_compile_mo_files", "true")
    marker = os.environ[MARKER] = uuid.uuid4().hex
    # The buildout check (tests/test_buildout.py) serves on a fixed port: the
    # one chosen here, free now, and checked free again at the end.
    if "BUILDOUT_PORT" not in os.environ:
        os.environ["BUILDOUT_PORT"] = str(free_port())
    fixed_ports = [int(os.environ["BUILDOUT_PORT"])]
    fixed_ports = [port for port in fixed_ports if port_is_free(port)]
    stages = [arguments.only] if arguments.only else list(STAGES)
    # SIGTERM and SIGHUP stop the run as Ctrl-C does: what it started is in
    # sessions of its own, out of reach of a signal sent to this group.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    results = []
    interrupted = False
    try:
        if "unit" in stages:
            results.append(run_unit(arguments.extra))
        if "dates" in stages:
            results.extend(run_dates(arguments.extra))
        if "system" in stages:
            results.append(run_system(arguments.extra))
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted", flush=True)
    finally:
        problems = check_leftovers(marker, fixed_ports)
    label = "leftover processes"
    if problems:
        print(f"\n{label}: the suite left these behind (now killed):")
        for line in problems:
            print(f"  {line}")
        results.append(Result(label, 0, 1, 0, 1))
    else:
        results.append(Result(label, 1, 0, 0, 0))
    print()
    for result in results[:-1]:
        print(result.line())
    print(f"{label}: {'none' if results[-1].ok else 'FAILED, see above'}")
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results) + (1 if interrupted else 0)
    skipped = sum(r.skipped for r in results)
    status = 0 if all(r.ok for r in results) and not failed else 1
    print(f"Summary: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
