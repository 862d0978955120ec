"""A portal process killed in the middle of a registration (SIGKILL: no clean
shutdown) leaves nothing of it: no entry, no document, no expediente, no blob,
no number consumed; started again on the same storage, the next registration
takes the next consecutive number.

Nothing in the portal is instrumented for this: the test watches it from the
outside. A registration's files are held by ZODB, until the commit, as
uncommitted blob files named ``BUC…`` in the process's temporary directory
(``TMPDIR``, private to the test). The attachments' files appear while the
request is validated, before a number is taken; the receipt's PDF is written
last, after the number was taken and the entry and its documents were created.
The test kills the process when that last file appears, having checked that
the storage has not started writing a transaction (Data.fs has not grown; on
RelStorage, no new transaction id in PostgreSQL), so the kill falls between
receiving the files and committing.
"""

from pathlib import Path
from tests.portal import create_unidad
from tests.portal import registration
from tests.portal import RunningPortal
from tests.postgresql import ScratchDatabase
import base64
import json
import pytest
import requests
import socket
import threading
import time


ADMIN = ("admin", "crash-admin")
JSON = {"Accept": "application/json", "Accept-Language": "en"}
FILES = 12


def attachments(summary):
    from paeria.egov.demo.pdf import make_pdf

    return [
        {
            "data": base64.b64encode(
                make_pdf(
                    f"{summary}, annex {n}",
                    [f"Paragraph {k} of annex {n} of {summary}." for k in range(60)],
                )
            ).decode("ascii"),
            "encoding": "base64",
            "filename": f"annex-{n:02d}.pdf",
            "content-type": "application/pdf",
        }
        for n in range(1, FILES + 1)
    ]


def large_registration(unidad, summary):
    body = registration(unidad, summary)
    body["files"] = attachments(summary)
    return body


class Storage:
    """What the storage holds, seen from outside the process."""

    def __init__(self, home, dsn=None):
        self.home = Path(home)
        self.dsn = dsn

    def settings(self):
        return {"RELSTORAGE_DSN": self.dsn} if self.dsn else {}

    def _query(self, sql):
        import psycopg2

        connection = psycopg2.connect(self.dsn)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchone()[0]
        finally:
            connection.close()

    def last_transaction(self):
        """Grows as soon as a commit starts writing (FileStorage appends the
        transaction to Data.fs; RelStorage stores it under a new tid)."""
        if self.dsn:
            return self._query("SELECT max(tid) FROM object_state")
        return (self.home / "var" / "filestorage" / "Data.fs").stat().st_size

    def blobs(self):
        if self.dsn:
            return self._query("SELECT count(DISTINCT zoid) FROM blob_chunk")
        folder = self.home / "var" / "blobstorage"
        return sum(
            1
            for path in folder.rglob("*.blob")
            if "tmp" not in path.relative_to(folder).parts
        )


def search(portal, **query):
    response = requests.get(
        f"{portal.url}/@search",
        params={**query, "b_size": 1000},
        headers=JSON,
        auth=ADMIN,
        timeout=60,
    )
    response.raise_for_status()
    return sorted(item["@id"].rsplit("/", 1)[1] for item in response.json()["items"])


def register_state(portal, storage):
    listing = requests.get(
        f"{portal.url}/registro",
        params={"b_size": 1000},
        headers=JSON,
        auth=ADMIN,
        timeout=60,
    ).json()
    return {
        "entries in the folder": sorted(
            item["@id"].rsplit("/", 1)[1] for item in listing["items"]
        ),
        "entries in the catalog": search(portal, portal_type="Asiento"),
        "documents": len(search(portal, portal_type="Documento")),
        "expedientes": len(search(portal, portal_type="Expediente")),
        "blobs": storage.blobs(),
    }


def register(portal, body):
    return requests.post(
        f"{portal.url}/registro/@registrar",
        json=body,
        headers=JSON,
        auth=ADMIN,
        timeout=120,
    )


def kill_while_arriving(portal, unidad):
    """Half of the request's body sent, then the process dies."""
    body = json.dumps(large_registration(unidad, "Half sent")).encode()
    credentials = base64.b64encode(":".join(ADMIN).encode()).decode()
    head = (
        f"POST /{portal.site_id}/registro/@registrar HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{portal.port}\r\n"
        f"Authorization: Basic {credentials}\r\n"
        "Accept: application/json\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", portal.port), timeout=30) as client:
        client.sendall(head + body[: len(body) // 2])
        time.sleep(1)  # the server reads what arrived and waits for the rest
        portal.kill()


def kill_before_commit(portal, storage, unidad, tmpdir):
    """The whole request received, the registration built, not committed."""
    for orphan in tmpdir.glob("BUC*"):  # none expected; count only ours
        orphan.unlink()
    before = storage.last_transaction()
    outcome = {}

    def send():
        try:
            outcome["response"] = register(
                portal, large_registration(unidad, "Killed before commit")
            )
        except requests.ConnectionError as error:
            outcome["error"] = error

    client = threading.Thread(target=send)
    client.start()
    deadline = time.monotonic() + 90
    held = 0
    while held < FILES + 1:
        assert time.monotonic() < deadline, f"saw {held} of {FILES + 1} files"
        assert "response" not in outcome, outcome["response"].text[:500]
        held = len(list(tmpdir.glob("BUC*")))
        time.sleep(0.002)
    committing = storage.last_transaction() != before
    portal.kill()
    client.join(60)
    # The kill came between receiving the files and committing, as intended.
    assert not committing, "the commit had started: the kill came too late"
    assert "error" in outcome, outcome
    return held


@pytest.fixture(
    params=["filestorage", pytest.param("relstorage", marks=pytest.mark.postgresql)]
)
def storage(request, tmp_path):
    if request.param == "filestorage":
        yield Storage(tmp_path / "portal")
        return
    with ScratchDatabase() as database:
        yield Storage(tmp_path / "portal", dsn=database.dsn)


def test_killed_mid_submission_leaves_nothing(storage, tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    settings = {"ADMIN_PASSWORD": ADMIN[1], "TMPDIR": tmpdir, **storage.settings()}

    def start():
        return RunningPortal(storage.home, **settings).start()

    portal = start()
    try:
        unidad = create_unidad(portal.url, ADMIN)
        first = register(portal, registration(unidad, "Before the crash"))
        assert first.status_code == 201, first.text
        numero = first.json()["numero"]
        year = numero.split("/")[1]
        assert numero == f"E/{year}/000001"
        baseline = register_state(portal, storage)
        assert baseline["entries in the catalog"] == [f"e-{year}-000001"]

        kill_while_arriving(portal, unidad)
        portal = start()
        assert register_state(portal, storage) == baseline

        held = kill_before_commit(portal, storage, unidad, tmpdir)
        assert held == FILES + 1
        portal = start()
        assert register_state(portal, storage) == baseline

        # The number the killed registration had taken was never consumed.
        after = register(portal, large_registration(unidad, "After the crash"))
        assert after.status_code == 201, after.text
        assert after.json()["numero"] == f"E/{year}/000002"
        assert len(after.json()["documents"]) == FILES
        state = register_state(portal, storage)
        assert state["entries in the catalog"] == [
            f"e-{year}-000001",
            f"e-{year}-000002",
        ]
        assert state["documents"] == baseline["documents"] + FILES + 1
    finally:
        portal.stop()
