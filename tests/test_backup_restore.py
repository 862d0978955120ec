"""Backup and restore as docs/operations.md tells an operator to do them, with
scripts/backup.sh (what `make backup` and `make restore` run).

A portal serves content and register entries; an online backup is taken while
it runs (for FileStorage a full repozo backup, more entries, then an
incremental one; for RelStorage pg_dump); one more entry is registered after
the backup. The backup is restored into a fresh instance (a new folder, and on
RelStorage a new empty database), which then has exactly what the portal had
at the backup: the same entries with the same receipts and fingerprints, the
blobs behind them, the same journal (chains intact, same global head), not
the entry registered later; and its register goes on from the restored
counter without a gap.
"""

from tests.portal import create_procedimiento
from tests.portal import create_unidad
from tests.portal import documento_with_pdf
from tests.portal import INSTANCE
from tests.portal import instance_environment
from tests.portal import registration
from tests.portal import run
from tests.portal import run_backup_script
from tests.portal import run_instance
from tests.portal import RunningPortal
from tests.postgresql import ScratchDatabase
import hashlib
import json
import pytest
import re
import requests
import threading
import time


ADMIN = ("admin", "backup-admin")
JSON = {"Accept": "application/json", "Accept-Language": "en"}


def site_path(url):
    """An address of the original portal as a path in the site, to be read
    from the restored one (which serves on another port)."""
    return re.sub(r"^https?://[^/]+/[^/]+", "", url)


def get(portal, path_or_url, **params):
    url = f"{portal.url}{site_path(path_or_url)}"
    response = requests.get(url, params=params, headers=JSON, auth=ADMIN, timeout=60)
    response.raise_for_status()
    return response


def post(portal, path, body):
    response = requests.post(
        f"{portal.url}{path}", json=body, headers=JSON, auth=ADMIN, timeout=120
    )
    assert response.status_code == 201, response.text[:2000]
    return response.json()


def register(portal, unidad, summary):
    entry = post(portal, "/registro/@registrar", registration(unidad, summary))
    return {**entry, "resumen": summary}  # the receipt's answer omits it


def create_expediente(portal, unidad):
    """A procedure, an expediente of it and a document in it, over REST."""
    procedimiento = create_procedimiento(portal.url, ADMIN, unidad)
    expediente = post(
        portal,
        "/unidades/urbanismo",
        {
            "@type": "Expediente",
            "title": "Obra menor",
            "procedimiento": procedimiento["UID"],
            "interesados": [
                {
                    "identifier_type": "NIF",
                    "identifier": "12345678Z",
                    "name": "Maria Puig i Soler",
                    "representative": None,
                    "notification_channel": "electronica",
                    "email": None,
                }
            ],
        },
    )
    body, pdf = documento_with_pdf()
    documento = post(portal, site_path(expediente["@id"]), body)
    assert documento["huella"] == hashlib.sha256(pdf).hexdigest()
    return documento


def search(portal, portal_type):
    items = get(portal, "/@search", portal_type=portal_type, b_size=1000).json()
    return sorted(site_path(item["@id"]) for item in items["items"])


def contents(portal):
    """What the site holds: every entry, document and expediente by path."""
    return {
        kind: search(portal, kind)
        for kind in ("Asiento", "Documento", "Expediente", "Procedimiento", "Unidad")
    }


def served_huella(portal, download_url):
    """The SHA-256 of a file as the portal serves it, read from its blob."""
    return hashlib.sha256(get(portal, download_url).content).hexdigest()


def receipt(portal, entry):
    """An entry as a client reads it back: its number, receipt fingerprint and
    the fingerprints of the files actually served (read from the blobs)."""
    asiento = get(portal, entry["@id"]).json()
    justificante = get(portal, entry["justificante"]["@id"]).json()
    return {
        "numero": asiento["numero"],
        "csv": asiento["csv"],
        "resumen": asiento["resumen"],
        "receipt huella": justificante["huella"],
        "receipt served": served_huella(portal, entry["justificante"]["download"]),
        "documents": [
            (
                get(portal, document["@id"]).json()["huella"],
                served_huella(portal, f"{document['@id']}/@@download/file"),
            )
            for document in entry["documents"]
        ],
    }


def expected_receipt(entry):
    return {
        "numero": entry["numero"],
        "csv": entry["csv"],
        "resumen": entry["resumen"],
        "receipt huella": entry["justificante"]["huella"],
        "receipt served": entry["justificante"]["huella"],
        "documents": [(d["huella"], d["huella"]) for d in entry["documents"]],
    }


def journal_verify(home, settings):
    """`paeria-instance journal-verify` on the stopped instance: (global length,
    global head) of an intact journal."""
    result = run_instance("journal-verify", home, **settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Every journal chain is intact." in result.stdout, result.stdout
    match = re.search(r"Global chain: (\d+) entries, head (\w+)\.", result.stdout)
    assert match, result.stdout
    return int(match.group(1)), match.group(2)


def check_consistency(home, settings):
    """`paeria-instance check-consistency --json` (counts, the fingerprint of
    every document's file, journal chains) on the stopped instance."""
    result = run(
        [INSTANCE, "check-consistency", "--json", "--home", str(home)],
        env=instance_environment(**settings),
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["ok"] is True, report
    return report


class Instance:
    """A portal's folder and, on RelStorage, its database."""

    def __init__(self, home, dsn=None):
        self.home = home
        self.dsn = dsn

    def settings(self):
        settings = {"ADMIN_PASSWORD": ADMIN[1]}
        if self.dsn:
            settings["RELSTORAGE_DSN"] = self.dsn
        return settings

    def portal(self):
        return RunningPortal(self.home, **self.settings())


@pytest.fixture(
    params=["filestorage", pytest.param("relstorage", marks=pytest.mark.postgresql)]
)
def instances(request, tmp_path):
    """The original instance, the fresh one the backup is restored into and
    the one the backup taken under load is restored into."""
    names = ("original", "restored", "under-load")
    if request.param == "filestorage":
        yield [Instance(tmp_path / name) for name in names]
        return
    with ScratchDatabase() as a, ScratchDatabase() as b, ScratchDatabase() as c:
        yield [
            Instance(tmp_path / name, database.dsn)
            for name, database in zip(names, (a, b, c), strict=True)
        ]


def backup(instance, backup_dir, *options):
    started = time.monotonic()
    result = run_backup_script(
        "backup", instance.home, backup_dir, *options, **instance.settings()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"backup {options or ''} in {time.monotonic() - started:.1f} s:")
    print(result.stdout)
    return result


def backup_under_load(portal, instance, unidad, backup_dir):
    """A full backup taken while registrations keep arriving and committing;
    returns the entries registered meanwhile (the first one committed before
    the backup starts, the others while it runs or just after)."""
    registered, failures = [], []
    stop = threading.Event()

    def keep_registering():
        while not stop.is_set() or len(registered) < 3:
            try:
                registered.append(
                    register(portal, unidad, f"Under load {len(registered) + 1}")
                )
            except Exception as error:  # reported by the test, not lost
                failures.append(error)
                return

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while not registered and not failures and time.monotonic() < deadline:
            time.sleep(0.05)
        backup(instance, backup_dir, "--full")
    finally:
        stop.set()
        writer.join(120)
    assert not failures, failures
    return registered


def check_under_load_restore(instance, backup_dir, entries_at_most):
    """The backup taken under load, restored: whole entries only (each with its
    document and receipt, every file present and matching its fingerprint) and
    intact journal chains, whatever moment the snapshot fell on."""
    result = run_backup_script(
        "restore", instance.home, backup_dir, **instance.settings()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    configured = run_instance("configure", instance.home, **instance.settings())
    assert configured.returncode == 0, configured.stderr
    report = check_consistency(instance.home, instance.settings())
    asientos = report["counts"]["Asiento"]["total"]
    # The first entry, the first one registered under load before the backup
    # started, perhaps some more: never more than were registered.
    assert 2 <= asientos <= entries_at_most, report["counts"]
    # One expediente's document, and per entry its document and its receipt:
    # no entry is restored without its documents.
    assert report["counts"]["Documento"]["total"] == 1 + 2 * asientos, report
    assert report["integrity"]["checked"] == 1 + 2 * asientos
    return asientos


def size_of(folder):
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_online_backup_restored_into_a_fresh_instance(instances, tmp_path):
    original, restored, under_load = instances
    backup_dir = tmp_path / "backups"
    relstorage = original.dsn is not None

    portal = original.portal().start()
    try:
        unidad = create_unidad(portal.url, ADMIN)
        documento = create_expediente(portal, unidad)
        entries = [register(portal, unidad, "Before the backup, first")]
        year = entries[0]["numero"].split("/")[1]
        assert entries[0]["numero"] == f"E/{year}/000001"
        # A backup while registrations commit, restored and checked at the end.
        entries += backup_under_load(
            portal, original, unidad, tmp_path / "backups-under-load"
        )
        if not relstorage:
            # A full backup, then more entries, then an incremental one: the
            # restore has to put the two together.
            backup(original, backup_dir, "--full")
        entries += [
            register(portal, unidad, "Before the backup, second"),
            register(portal, unidad, "Before the backup, third"),
        ]
        # The journal sealed and verified over REST just before the backup.
        journal = get(portal, "/@journal-verify").json()
        assert journal["ok"], journal
        before = contents(portal)
        assert len(before["Asiento"]) == len(entries)
        numbers = [entry["numero"] for entry in entries]
        assert numbers == [f"E/{year}/{n:06d}" for n in range(1, len(entries) + 1)]
        next_number = f"E/{year}/{len(entries) + 1:06d}"

        backup(original, backup_dir)  # online: the portal keeps serving
        if relstorage:
            dumps = list((backup_dir / "relstorage").glob("paeria-*.dump"))
            assert len(dumps) == 1, dumps
        else:
            repository = backup_dir / "filestorage"
            assert len(list(repository.glob("*.fs"))) == 1
            assert len(list(repository.glob("*.deltafs"))) == 1
        print(f"backup size: {size_of(backup_dir) / 1e6:.1f} MB")

        later = register(portal, unidad, "After the backup")
        assert later["numero"] == next_number

        # The running portal's data is never overwritten by a restore.
        refused = run_backup_script(
            "restore", original.home, backup_dir, "--force", **original.settings()
        )
        if relstorage:
            # No lock to see on PostgreSQL; --force would replace the database,
            # so only the refusal without it is tried.
            refused = run_backup_script(
                "restore", original.home, backup_dir, **original.settings()
            )
            assert "is not empty" in refused.stderr, refused.stderr
        else:
            assert "stop it before restoring" in refused.stderr, refused.stderr
        assert refused.returncode == 2
        assert len(search(portal, "Asiento")) == len(entries) + 1
    finally:
        portal.stop()

    started = time.monotonic()
    result = run_backup_script(
        "restore", restored.home, backup_dir, **restored.settings()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"restore in {time.monotonic() - started:.1f} s:\n{result.stdout}")
    # Restoring again over the restored data is refused without FORCE=1.
    again = run_backup_script(
        "restore", restored.home, backup_dir, **restored.settings()
    )
    assert again.returncode == 2 and "FORCE=1" in again.stderr, again.stderr

    # Checked on the stopped instance first, before any request journals a view.
    configured = run_instance("configure", restored.home, **restored.settings())
    assert configured.returncode == 0, configured.stderr
    length, head = journal_verify(restored.home, restored.settings())
    assert (length, head) == (journal["global_length"], journal["global_head"])
    report = check_consistency(restored.home, restored.settings())
    counted = {kind: report["counts"][kind]["total"] for kind in before}
    assert counted == {kind: len(paths) for kind, paths in before.items()}
    assert report["integrity"]["checked"] == len(before["Documento"])
    assert not report["integrity"]["mismatches"], report["integrity"]
    assert not report["integrity"]["missing"], report["integrity"]
    assert report["journal"]["global_head"] == journal["global_head"]

    portal = restored.portal().start()
    try:
        assert contents(portal) == before
        for entry in entries:
            assert receipt(portal, entry) == expected_receipt(entry)
        got = get(portal, documento["@id"]).json()
        assert got["huella"] == documento["huella"]
        served = served_huella(portal, documento["file"]["download"])
        assert served == documento["huella"]

        # The register goes on from the restored counter: the entry registered
        # after the backup is not there, and its number is the next one given.
        following = register(portal, unidad, "After the restore")
        assert following["numero"] == next_number
        assert receipt(portal, following)["resumen"] == "After the restore"
        assert [path.rsplit("/", 1)[1] for path in search(portal, "Asiento")] == [
            f"e-{year}-{n:06d}" for n in range(1, len(entries) + 2)
        ]
    finally:
        portal.stop()

    under_load_entries = check_under_load_restore(
        under_load, tmp_path / "backups-under-load", len(entries)
    )
    print(f"the backup under load holds {under_load_entries} entries")
