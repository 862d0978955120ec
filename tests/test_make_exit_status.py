"""The exit statuses cron sees: `paeria-instance integrity-scan` and
`check-consistency` exit 0 (all well), 1 (problems found) or 2 (cannot open the
instance); the make targets wrapping them can only exit 0 or 2 (GNU make
reports any failing recipe as 2) and name the command's own status on their
last line (docs/operations.md, "Exit statuses")."""

from pathlib import Path
from tests.portal import created_instance
from tests.portal import instance_environment
from tests.portal import run
from tests.portal import run_instance
import os
import pytest
import stat


ROOT = Path(__file__).resolve().parent.parent


def command(name, home):
    return run_instance(name, home)


def make(target, home):
    """`make TARGET` in the checkout, on the instance in ``home`` (what
    INSTANCE_HOME_DIR points paeria-instance at), not the checkout's own."""
    environment = instance_environment(INSTANCE_HOME_DIR=home)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR"):
        environment.pop(name, None)  # when the suite itself runs under make
    return run(["make", "-C", str(ROOT), target], env=environment, timeout=600)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A stopped FileStorage instance with the demo data and one document's
    file altered on disk."""
    home = created_instance(tmp_path_factory.mktemp("exit-status"), DEMO=1)
    blob = sorted(Path(home, "var", "blobstorage").rglob("*.blob"))[0]
    os.chmod(blob, stat.S_IRUSR | stat.S_IWUSR)
    with open(blob, "r+b") as stream:
        stream.seek(100)
        stream.write(b"XXXX")
    return home


@pytest.mark.parametrize("name", ["integrity-scan", "check-consistency"])
def test_problems_found_are_1_for_the_command_and_named_by_make(home, name):
    assert command(name, home).returncode == 1
    made = make(name, home)
    assert made.returncode == 2, made.stdout[-2000:] + made.stderr[-2000:]
    assert (
        f"paeria-instance {name} exited with status 1 (make reports any failure as 2"
        in made.stderr
    )
    assert "[Makefile:" in made.stderr and f"{name}] Error 1" in made.stderr


def test_all_well_is_0_for_both(home):
    # The altered file is no journal's business: the chains are intact.
    assert command("journal-verify", home).returncode == 0
    made = make("journal-verify", home)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    assert "exited with status" not in made.stderr


def test_an_instance_that_cannot_be_opened_is_2_for_both(home):
    from zc.lockfile import LockFile

    # As a running portal does, hold the FileStorage's lock.
    lock = LockFile(str(Path(home, "var", "filestorage", "Data.fs.lock")))
    try:
        assert command("integrity-scan", home).returncode == 2
        made = make("integrity-scan", home)
    finally:
        lock.close()
    assert made.returncode == 2
    assert "paeria-instance integrity-scan exited with status 2" in made.stderr
