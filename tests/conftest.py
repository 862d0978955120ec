"""Fixtures of the system suites: real instances started as an operator would."""

from tests.portal import RunningPortal
import pytest
import requests


ADMIN = ("admin", "s3cret-test-admin")


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """One FileStorage portal with the demo data, shared by the HTTP suites."""
    home = tmp_path_factory.mktemp("portal")
    with RunningPortal(home, DEMO=1, ADMIN_PASSWORD=ADMIN[1]) as running:
        yield running


@pytest.fixture
def admin_session():
    session = requests.Session()
    session.auth = ADMIN
    session.headers["Accept"] = "application/json"
    yield session
    session.close()
