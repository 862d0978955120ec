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
    installed = {item["id"] for item in response.json()["items"] if item["is_installed"]}
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
    with RunningPortal(tmp_path, port=first.port, ADMIN_PASSWORD=admin[1]) as second:
        response = requests.get(
            f"{second.url}/kept", headers={"Accept": "application/json"}, auth=admin,
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Kept across restarts"
    log = (tmp_path / "portal-output.log").read_text()
    assert "The site /Plone exists; its data was kept." in log
    assert "Stopped." in log
