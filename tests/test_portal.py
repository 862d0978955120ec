"""`make start` serves the site: Classic UI, plone.restapi, the add-on installed."""

from tests.portal import RunningPortal
import requests


def test_site_answers_html_in_classic_ui(portal):
    response = requests.get(portal.url, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    # Barceloneta is the Classic UI theme; its bundle is linked from every page.
    assert "plonetheme.barceloneta" in response.text or "barceloneta" in response.text
    assert '<html lang="es"' in response.text or 'lang="es"' in response.text


def test_site_answers_json_through_restapi(portal):
    response = requests.get(
        portal.url, headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 200
    body = response.json()
    assert body["@id"] == portal.url
    assert body["@type"] == "Plone Site"


def test_addon_is_installed(portal, admin_session):
    response = admin_session.get(f"{portal.url}/@addons", timeout=30)
    assert response.status_code == 200
    installed = {
        item["id"] for item in response.json()["items"] if item["is_installed"]
    }
    assert "paeria.egov" in installed


def test_languages_are_spanish_catalan_english(portal, admin_session):
    response = admin_session.get(
        f"{portal.url}/@registry/plone.available_languages", timeout=30
    )
    assert response.status_code == 200
    assert sorted(response.json()) == ["ca", "en", "es"]
    response = admin_session.get(
        f"{portal.url}/@registry/plone.default_language", timeout=30
    )
    assert response.json() == "es"


def test_anonymous_cannot_read_the_addon_list(portal):
    response = requests.get(
        f"{portal.url}/@addons", headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 401


def test_starting_again_keeps_the_data(tmp_path):
    admin = ("admin", "keep-data")
    with RunningPortal(tmp_path, ADMIN_PASSWORD=admin[1]) as first:
        created = requests.post(
            first.url,
            json={"@type": "Document", "id": "kept", "title": "Kept across restarts"},
            headers={"Accept": "application/json"},
            auth=admin,
            timeout=30,
        )
        assert created.status_code == 201, created.text
    # An explicit ADMIN_PASSWORD is applied again on every start.
    new_admin = ("admin", "changed-on-restart")
    with RunningPortal(
        tmp_path, port=first.port, ADMIN_PASSWORD=new_admin[1]
    ) as second:
        response = requests.get(
            f"{second.url}/kept",
            headers={"Accept": "application/json"},
            auth=new_admin,
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Kept across restarts"
        old = requests.get(
            f"{second.url}/kept",
            headers={"Accept": "application/json"},
            auth=admin,
            timeout=30,
        )
        assert old.status_code == 401
    log = (tmp_path / "portal-output.log").read_text()
    assert "The site /Plone exists; its data was kept." in log
    assert "Stopped." in log


def test_new_site_has_the_demo_data(portal, admin_session):
    units = admin_session.get(
        f"{portal.url}/@search",
        params={"portal_type": "Unidad", "metadata_fields": "dir3_code"},
        timeout=30,
    ).json()
    assert units["items_total"] == 3
    assert all(len(item["dir3_code"]) == 9 for item in units["items"])

    procedures = requests.get(
        f"{portal.url}/@search",
        params={"portal_type": "Procedimiento", "review_state": "publicado"},
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()
    assert procedures["items_total"] == 4  # published: anonymous sees them

    documents = admin_session.get(
        f"{portal.url}/@search",
        params={
            "portal_type": "Documento",
            "metadata_fields": ["huella", "orden", "expediente_numero"],
            "sort_on": "orden",
        },
        timeout=30,
    ).json()
    assert documents["items_total"] >= 4
    document = admin_session.get(documents["items"][0]["@id"], timeout=30).json()
    assert len(document["huella"]) == 64
    download = admin_session.get(document["file"]["download"], timeout=30)
    assert download.content.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(download.content).hexdigest() == document["huella"]


def test_anonymous_cannot_see_the_units(portal):
    response = requests.get(
        f"{portal.url}/unidades", headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 401
