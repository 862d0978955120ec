"""RelStorage on PostgreSQL is chosen by RELSTORAGE_DSN alone: the same commands
create the site in the database and serve it."""

from tests.portal import RunningPortal
from tests.postgresql import ScratchDatabase
import pytest
import requests


pytestmark = pytest.mark.postgresql


def test_site_created_and_served_from_postgresql(tmp_path):
    with ScratchDatabase() as database:
        admin = ("admin", "pg-admin")
        with RunningPortal(
            tmp_path, RELSTORAGE_DSN=database.dsn, ADMIN_PASSWORD=admin[1]
        ) as running:
            response = requests.get(
                running.url, headers={"Accept": "application/json"}, timeout=30
            )
            assert response.status_code == 200
            assert response.json()["@type"] == "Plone Site"
            addons = requests.get(
                f"{running.url}/@addons",
                headers={"Accept": "application/json"},
                auth=admin,
                timeout=30,
            ).json()
            assert "paeria.egov" in {
                a["id"] for a in addons["items"] if a["is_installed"]
            }
        conf = (tmp_path / "etc" / "zope.conf").read_text()
        assert (
            "<relstorage>" in conf
            and "filestorage" not in conf.split("<environment>")[0]
        )
        assert not (tmp_path / "var" / "filestorage" / "Data.fs").exists()

        import psycopg2

        connection = psycopg2.connect(database.dsn)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM object_state")
                (objects,) = cursor.fetchone()
        finally:
            connection.close()
        # A Plone site is thousands of persistent objects; all of them are here.
        assert objects > 1000
