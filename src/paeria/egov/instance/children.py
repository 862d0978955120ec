"""The cluster's child processes: started in a session of their own, stopped
in order, their logs read and their health asked."""

import contextlib
import ctypes
import signal
import subprocess
import urllib.error
import urllib.request


STOP_TIMEOUT = 60


def _die_with_parent():
    """In the child, before exec: be sent SIGTERM if the launcher dies, so that a
    launcher killed with SIGKILL leaves no process behind (Linux only)."""
    # Best effort; stop() is the normal path.
    with contextlib.suppress(Exception):
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _load_libc():
    # Loaded in the parent: loading a library between fork and exec is unsafe.
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _load_libc()


def spawn(command, environment, output):
    """A child in a session of its own, so that Ctrl-C in the terminal reaches
    the launcher only and the launcher decides the order of stopping."""
    with output.open("ab") as log:
        return subprocess.Popen(
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if _LIBC is not None else None,
        )


def stop_process(process, signum=signal.SIGTERM, timeout=STOP_TIMEOUT):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signum)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(path, lines=15):
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def answers_ok(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False
