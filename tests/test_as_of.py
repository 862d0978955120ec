"""Scheduled tasks re-run as of an instant (`--as-of`, `PAERIA_AS_OF`), as an
operator would after the server was down for a day; docs/operations.md."""

from tests.portal import created_instance
from tests.portal import run_instance
import pytest


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """An empty FileStorage instance, not running."""
    return created_instance(tmp_path_factory.mktemp("as-of"), DEMO=0)


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
