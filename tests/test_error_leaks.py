"""No error shows internals, to anyone, whatever the worker thread served before
(docs/security.md, "Errors leak nothing"; issue 17, finding 3).

The portal runs as `make start` runs it (its usual 4 worker threads, no debug
setting). Every probe of the table provokes one error class; each is sent in
turns with a Manager's requests, so that the worker threads have just served a
Manager when an anonymous error is rendered (before the fix, an error in
reading the form was rendered as the thread's previous user and showed the
Manager's traceback to anyone). Every response, the Manager's included, is
scanned, body and headers, for paths, tracebacks and version strings.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tests.conftest import ADMIN
from tests.portal import documento_with_pdf
import hashlib
import os
import pytest
import re
import requests


#: Every error class a client can meet; the probes must provoke each.
REQUIRED_STATUSES = {400, 401, 403, 404, 409, 500}

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}

#: An error in decoding the form (before the publisher forgets the previous
#: user), as issue 17 reported it; a 500 then, a 400 naming the field now.
BAD_DATE_FORM = (
    "/@search?effective.query:record:list:date=garbage&effective.range:record=min"
)

#: A query plone.app.querystring refuses (plone.restapi: 400, and a Manager
#: got its traceback).
BAD_QUERY = {"query": [{"i": "x"}]}

#: (status, user, method, path below the site, headers, request options);
#: ``{procedure}`` is the path of a published procedure below the site,
#: ``{damaged}`` that of a document whose file was altered on disk.
PROBES = [
    (400, "anonymous", "GET", "/@search?b_size=x", JSON, {}),
    (400, "manager", "GET", "/@search?b_start=-1", JSON, {}),
    (400, "manager", "POST", "/@querystring-search", JSON, {"json": BAD_QUERY}),
    (400, "anonymous", "POST", "/@querystring-search", JSON, {"json": BAD_QUERY}),
    (401, "anonymous", "GET", "/@journal", JSON, {}),
    (401, "anonymous", "POST", "{procedure}/@iniciar", JSON, {"json": {}}),
    (403, "manager", "POST", "{procedure}/@iniciar", JSON, {"json": {}}),
    (404, "anonymous", "GET", "/no-such-thing", JSON, {}),
    (404, "anonymous", "GET", "/no-such-thing", HTML, {}),
    (404, "manager", "GET", "/no-such-thing/@@view", HTML, {}),
    (409, "manager", "COPY", "/unidades", JSON, {"destination": "/missing/copy"}),
    (409, "anonymous", "COPY", "/unidades", JSON, {"destination": "/missing/copy"}),
    (400, "anonymous", "GET", BAD_DATE_FORM, JSON, {}),
    (400, "anonymous", "GET", BAD_DATE_FORM, HTML, {}),
    (400, "manager", "GET", BAD_DATE_FORM, JSON, {}),
    (400, "manager", "GET", BAD_DATE_FORM, HTML, {}),
    (400, "anonymous", "GET", "/@search?sort_limit=x", JSON, {}),
    (400, "manager", "GET", "/@search?path.depth=x", JSON, {}),
    # An unexpected error, after the user is known: the stored file no longer
    # matches its fingerprint (the integrity check refuses to serve it).
    (500, "manager", "GET", "{damaged}/@@download/file", JSON, {}),
    (500, "manager", "GET", "{damaged}/@@download/file", HTML, {}),
]

#: Rounds of the whole table: the worker threads serve each probe several
#: times, after Managers' requests.
ROUNDS = 3

LEAKS = {
    "a traceback": re.compile(r"Traceback|\"traceback\"|File \"", re.IGNORECASE),
    "a file path": re.compile(
        r"/work/|site-packages|/usr/lib|/home/|\.py\b|\.pyc\b|\.zcml\b|\.pt\b"
    ),
    "a version": re.compile(
        r"\b(Zope|Plone|Python|CPython|waitress|Products\.CMFPlone|plone\.restapi)"
        r"[ /=-]{0,3}v?\d+(\.\d+)+",
        re.IGNORECASE,
    ),
    "a code location": re.compile(r"\bline \d+, in \w+|__traceback_info__"),
    "an object or module": re.compile(
        r"<[A-Za-z_]\w*(\.\w+){2,}[ >]| at 0x[0-9a-fA-F]+|\bProducts\.[A-Z]\w+\."
    ),
}


@pytest.fixture(scope="module")
def procedure(portal):
    found = requests.get(
        f"{portal.url}/@search",
        params={"portal_type": "Procedimiento", "review_state": "publicado"},
        headers=JSON,
        auth=ADMIN,
        timeout=60,
    ).json()["items"]
    assert found, "the demo data has a published procedure"
    return found[0]["@id"].removeprefix(portal.url)


@pytest.fixture(scope="module")
def damaged(portal):
    """The path of a new document in an open expediente whose blob file is
    altered behind the server's back; put back as it was afterwards."""
    found = requests.get(
        f"{portal.url}/@search",
        params={
            "portal_type": "Expediente",
            "review_state": ["iniciado", "en_tramitacion"],
        },
        headers=JSON,
        auth=ADMIN,
        timeout=60,
    ).json()["items"]
    assert found, "the demo data has an open expediente"
    body, pdf = documento_with_pdf(title="Damaged on disk")
    created = requests.post(
        found[0]["@id"], json=body, headers=JSON, auth=ADMIN, timeout=120
    )
    assert created.status_code == 201, created.text
    fingerprint = hashlib.sha256(pdf).hexdigest()
    blob = next(
        path
        for path in Path(portal.home, "var", "blobstorage").rglob("*.blob")
        if hashlib.sha256(path.read_bytes()).hexdigest() == fingerprint
    )
    mode = blob.stat().st_mode
    os.chmod(blob, 0o644)
    blob.write_bytes(pdf + b"\n% altered on disk\n")
    try:
        yield created.json()["@id"].removeprefix(portal.url)
    finally:
        blob.write_bytes(pdf)
        os.chmod(blob, mode)


def send(portal, probe, **paths):
    _status, user, method, path, headers, options = probe
    options = dict(options)
    headers = dict(headers)
    if "destination" in options:
        headers["Destination"] = portal.url + options.pop("destination")
    return requests.request(
        method,
        portal.url + path.format(**paths),
        headers=headers,
        auth=ADMIN if user == "manager" else None,
        allow_redirects=False,
        timeout=60,
        **options,
    )


def manager_everywhere(portal, threads=4):
    """Authenticated Manager requests on (very likely) every worker thread:
    several at once, so that each thread serves one."""

    def one(_):
        return requests.get(
            f"{portal.url}/@search", headers=JSON, auth=ADMIN, timeout=60
        ).status_code

    with ThreadPoolExecutor(threads * 2) as pool:
        assert set(pool.map(one, range(threads * 2))) == {200}


def leaks(portal, response):
    """What of the server's internals ``response`` shows."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    found = []
    for where, text in (("body", response.text), ("headers", headers)):
        for what, pattern in LEAKS.items():
            match = pattern.search(text)
            if match:
                found.append(f"{what} in the {where}: {match.group(0)!r}")
        if str(portal.home) in text:
            found.append(f"the instance's folder in the {where}")
    return found


def test_the_probes_cover_every_error_class():
    assert {probe[0] for probe in PROBES} >= REQUIRED_STATUSES
    for status in REQUIRED_STATUSES:
        users = {probe[1] for probe in PROBES if probe[0] == status}
        assert users, f"no probe provokes {status}"


def test_no_error_shows_internals_whoever_the_thread_served_before(
    portal, procedure, damaged
):
    seen = set()
    problems = []
    for round_ in range(ROUNDS):
        for probe in PROBES:
            # The threads have just served a Manager; then the probe, then the
            # same probe as the other kind of user would be served next.
            manager_everywhere(portal)
            response = send(portal, probe, procedure=procedure, damaged=damaged)
            label = f"round {round_}: {probe[1]} {probe[2]} {probe[3]} {probe[4]}"
            assert response.status_code == probe[0], (
                f"{label} answered {response.status_code}, not {probe[0]}"
            )
            seen.add(response.status_code)
            problems += [f"{label}: {leak}" for leak in leaks(portal, response)]
    assert seen >= REQUIRED_STATUSES
    assert not problems, "\n".join(problems)


def test_the_issues_request_never_shows_a_traceback(portal):
    """Issue 17's report, as it was tried: 12 tries, each right after a
    Manager's requests (now a 400 naming the field)."""
    shown = 0
    for _ in range(12):
        manager_everywhere(portal)
        response = requests.get(portal.url + BAD_DATE_FORM, headers=JSON, timeout=60)
        assert response.status_code == 400
        assert "effective.query" in response.json()["error"]["fields"]
        shown += "traceback" in response.text.lower()
    assert shown == 0, f"a traceback in {shown} of 12 answers"


def test_make_start_never_sets_the_debug_setting():
    """Tracebacks only with PAERIA_EGOV_SHOW_TRACEBACKS=1, which neither the
    Makefile nor the instance's commands (configure, start, serve) set."""
    root = Path(__file__).resolve().parents[1]
    sources = [root / "Makefile", *(root / "src/paeria/egov/instance").glob("*.py")]
    for source in sources:
        assert "SHOW_TRACEBACKS" not in source.read_text(encoding="utf-8"), source
