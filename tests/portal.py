"""Run a real paeria.egov instance in a folder of its own, as `make start` does."""

from pathlib import Path
import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


BIN = Path(sys.executable).parent
INSTANCE = str(BIN / "paeria-instance")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instance_environment(**settings):
    environment = dict(os.environ)
    # What the developer's shell sets must not leak into the instances tested.
    for name in (
        *("PORT", "HOST", "SITE_ID", "ADMIN_PASSWORD", "DEMO", "RELSTORAGE_DSN"),
        *("STORAGE", "RELSTORAGE_CACHE_MB", "PAERIA_AS_OF", "MAX_REQUEST_MB"),
        "PAERIA_EGOV_SHOW_TRACEBACKS",
    ):
        environment.pop(name, None)
    environment.update({key: str(value) for key, value in settings.items()})
    return environment


def run_instance(command, home, *options, timeout=300, **settings):
    return run(
        [INSTANCE, command, "--home", str(home), *options],
        env=instance_environment(**settings),
        timeout=timeout,
    )


def created_instance(home, **settings):
    """A FileStorage instance in ``home`` with its site, not running: as
    `make create-site` makes it (configure, then create the site)."""
    configured = run_instance("configure", home)
    assert configured.returncode == 0, configured.stderr
    created = run_instance("create-site", home, **settings)
    assert created.returncode == 0, created.stderr
    return home


# -- Processes: each in a session of its own, stopped as a whole --------------------
#
# Everything a test starts runs in a new session (its own process group), so
# that stopping it stops what it started too (a wrapper's server, a cluster's
# balancer), also on a failure, a timeout or Ctrl-C (which no longer reaches
# them from the terminal). scripts/run_tests.py checks at the end that nothing
# of the suite is left running.

_started = []  # Popen objects not yet stopped, stopped at exit at the latest


def group_members(pgid):
    """The pids still alive in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def kill_group(pgid, grace=10):
    """SIGTERM every process of group ``pgid``, wait ``grace`` seconds, then
    SIGKILL the rest. Returns the pids that were still running."""
    found = group_members(pgid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not group_members(pgid):
            break
    return found


def popen(command, **options):
    """subprocess.Popen in a new session, remembered until stopped."""
    process = subprocess.Popen(command, start_new_session=True, **options)
    _started.append(process)
    return process


def run(command, timeout=300, **options):
    """subprocess.run(capture_output=True, text=True) in a new session; on a
    timeout or an interruption the whole session is stopped before raising."""
    process = popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:
        kill_group(process.pid)
        process.communicate()
        raise
    finally:
        if process.poll() is not None:
            kill_group(process.pid)  # what it left in its group, if anything
            _forget(process)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _forget(process):
    if process in _started:
        _started.remove(process)


def terminate(process, timeout=60):
    """SIGTERM to the process, as operators stop it; SIGKILL to its whole
    group (and the timeout raised) if it does not end in ``timeout`` seconds.
    Once it has ended, what it left running in its group is killed and named
    in a RuntimeError: stopping must stop everything it started."""
    if process is None:
        return
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                kill_group(process.pid)
                process.wait()
                raise
        left = kill_group(process.pid)
    finally:
        _forget(process)
    if left:
        raise RuntimeError(
            f"{process.args[0]} (pid {process.pid}) left processes running in "
            f"its group, now killed: {left}"
        )


@atexit.register
def _stop_everything():
    for process in list(_started):
        kill_group(process.pid)
        _forget(process)


class RunningPortal:
    """`paeria-instance start` in a subprocess; stop() sends SIGTERM as operators do."""

    def __init__(self, home, port=None, command="start", **settings):
        self.home = Path(home)
        self.port = port or free_port()
        self.settings = {"PORT": self.port, "DEMO": 0, **settings}
        self.site_id = str(self.settings.get("SITE_ID", "Plone"))
        self.url = f"http://127.0.0.1:{self.port}/{self.site_id}"
        self.log = self.home / "portal-output.log"
        self.command = command
        self.process = None

    def start(self, timeout=240):
        self.home.mkdir(parents=True, exist_ok=True)
        output = self.log.open("ab")
        self.process = popen(
            [INSTANCE, self.command, "--home", str(self.home)],
            env=instance_environment(**self.settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            return self._wait_until_it_answers(timeout)
        except BaseException:
            kill_group(self.process.pid)
            self.process.wait()
            _forget(self.process)
            raise

    def _wait_until_it_answers(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the portal exited with {self.process.returncode}:\n"
                    + self.log.read_text(errors="replace")[-4000:]
                )
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError("the portal did not answer in time")

    def stop(self, timeout=60):
        terminate(self.process, timeout)

    def kill(self):
        """SIGKILL, as a crash or the kernel's OOM killer would end it: no
        clean shutdown, no transaction finished or aborted."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process is not None:
            kill_group(self.process.pid)  # what it started, if anything
            _forget(self.process)

    def event_log(self):
        """The instance's event log (var/log/event.log), "" before it exists."""
        path = self.home / "var" / "log" / "event.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


# -- The register, driven from outside (tests/test_register_concurrency.py,
#    tests/test_crash_recovery.py) ------------------------------------------------

REGISTER_NIF = "12345678Z"


def create_unidad(portal_url, auth, id="urbanismo", dir3_code="LA0012345"):
    """A Unidad in /unidades over plone.restapi; returns its UID."""
    import requests

    response = requests.post(
        f"{portal_url}/unidades",
        json={"@type": "Unidad", "id": id, "title": id.title(), "dir3_code": dir3_code},
        headers={"Accept": "application/json"},
        auth=auth,
        timeout=60,
    )
    response.raise_for_status()
    return response.json()["UID"]


def create_procedimiento(portal_url, auth, unidad_uid):
    """A published Procedimiento of ``unidad_uid`` over plone.restapi (only a
    published one takes new expedientes); returns its JSON."""
    import requests

    response = requests.post(
        f"{portal_url}/tramites",
        json={
            "@type": "Procedimiento",
            "title": "Llicència d'obres",
            "sia_code": "123456",
            "responsible_unit": unidad_uid,
            "max_resolution_amount": 3,
            "max_resolution_unit": "months",
            "silence_effect": "estimatorio",
            "channels": ["telematico", "presencial"],
            "online_start": True,
        },
        headers={"Accept": "application/json"},
        auth=auth,
        timeout=60,
    )
    response.raise_for_status()
    procedimiento = response.json()
    published = requests.post(
        f"{procedimiento['@id']}/@workflow/publicar",
        headers={"Accept": "application/json"},
        auth=auth,
        timeout=60,
    )
    published.raise_for_status()
    return procedimiento


def documento_with_pdf(title="Projecte bàsic"):
    """The JSON body of a Documento (a 40-line project PDF made by the demo's
    PDF maker) for ``POST <expediente>``, and the PDF's bytes."""
    from paeria.egov.demo.pdf import make_pdf
    import base64

    pdf = make_pdf("Projecte", [f"Line {n} of the project." for n in range(40)])
    body = {
        "@type": "Documento",
        "title": title,
        "tipo_documental": "TD14",
        "file": {
            "data": base64.b64encode(pdf).decode("ascii"),
            "encoding": "base64",
            "filename": "projecte.pdf",
            "content-type": "application/pdf",
        },
    }
    return body, pdf


def registration(unidad_uid, summary, document=b""):
    """The JSON body of ``POST /registro/@registrar`` with one PDF attached."""
    import base64

    if not document:
        from paeria.egov.demo.pdf import make_pdf

        document = make_pdf(summary, [f"Document of the entry: {summary}."])
    return {
        "canal": "telematico",
        "interesado_identifier_type": "NIF",
        "interesado_identifier": REGISTER_NIF,
        "interesado_name": "Maria Puig i Soler",
        "resumen": summary,
        "unidad_destino": unidad_uid,
        "files": [
            {
                "data": base64.b64encode(document).decode("ascii"),
                "encoding": "base64",
                "filename": "solicitud.pdf",
                "content-type": "application/pdf",
            }
        ],
    }


# -- Backup and restore (scripts/backup.sh, tests/test_backup_restore.py) ---------

BACKUP_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "backup.sh"


def run_backup_script(action, home, backup_dir, *options, timeout=300, **settings):
    """``scripts/backup.sh backup|restore`` as `make backup|restore` runs it,
    with the instance's settings (RELSTORAGE_DSN…) in the environment."""
    return run(
        [
            "bash",
            str(BACKUP_SCRIPT),
            action,
            "--home",
            str(home),
            "--backup-dir",
            str(backup_dir),
            *options,
        ],
        env=instance_environment(**settings),
        timeout=timeout,
    )
