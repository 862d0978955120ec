"""`paeria-instance integrity-scan` and `check-consistency` on a stopped portal
whose blob files were damaged on disk, as an operator would run them."""

from pathlib import Path
from tests.portal import created_instance
from tests.portal import run_instance
import json
import os
import pytest
import stat


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A FileStorage instance with the demo data (six documents), not running."""
    return created_instance(tmp_path_factory.mktemp("integrity"), DEMO=1)


def blob_files(home):
    return sorted(Path(home, "var", "blobstorage").rglob("*.blob"))


def consistency(home):
    result = run_instance("check-consistency", home, "--json")
    return result, json.loads(result.stdout)


def test_an_intact_portal_is_consistent(home):
    result, report = consistency(home)
    assert result.returncode == 0, result.stderr
    assert report["ok"] is True
    assert report["counts"]["Documento"]["total"] == 6
    assert report["counts"]["Expediente"]["total"] == 4
    assert report["integrity"]["checked"] == 6
    assert report["integrity"]["mismatches"] == []
    assert report["integrity"]["missing"] == []
    assert report["journal"]["ok"] is True
    assert report["journal"]["broken"] == []
    # Progress on stderr, nothing but the JSON on stdout.
    assert "Checked 6/6 documents" in result.stderr
    scanned = run_instance("integrity-scan", home)
    assert scanned.returncode == 0, scanned.stderr
    assert "Every document matches its fingerprint." in scanned.stdout


def test_damaged_blob_files_are_reported(home):
    corrupted, removed = blob_files(home)[:2]
    os.chmod(corrupted, stat.S_IRUSR | stat.S_IWUSR)
    with open(corrupted, "r+b") as stream:
        stream.seek(100)
        stream.write(b"XXXX")
    os.remove(removed)
    result, report = consistency(home)
    assert result.returncode == 1
    assert report["ok"] is False
    assert report["journal"]["ok"] is True
    (mismatch,) = report["integrity"]["mismatches"]
    assert mismatch["source"] == "huella"
    assert mismatch["expected"] != mismatch["found"]
    (missing,) = report["integrity"]["missing"]
    assert missing["found"] is None
    assert missing["reason"] == "blob not in the storage"
    scanned = run_instance("integrity-scan", home)
    assert scanned.returncode == 1
    assert f"MISMATCH {mismatch['path']}" in scanned.stdout
    assert f"MISSING {missing['path']}" in scanned.stdout
    assert "1 mismatches, 1 missing." in scanned.stdout
