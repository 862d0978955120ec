"""The zc.buildout alternative install builds from constraints.txt and serves."""

from pathlib import Path
from tests.portal import free_port
from tests.portal import run
import os
import pytest


ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.buildout


def test_buildout_builds_and_the_instance_answers():
    # scripts/run_tests.py chooses the port (and checks it is free at the end).
    port = os.environ.get("BUILDOUT_PORT") or str(free_port())
    environment = dict(os.environ, BUILDOUT_PORT=port)
    result = run(
        ["bash", "scripts/buildout.sh", "check"],
        cwd=ROOT,
        env=environment,
        timeout=1500,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "buildout instance answers 200" in output
    # The [versions] buildout used are exactly the pins of constraints.txt.
    versions = (ROOT / "versions.cfg").read_text()
    pins = [
        line.split("==")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    for name, version in pins:
        assert f"{name} = {version}" in versions
