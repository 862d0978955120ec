"""What ``paeria-instance integrity-scan`` and ``check-consistency`` print.

instance/cli.py opens the database and finds the site; these functions run the
check on it and return the command's exit status (0 all is well, 1 something
is wrong). Progress goes to stderr, the result to stdout: with ``--json`` the
standard output is one JSON document and nothing else, for scripts (the
backup/restore system tests read ``check-consistency --json``).
"""

from paeria.egov.integrity.consistency import consistency
from paeria.egov.integrity.findings import describe
from paeria.egov.integrity.scanning import BATCH_SIZE
from paeria.egov.integrity.scanning import scan
import json
import sys
import time


# A progress line at least this often, whatever the number of documents.
PROGRESS_SECONDS = 10


def human_bytes(size):
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{size} B"
        size /= 1024
    return f"{size:.1f} TB"  # pragma: no cover


class Progress:
    """Prints "Checked n/total documents …" with the rate and an estimate of
    the time left, every ``every`` documents or :data:`PROGRESS_SECONDS`."""

    def __init__(self, every=1000, stream=None, clock=time.monotonic):
        self.every = max(1, every)
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.next_count = self.every
        self.last_time = clock()

    def __call__(self, result):
        finished = result.checked >= result.total
        due = result.checked >= self.next_count
        late = self.clock() - self.last_time >= PROGRESS_SECONDS
        if not (finished or due or late):
            return
        while self.next_count <= result.checked:
            self.next_count += self.every
        self.last_time = self.clock()
        print(self.line(result), file=self.stream, flush=True)

    @staticmethod
    def line(result):
        seconds = max(result.seconds, 1e-6)
        rate = result.checked / seconds
        line = (
            f"Checked {result.checked}/{result.total} documents, "
            f"{human_bytes(result.bytes_read)} read, {rate:.1f} documents/s, "
            f"{human_bytes(result.bytes_read / seconds)}/s"
        )
        left = result.total - result.checked
        if left and rate:
            line += f", about {left / rate:.0f} s left"
        problems = len(result.mismatches) + len(result.missing)
        if problems:
            line += f"; {problems} problems so far"
        return line + "."


def summary_line(integrity):
    """One line of the scan's summary (``integrity`` as :meth:`as_dict`)."""
    return (
        f"Checked {integrity['checked']} documents "
        f"({human_bytes(integrity['bytes_read'])}) in {integrity['seconds']:.1f} s: "
        f"{len(integrity['mismatches'])} mismatches, "
        f"{len(integrity['missing'])} missing."
    )


def print_findings(result, stream):
    for finding in result.mismatches:
        print(f"MISMATCH {describe(finding)}", file=stream)
    for finding in result.missing:
        print(f"MISSING {describe(finding)}", file=stream)


def integrity_scan(site, as_json=False, every=1000, stdout=None, stderr=None):
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    result = scan(
        site,
        progress=Progress(every, stream=stderr),
        batch_size=max(1, min(every, BATCH_SIZE)),
    )
    if as_json:
        print(json.dumps(result.as_dict(), indent=2, sort_keys=True), file=stdout)
    else:
        print_findings(result, stdout)
        print(summary_line(result.as_dict()), file=stdout)
        if result.ok:
            print("Every document matches its fingerprint.", file=stdout)
    return 0 if result.ok else 1


def check_consistency(site, as_json=False, every=1000, stdout=None, stderr=None):
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    report = consistency(
        site,
        progress=Progress(every, stream=stderr),
        batch_size=max(1, min(every, BATCH_SIZE)),
    )
    if as_json:
        print(json.dumps(report, indent=2, sort_keys=True), file=stdout)
        return 0 if report["ok"] else 1
    print("Counts:", file=stdout)
    for portal_type, count in report["counts"].items():
        states = ", ".join(f"{state} {n}" for state, n in count["states"].items())
        print(
            f"  {portal_type}: {count['total']}" + (f" ({states})" if states else ""),
            file=stdout,
        )
    integrity = report["integrity"]
    for kind, key in (("MISMATCH", "mismatches"), ("MISSING", "missing")):
        for finding in integrity[key]:
            print(
                f"{kind} {finding['path']} ({finding['uid']}): {finding['source']} "
                f"expected {finding['expected']}, found {finding['found']}"
                + (f" ({finding['reason']})" if finding.get("reason") else ""),
                file=stdout,
            )
    print(f"Integrity: {summary_line(integrity)}", file=stdout)
    verification = report["journal"]
    print(
        f"Journal: checked {verification['chains_checked']} chains and "
        f"{verification['entries_checked']} entries; global chain "
        f"{verification['global_length']} entries.",
        file=stdout,
    )
    for broken in verification["broken"]:
        print(
            f"BROKEN journal chain {broken['chain']} at entry {broken['index']}: "
            f"{broken['mismatch']}",
            file=stdout,
        )
    if report["ok"]:
        print("The portal is consistent.", file=stdout)
        return 0
    print("The portal is NOT consistent: see above.", file=stdout)
    return 1
