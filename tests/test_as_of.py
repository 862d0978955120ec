"""Scheduled tasks re-run as of an instant (`--as-of`, `PAERIA_AS_OF`), as an
operator would after the server was down for a day; docs/operations.md."""

from tests.portal import INSTANCE
from tests.portal import instance_environment
import pytest
import subprocess


def run_instance(command, home, *options, **settings):
    return subprocess.run(
        [INSTANCE, command, "--home", str(home), *options],
        env=instance_environment(**settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """An empty FileStorage instance, not running."""
    home = tmp_path_factory.mktemp("as-of")
    configured = run_instance("configure", home)
    assert configured.returncode == 0, configured.stderr
    created = run_instance("create-site", home, DEMO=0)
    assert created.returncode == 0, created.stderr
    return home


def test_expire_notifications_as_of_a_date(home):
    result = run_instance("expire-notifications", home, "--as-of", "2027-01-04")
    assert result.returncode == 0, result.stderr
    assert (
        "Running expire-notifications as of 2027-01-04T00:00:00+01:00 "
        "(Europe/Madrid)" in result.stderr
    )
    assert "Expired 0 notifications" in result.stdout


def test_journal_seal_as_of_from_the_environment(home):
    result = run_instance("journal-seal", home, PAERIA_AS_OF="2026-12-31T23:30:00Z")
    assert result.returncode == 0, result.stderr
    # 23:30 UTC on New Year's Eve is already the new year in Madrid.
    assert "as of 2027-01-01T00:30:00+01:00" in result.stderr


def test_an_unreadable_instant_is_a_configuration_error(home):
    result = run_instance("expire-notifications", home, "--as-of", "31/12/2026")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --as-of / PAERIA_AS_OF: '31/12/2026'")
    assert "Traceback" not in result.stderr


def test_other_commands_refuse_as_of(home):
    result = run_instance("integrity-scan", home, "--as-of", "2027-01-04")
    assert result.returncode == 2
    assert "--as-of applies to expire-notifications, journal-seal, journal-verify" in (
        result.stderr
    )
    # From the environment it is only a warning: the variable may be left set
    # in an operator's shell, and the command must still run on real time.
    result = run_instance("integrity-scan", home, PAERIA_AS_OF="2027-01-04")
    assert result.returncode == 0, result.stderr
    assert "warning: PAERIA_AS_OF is ignored by integrity-scan" in result.stderr
