"""The benchmark keeps working: `make bench SCALE=small` end to end.

Benchmarks are not timed tests (the machines are noisy): this only checks that
every figure of the issue's table is measured on both sides, from a fresh load
of the small reference data, and reported with its ratio. The figures
themselves live in docs/performance.md.
"""

from pathlib import Path
from tests.portal import run
from tests.postgresql import admin_connection
import json
import math
import pytest
import sys


pytestmark = pytest.mark.postgresql

ROOT = Path(__file__).resolve().parents[1]
# Each of the issue's six sections, by a word of its figures' names.
SECTIONS = {
    "1": "Creation",
    "2": "Work tray",
    "3": "50 documents",
    "4": "Throughput",
    "5": "writers",
    "6": "Cold start",
}


def test_small_benchmark_measures_every_figure_on_both_sides(tmp_path):
    admin_connection().close()  # skips, saying why, without PostgreSQL
    out = tmp_path / "bench.json"
    completed = run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--scale",
            "small",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        timeout=1500,
    )
    output = completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.returncode == 0, output
    result = json.loads(out.read_text())
    assert result["scale"] == "small"
    assert result["volume"], "the data volume is reported"
    figures = result["figures"]
    for number, word in SECTIONS.items():
        section = [f for f in figures if f["section"] == number]
        assert section, f"section {number} measured nothing"
        assert any(word in f["figure"] for f in section), (number, word)
    measured = 0
    for figure in figures:
        values = {}
        for side in ("paeria", "stock"):
            value = figure[side]
            # A latency is [p50, p95]; its ratio is that of the p95.
            if isinstance(value, list):
                p50, p95 = value
                assert 0 <= p50 <= p95, figure
                value = p95
            assert isinstance(value, int | float), figure
            assert math.isfinite(value) and value >= 0, figure
            values[side] = value
        if values["stock"]:
            expected = values["paeria"] / values["stock"]
            assert figure["ratio"] == pytest.approx(expected), figure
            measured += 1
    assert measured >= len(figures) - 3, "most figures have a stock ratio"
    # One table on standard output: a row per figure.
    table = [line for line in completed.stdout.splitlines() if line.startswith("| ")]
    assert len(table) >= len(figures) + 1
