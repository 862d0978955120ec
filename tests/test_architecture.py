"""The package map holds: `lint-imports` keeps the import-linter contracts of
pyproject.toml (no import cycles; features above content above the shared
helpers above the clock). docs/architecture.md explains them."""

from pathlib import Path
import subprocess
import sys


ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
