"""Signing and validation times of the signing core (paeria.egov.signing),
with real keys from a development PKI and real PDFs, on this machine.

    .venv/bin/python bench/signing.py [--repeat 10] [--out results.json]

Figures (median of ``--repeat`` runs, milliseconds): stamp + PAdES B-B of a
100 KB and a 10 MB PDF; the same with a TSA (an RFC 3161 TSA on 127.0.0.1,
over HTTP), which with the development PKI's CRL at hand is B-LT: the chain is
validated and its CRL embedded; a batch of 50 100 KB PDFs (the key opened
once with the PIN, as ``POST @firmar`` does); validation of one signature.
Targets (issue 19): ≤150 ms per 100 KB (B-B), a batch of 50 within 10 s,
validation ≤100 ms.
The portal adds the ZODB work (the blob write and the transition) to these.
"""

from io import BytesIO
from paeria.egov.signing import pki
from paeria.egov.signing.engine import Signatures
from paeria.egov.tests.signing_support import DevPkiDirectory
from paeria.egov.tests.signing_support import LocalTsa
from paeria.egov.tests.signing_support import sample_pdf
from pypdf import PdfReader
from pypdf import PdfWriter
import argparse
import json
import os
import statistics
import sys
import time
import warnings


TARGETS = {
    "sign_100k_bb_ms": 150,
    "batch_50_bb_s": 10,
    "validate_ms": 100,
}


def pdf_of_size(size):
    """A real PDF of about ``size`` bytes: text pages, plus an attached file
    of random bytes (what a scanned annex weighs) beyond 200 KB."""
    pages = max(1, min(size // 5000, 40))
    data = sample_pdf(paragraphs=8, pages=pages)
    if len(data) >= size:
        return data
    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    writer.add_attachment("annex.bin", os.urandom(size - len(data)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def median_ms(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(repeat):
    dev = DevPkiDirectory()
    try:
        signatures = Signatures(dev.config())
        signer = signatures.employee("responsable.urbanismo", pki.DEV_PIN)
        small, large = pdf_of_size(100 * 1024), pdf_of_size(10 * 1024 * 1024)
        lines = ["Documento firmado electrónicamente", "CSV: BENCH-0001"]
        results = {"pdf_100k_bytes": len(small), "pdf_10m_bytes": len(large)}
        results["sign_100k_bb_ms"] = median_ms(
            lambda: signatures.sign_pdf(small, signer, lines), repeat
        )
        results["sign_10m_bb_ms"] = median_ms(
            lambda: signatures.sign_pdf(large, signer, lines), max(3, repeat // 3)
        )
        with LocalTsa(dev.pki) as tsa:
            timestamped = Signatures(dev.config(PAERIA_TSA_URL=tsa.url))
            results["sign_100k_bt_ms"] = median_ms(
                lambda: timestamped.sign_pdf(small, signer, lines), repeat
            )
            results["sign_10m_bt_ms"] = median_ms(
                lambda: timestamped.sign_pdf(large, signer, lines),
                max(3, repeat // 3),
            )

        def batch():
            batch_signer = signatures.employee("responsable.urbanismo", pki.DEV_PIN)
            for _ in range(50):
                signatures.sign_pdf(small, batch_signer, lines)

        results["batch_50_bb_s"] = median_ms(batch, 1) / 1000
        signed = signatures.sign_pdf(small, signer, lines)
        results["validate_ms"] = median_ms(
            lambda: signatures.validate_pdf(signed), repeat
        )
        return results
    finally:
        dev.cleanup()


def table(results):
    rows = [
        ("PAdES B-B, 100 KB PDF (ms)", "sign_100k_bb_ms"),
        ("PAdES B-B, 10 MB PDF (ms)", "sign_10m_bb_ms"),
        (
            "PAdES B-LT (local TSA over HTTP, CRL embedded), 100 KB (ms)",
            "sign_100k_bt_ms",
        ),
        (
            "PAdES B-LT (local TSA over HTTP, CRL embedded), 10 MB (ms)",
            "sign_10m_bt_ms",
        ),
        ("Batch of 50 × 100 KB, B-B (s)", "batch_50_bb_s"),
        ("Validation of one signature (ms)", "validate_ms"),
    ]
    lines = ["| Figure | Measured | Target | Met? |", "|---|---|---|---|"]
    for label, key in rows:
        target = TARGETS.get(key)
        met = "" if target is None else ("yes" if results[key] <= target else "NO")
        lines.append(
            f"| {label} | {results[key]:.1f} | {target if target else '—'} | {met} |"
        )
    return "\n".join(lines)


def main(argv=None):
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--out", help="write the raw figures as JSON here")
    arguments = parser.parse_args(argv)
    results = measure(arguments.repeat)
    print(table(results))
    if arguments.out:
        with open(arguments.out, "w", encoding="utf-8") as stream:
            json.dump(results, stream, indent=2)
    met = all(results[key] <= target for key, target in TARGETS.items())
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
