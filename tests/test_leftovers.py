"""The check at the end of `make test` (scripts/run_tests.py) finds what the
suite left running, names it, and kills it; tests/portal.py stops a process's
whole group."""

from pathlib import Path
from tests.portal import free_port
from tests.portal import group_members
from tests.portal import popen
from tests.portal import terminate
import importlib.util
import os
import pytest
import subprocess
import sys
import time
import uuid


ROOT = Path(__file__).resolve().parent.parent


def load_run_tests():
    spec = importlib.util.spec_from_file_location(
        "run_tests", ROOT / "scripts" / "run_tests.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_tests = load_run_tests()

# A server that forks a child which outlives it, as `bin/instance fg` left its
# Zope behind: the parent exits at once, the child listens on PORT.
ORPHAN_SERVER = """
import os, socket, sys, time
if os.fork():
    sys.exit(0)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen()
time.sleep(300)
"""


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_leaked_process_and_its_port_are_named_and_killed():
    # A marker of its own: this test's leak is not the real run's.
    marker = uuid.uuid4().hex
    port = free_port()
    assert run_tests.port_is_free(port)
    environment = dict(os.environ, **{run_tests.MARKER: marker})
    subprocess.run(
        [sys.executable, "-c", ORPHAN_SERVER, str(port)],
        env=environment,
        check=True,
        timeout=60,
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: not run_tests.port_is_free(port))
        (leaked,) = run_tests.marked_processes(marker)
        assert str(port) in leaked[1]

        problems = run_tests.check_leftovers(marker, [port])

        assert problems[0] == f"left running: pid {leaked[0]}: {leaked[1]}"
        assert wait_for(lambda: not run_tests.marked_processes(marker))
        assert wait_for(lambda: run_tests.port_is_free(port))
        assert run_tests.check_leftovers(marker, [port]) == []
    finally:
        run_tests.kill_processes([pid for pid, _ in run_tests.marked_processes(marker)])


def test_a_port_left_bound_is_named_with_its_process():
    port = free_port()
    server = ORPHAN_SERVER.replace("os.fork()", "0")  # no child: it listens itself
    holder = popen([sys.executable, "-c", server, str(port)])
    try:
        assert wait_for(lambda: not run_tests.port_is_free(port))
        command = run_tests.command_line(holder.pid)
        # Not marked with this (made-up) run: found by its port alone.
        problems = run_tests.check_leftovers(uuid.uuid4().hex, [port])
        assert problems == [f"port {port} still bound by pid {holder.pid}: {command}"]
        assert holder.wait(20) is not None
        assert run_tests.port_is_free(port)
    finally:
        terminate(holder)


def test_terminate_names_what_a_process_left_in_its_group():
    process = popen(["bash", "-c", "sleep 300 & trap 'exit 0' TERM; wait"])
    assert wait_for(lambda: len(group_members(process.pid)) == 2)
    with pytest.raises(RuntimeError, match="left processes running in its group"):
        terminate(process)
    assert group_members(process.pid) == []
