"""Reference data: a realistic, deterministic data set of any size.

``paeria-instance load-reference --scale reference`` fills a site with what
Lleida's council holds (30 units, 600 staff, 45,000 expedientes, 200,000
documents, its register entries and notifications); ``--scale small`` is a
hundredth of it, for CI and a developer's machine, and ``--scale tenth`` a
tenth. The same seed always gives
the same data, so a load that is interrupted resumes where it stopped and ends
as if it had never been. See docs/performance.md.
"""

from dataclasses import dataclass


REFERENCE_PASSWORD = "paeria-reference"  # noqa: S105 - documented test credential
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Scale:
    name: str
    units: int
    users: int
    expedientes: int
    documents: int
    procedures_per_unit: int = 3


SCALES = {
    "reference": Scale(
        "reference", units=30, users=600, expedientes=45000, documents=200000
    ),
    # A tenth, to measure at a volume between CI's and Lleida's in minutes.
    "tenth": Scale("tenth", units=3, users=60, expedientes=4500, documents=20000),
    "small": Scale("small", units=3, users=6, expedientes=450, documents=2000),
}
