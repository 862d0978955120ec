"""Uploads cost memory bounded by the limits, not by what a client sends
(issue 17, finding 7): a real instance, as `make start` runs it, and its
process's resident memory read from /proc around each request.

- A body declared as 1 GB (10^9 bytes) but never sent is refused 413 at once,
  before anything is read, and costs under 10 MB.
- A 200 MB JSON body, three 50 MB files in base64 made and sent chunk by
  chunk (never whole in this test's memory either), is registered by
  `@registrar` while the server grows by less than twice one accepted file.

Figures for every upload endpoint: bench/upload_memory.py, docs/performance.md.
"""

from tests.portal import create_unidad
from tests.portal import REGISTER_NIF
from tests.portal import RunningPortal
from tests.uploadmemory import declared_only
from tests.uploadmemory import JsonUpload
from tests.uploadmemory import MB
from tests.uploadmemory import PeakMemory
import base64
import pytest
import requests


ADMIN = ("admin", "s3cret-upload-memory")
FILE_SIZE = 50 * MB - 4096  # within the default 50 MB limit


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    home = tmp_path_factory.mktemp("upload-memory")
    with RunningPortal(home, ADMIN_PASSWORD=ADMIN[1]) as running:
        running.unidad = create_unidad(running.url, ADMIN)
        yield running


def entry_fields(portal, summary):
    return {
        "canal": "telematico",
        "interesado_identifier_type": "NIF",
        "interesado_identifier": REGISTER_NIF,
        "interesado_name": "Maria Puig i Soler",
        "resumen": summary,
        "unidad_destino": portal.unidad,
    }


def register(portal, upload):
    return requests.post(
        f"{portal.url}/registro/@registrar",
        # An iterable with a length: requests streams it with that
        # Content-Length, chunk by chunk.
        data=upload,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        auth=ADMIN,
        timeout=600,
    )


def warm_up(portal):
    """One small registration first: what the first one loads (code,
    catalog, caches) is not counted as the upload's."""
    response = register(
        portal, JsonUpload(entry_fields(portal, "Warm-up"), ["files"], [200_000])
    )
    assert response.status_code == 201, response.text[:500]


def test_a_declared_gigabyte_is_refused_before_reading(portal):
    warm_up(portal)
    auth = "Basic " + base64.b64encode(":".join(ADMIN).encode()).decode()
    with PeakMemory(portal.process.pid) as memory:
        status, seconds = declared_only(
            portal.port, "/Plone/registro/@registrar", 10**9, auth
        )
    assert status is not None, f"no answer in {seconds:.1f} s: the body was awaited"
    assert " 413 " in status + " ", status
    assert seconds < 5
    assert memory.growth_mb < 10, memory.growth_mb


def test_a_200_mb_body_is_streamed(portal):
    warm_up(portal)
    upload = JsonUpload(
        entry_fields(portal, "Three big files"), ["files"], [FILE_SIZE] * 3
    )
    assert 199 * MB < len(upload) < 201 * MB
    with PeakMemory(portal.process.pid) as memory:
        response = register(portal, upload)
    assert response.status_code == 201, response.text[:500]
    documents = response.json()["documents"]
    sizes = sorted(document.get("size", 0) for document in documents)
    assert sizes[-3:] == [FILE_SIZE] * 3, documents
    assert memory.growth_mb < 2 * FILE_SIZE / MB, memory.growth_mb
