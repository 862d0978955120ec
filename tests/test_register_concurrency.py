"""The register's numbers under real concurrency: two Zope processes serving
one RelStorage database on PostgreSQL, many clients registering at once.

Numbers come from one persistent counter per series and year, without conflict
resolution (paeria.egov.numbering): two transactions that take a number at
once conflict, the loser's request is aborted and run again whole by Zope's
publisher, and after its last retry the client gets 503 with nothing stored
(paeria.egov.restapi.conflicts). So whatever the interleaving, the entries
registered are numbered exactly 1..N, and a 503 leaves no trace.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from tests.portal import create_unidad
from tests.portal import registration
from tests.portal import RunningPortal
from tests.postgresql import ScratchDatabase
import pytest
import re
import requests
import time


pytestmark = pytest.mark.postgresql

ADMIN = ("admin", "concurrency-admin")
REGISTRATIONS = 40
CLIENTS = 8
JSON = {"Accept": "application/json", "Accept-Language": "en"}
# Zope.SiteErrorLog logs each retried attempt at INFO, paeria.egov.conflicts
# each request given up; ConflictError, or RelStorage's read conflicts.
# (A message may go on over lines that do not start with a date.)
RETRIED = re.compile(
    r"\] (\w+) at \S+: [^\n]*(?:\n(?!\d{4}-\d\d-\d\d )[^\n]*)*?"
    r"Request will be retried\."
)
GAVE_UP = re.compile(r"at POST (\S+): .*Gave up after (\d+) attempts")


def register(url, summary, unidad):
    started = time.monotonic()
    response = requests.post(
        f"{url}/registro/@registrar",
        json=registration(unidad, summary),
        headers=JSON,
        auth=ADMIN,
        timeout=300,
    )
    return summary, response, time.monotonic() - started


def receipt_text(url):
    from pypdf import PdfReader

    response = requests.get(url, auth=ADMIN, timeout=60)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return "".join(
        page.extract_text() for page in PdfReader(BytesIO(response.content)).pages
    )


def test_two_processes_number_concurrent_entries_without_gaps(tmp_path):
    with ScratchDatabase() as database:
        settings = {"RELSTORAGE_DSN": database.dsn, "ADMIN_PASSWORD": ADMIN[1]}
        with RunningPortal(tmp_path / "first", **settings) as first:
            with RunningPortal(tmp_path / "second", **settings) as second:
                portals = (first, second)
                unidad = create_unidad(first.url, ADMIN)
                # One registration alone: what a registration costs uncontended.
                alone = register(first.url, "Alone", unidad)
                assert alone[1].status_code == 201, alone[1].text
                started = time.monotonic()
                with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                    results = list(
                        pool.map(
                            lambda i: register(
                                portals[i % 2].url, f"Concurrent entry {i:03d}", unidad
                            ),
                            range(REGISTRATIONS),
                        )
                    )
                duration = time.monotonic() - started
                print(f"\nuncontended registration: {alone[2]:.2f}s")
                report(portals, results, duration)
                check_results(first, second, unidad, [alone, *results])


def conflicts_logged(portals):
    """(retried attempts, attempts of each request given up) from the logs."""
    logs = [portal.event_log() for portal in portals]
    retried = Counter(name for log in logs for name in RETRIED.findall(log))
    gave_up = [int(attempts) for log in logs for _, attempts in GAVE_UP.findall(log)]
    return retried, gave_up


def report(portals, results, duration):
    statuses = Counter(response.status_code for _, response, _ in results)
    per_portal = Counter(
        index % 2
        for index, (_, response, _) in enumerate(results)
        if response.status_code == 201
    )
    retried, gave_up = conflicts_logged(portals)
    latencies = sorted(elapsed for _, _, elapsed in results)
    print(
        f"\n{len(results)} registrations by {CLIENTS} clients on 2 processes in "
        f"{duration:.1f}s: statuses {dict(statuses)}, registered per process "
        f"{dict(sorted(per_portal.items()))}; retried {dict(retried)}, "
        f"requests given up {len(gave_up)}; latency median "
        f"{latencies[len(latencies) // 2]:.1f}s, max {latencies[-1]:.1f}s"
    )


def check_results(first, second, unidad, results):
    registered = {}
    refused = []
    for summary, response, _ in results:
        if response.status_code == 201:
            registered[summary] = response.json()
        else:
            # Only a clear 503 after the retries is acceptable, nothing else.
            assert response.status_code == 503, (summary, response.text[:1000])
            assert response.headers["Retry-After"].isdigit()
            assert "Nothing was saved" in response.json()["error"]["message"]
            refused.append(summary)
    assert registered, "no registration succeeded"

    # Exactly 1..N, no gap, no duplicate, in one series and year.
    count = len(registered)
    numbers = sorted(body["numero"] for body in registered.values())
    years = {numero.split("/")[1] for numero in numbers}
    assert len(years) == 1, years
    year = int(years.pop())
    assert numbers == [f"E/{year}/{k:06d}" for k in range(1, count + 1)]
    ids = sorted(numero.replace("/", "-").lower() for numero in numbers)

    # Both processes see the same register, by the catalog and by the folder;
    # it holds the entries answered 201 and nothing of those answered 503.
    for portal in (first, second):
        found = requests.get(
            f"{portal.url}/@search",
            params={"portal_type": "Asiento", "b_size": 1000},
            headers=JSON,
            auth=ADMIN,
            timeout=60,
        ).json()
        assert sorted(item["@id"].rsplit("/", 1)[1] for item in found["items"]) == ids
        listing = requests.get(
            f"{portal.url}/registro",
            params={"b_size": 1000},
            headers=JSON,
            auth=ADMIN,
            timeout=60,
        ).json()
        assert sorted(item["@id"].rsplit("/", 1)[1] for item in listing["items"]) == ids
        titles = [item["title"] for item in listing["items"]]
        for summary in refused:
            assert not any(summary in title for title in titles), summary

    # Each entry: its summary, its attached document and its receipt, a PDF
    # that carries its number.
    for summary, body in registered.items():
        entry = requests.get(body["@id"], headers=JSON, auth=ADMIN, timeout=60).json()
        assert entry["resumen"] == summary
        assert entry["numero"] == body["numero"]
        children = sorted(item["@id"] for item in entry["items"])
        receipt = body["justificante"]["@id"]
        assert children == sorted([receipt, body["documents"][0]["@id"]])
        assert [doc["filename"] for doc in body["documents"]] == ["solicitud.pdf"]
        assert body["numero"] in receipt_text(body["justificante"]["download"])

    # The counter's next number is N+1, whichever process takes it.
    summary, response, _ = register(second.url, "After the burst", unidad)
    assert response.status_code == 201, response.text
    assert response.json()["numero"] == f"E/{year}/{count + 1:06d}"

    # Every 503 is a request the publisher ran four times and gave up on.
    _retried, gave_up = conflicts_logged((first, second))
    assert len(gave_up) == len(refused)
    assert all(attempts == 4 for attempts in gave_up)
