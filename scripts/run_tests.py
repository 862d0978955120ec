"""Run the whole suite: the add-on's zope.testrunner suites, then the system suites
in tests/ (pytest, a real portal driven from outside). Exit 0 only when both pass;
the last line sums them up as ``Summary: N passed, N failed, N skipped``."""

from pathlib import Path
from xml.etree import ElementTree
import argparse
import os
import re
import subprocess
import sys
import tempfile


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

TOTAL = re.compile(
    r"(?:Total: (?P<total>\d+) tests?|Ran (?P<ran>\d+) tests?)"
    r"(?:, | with )(?P<failures>\d+) failures?, (?P<errors>\d+) errors?"
    r"(?: and (?P<skipped>\d+) skipped)?"
)


def run_unit(extra):
    """zope.testrunner over src/; returns (passed, failed, skipped, status)."""
    command = [
        str(BIN / "zope-testrunner"),
        "--path=src",
        "--test-path=src",
        "-s",
        "paeria.egov",
        "--all",
        "--auto-color",
        *extra,
    ]
    print("$ " + " ".join(command), flush=True)
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    last = None
    for line in process.stdout:
        sys.stdout.write(line)
        match = TOTAL.search(line)
        if match:
            last = match
    status = process.wait()
    if last is None:
        return 0, 1, 0, status or 1
    total = int(last["total"] or last["ran"])
    failed = int(last["failures"]) + int(last["errors"])
    skipped = int(last["skipped"] or 0)
    return total - failed - skipped, failed, skipped, status


def run_system(extra):
    """pytest over tests/; counts read from its JUnit report."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "junit.xml"
        command = [
            str(BIN / "python"),
            "-m",
            "pytest",
            "tests",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *extra,
        ]
        print("$ " + " ".join(command), flush=True)
        status = subprocess.call(command, cwd=ROOT)
        if not report.exists():
            return 0, 1, 0, status or 1
        suite = ElementTree.parse(report).getroot()
        if suite.tag == "testsuites":
            suite = suite[0]
        total = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        # pytest exits 5 when it collects nothing; an empty system suite is not
        # a failure of the run as long as the add-on's suites ran.
        if status == 5:
            status = 0
        return total - failed - skipped, failed, skipped, status


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["unit", "system"])
    parser.add_argument("extra", nargs="*", help="passed on to the runner")
    arguments = parser.parse_args()
    os.environ.setdefault("zope_i18n_compile_mo_files", "true")
    results = []
    if arguments.only in (None, "unit"):
        results.append(run_unit(arguments.extra))
    if arguments.only in (None, "system"):
        results.append(run_system(arguments.extra))
    passed = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    skipped = sum(r[2] for r in results)
    status = 0 if all(r[3] == 0 for r in results) and not failed else 1
    print(f"Summary: {passed} passed, {failed} failed, {skipped} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
