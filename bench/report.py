"""The one table: figure | paeria.egov | stock Plone | ratio | target | met?,
in Markdown, and the same with every raw measure as JSON."""

CREATION_RATE = 75  # items/s
CREATION_TIME_RATIO = 1.3  # paeria's time per item / stock's
LOOKUP_IN_PROCESS_MS = 10
LOOKUP_HTTP_MS = 30
FULLTEXT_IN_PROCESS_MS = 20
OPEN_MS = 40
THROUGHPUT_RATIO = 0.9
SCALE_OUT = 1.7
RETRY_RATE = 0.01
COLD_START_S = 5
ZODB_PER_DOCUMENT = 8 * 1024


def dig(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def ratio(paeria, stock):
    if paeria is None or stock in (None, 0):
        return None
    return paeria / stock


class Row:
    def __init__(self, section, figure, unit, paeria, stock, target="", met=None):
        self.section = section
        self.figure = figure
        self.unit = unit
        self.paeria = paeria
        self.stock = stock
        self.target = target
        self.met = met

    def ratio(self):
        return ratio(self.main(self.paeria), self.main(self.stock))

    @staticmethod
    def main(value):
        """The value a ratio or target is about: p95 of a (p50, p95) pair."""
        return value[1] if isinstance(value, tuple) else value

    def cell(self, value):
        if value is None:
            return "n/m"
        if isinstance(value, tuple):
            return " / ".join(number(v) for v in value) + f" {self.unit}"
        if self.unit == "%":
            return f"{value * 100:.2f} %"
        return f"{number(value)} {self.unit}".strip()

    def met_cell(self):
        if not self.target:
            return "—"
        if self.met is None:
            return "n/m"
        return "yes" if self.met else "**no**"

    def markdown(self):
        ratio_ = self.ratio()
        ratio_text = "—" if ratio_ is None else f"{ratio_:.2f}×"
        return (
            f"| {self.figure} | {self.cell(self.paeria)} | {self.cell(self.stock)} "
            f"| {ratio_text} | {self.target or '—'} | {self.met_cell()} |"
        )

    def json(self):
        return {
            "section": self.section,
            "figure": self.figure,
            "unit": self.unit,
            "paeria": self.paeria,
            "stock": self.stock,
            "ratio": self.ratio(),
            "target": self.target,
            "met": self.met,
        }


def number(value):
    if value is None:
        return "n/m"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def check(value, test):
    return None if value is None else bool(test(value))


def percentiles(results, *keys):
    found = dig(results, *keys)
    if not found:
        return None
    return (found["p50_ms"], found["p95_ms"])


def failed_rate(results):
    writers = dig(results, "writers")
    if not writers:
        return None
    return (writers["requests"] - writers["created"]) / max(writers["requests"], 1)


def _creation_rows(results):
    """Section 1: creation rates."""
    paeria, stock = results["paeria"], results["stock"]
    out = []
    for key, how in (("create_api", "Python API"), ("create_rest", "REST POST")):
        p, s = dig(paeria, key, "items_per_s"), dig(stock, key, "items_per_s")
        time_ratio = ratio(s, p)  # paeria's time per item over stock's
        out.append(
            Row(
                "1",
                f"Creation, {how}: expediente + 5 documents per transaction",
                "items/s",
                p,
                s,
                f"≥ {CREATION_RATE} items/s and time/item ≤ {CREATION_TIME_RATIO}× "
                f"stock (ratio ≥ {1 / CREATION_TIME_RATIO:.2f})",
                None
                if p is None or time_ratio is None
                else p >= CREATION_RATE and time_ratio <= CREATION_TIME_RATIO,
            )
        )
    return out


def _lookup_rows(results):
    """Section 2: lookups, in process and over HTTP."""
    paeria, stock = results["paeria"], results["stock"]
    out = []
    in_process = (
        ("tray", "Work tray (open, by deadline, 25/page)", LOOKUP_IN_PROCESS_MS),
        ("nif", "Expedientes of a NIF", LOOKUP_IN_PROCESS_MS),
        ("numero", "Expediente by number", LOOKUP_IN_PROCESS_MS),
        ("fulltext", "Full text over documents (25)", FULLTEXT_IN_PROCESS_MS),
    )
    over_http = (
        ("tray", "Work tray, HTTP `@search`", LOOKUP_HTTP_MS),
        ("tray_page", "Work tray, HTTP Classic UI page", None),
        ("nif", "Expedientes of a NIF, HTTP `@search`", LOOKUP_HTTP_MS),
        ("numero", "Expediente by number, HTTP `@search`", LOOKUP_HTTP_MS),
        ("fulltext", "Full text, HTTP `@search`", None),
    )
    for where, figures, suffix in (
        ("inprocess", in_process, "in-process p50 / p95"),
        ("http", over_http, "1 client, p50 / p95"),
    ):
        for key, label, limit in figures:
            p = percentiles(paeria, where, key)
            out.append(
                Row(
                    "2",
                    f"{label}, {suffix}",
                    "ms",
                    p,
                    percentiles(stock, where, key),
                    f"p95 ≤ {limit} ms" if limit else "",
                    check(p, lambda v, limit=limit: v[1] <= limit) if limit else None,
                )
            )
    return out


def _open_rows(results):
    """Section 3: opening an expediente of 50 documents."""
    paeria, stock = results["paeria"], results["stock"]
    out = []
    p = percentiles(paeria, "open", "rest")
    s = percentiles(stock, "open", "rest")
    out.append(
        Row(
            "3",
            "Expediente with 50 documents, REST GET, 1 client, p50 / p95",
            "ms",
            p,
            s,
            f"p95 ≤ {OPEN_MS} ms",
            check(p, lambda v: v[1] <= OPEN_MS),
        )
    )
    out.append(
        Row(
            "3",
            "Expediente with 50 documents, Classic UI page, 1 client, p50 / p95",
            "ms",
            percentiles(paeria, "open", "page"),
            percentiles(stock, "open", "page"),
        )
    )
    return out


def _throughput_rows(results):
    """Section 4: throughput, on FileStorage and RelStorage."""
    paeria, stock = results["paeria"], results["stock"]
    out = []
    p = dig(paeria, "throughput", "requests_per_s")
    s = dig(stock, "throughput", "requests_per_s")
    out.append(
        Row(
            "4",
            "Throughput, REST GET of expedientes, 4 clients, 1 process (FileStorage)",
            "req/s",
            p,
            s,
            f"≥ {THROUGHPUT_RATIO}× stock",
            check(ratio(p, s), lambda v: v >= THROUGHPUT_RATIO),
        )
    )
    out.append(
        Row(
            "4",
            "… its latency p50 / p95 under that load",
            "ms",
            percentiles(paeria, "throughput"),
            percentiles(stock, "throughput"),
        )
    )
    one = {side: dig(results[side], "cluster", "one") for side in results}
    two = {side: dig(results[side], "cluster", "two") for side in results}
    for label, measured in (
        ("1 process behind HAProxy, 4 clients", one),
        ("2 processes behind HAProxy, 8 clients", two),
    ):
        out.append(
            Row(
                "4",
                f"Throughput on RelStorage, {label}",
                "req/s",
                dig(measured, "paeria", "requests_per_s"),
                dig(measured, "stock", "requests_per_s"),
            )
        )
    scale_out = {
        side: ratio(dig(two, side, "requests_per_s"), dig(one, side, "requests_per_s"))
        for side in results
    }
    out.append(
        Row(
            "4",
            "Two processes ÷ one (RelStorage, through HAProxy)",
            "×",
            scale_out["paeria"],
            scale_out["stock"],
            f"≥ {SCALE_OUT}",
            check(scale_out["paeria"], lambda v: v >= SCALE_OUT),
        )
    )
    return out


def _writers_rows(results):
    """Section 5: concurrent writers."""
    paeria, stock = results["paeria"], results["stock"]
    out = []
    out.append(
        Row(
            "5",
            "10 concurrent writers, 2 processes on RelStorage: registrations/s "
            "(stock: Files created in one Folder/s)",
            "/s",
            dig(paeria, "writers", "created_per_s"),
            dig(stock, "writers", "created_per_s"),
        )
    )
    p = dig(paeria, "writers", "retry_rate")
    out.append(
        Row(
            "5",
            "Write-conflict retry rate (retried attempts ÷ requests)",
            "%",
            p,
            dig(stock, "writers", "retry_rate"),
            f"< {RETRY_RATE * 100:.0f} %",
            check(p, lambda v: v < RETRY_RATE),
        )
    )

    out.append(
        Row(
            "5",
            "Writes answered with an error after the retries (÷ requests)",
            "%",
            failed_rate(paeria),
            failed_rate(stock),
        )
    )
    return out


def _start_rows(results):
    """Section 6: cold start and memory (measured with any HTTP section)."""
    paeria, stock = results["paeria"], results["stock"]
    out = []
    p, s = dig(paeria, "cold_start_s"), dig(stock, "cold_start_s")
    out.append(
        Row(
            "6",
            "Cold start to the first 200 of the site root",
            "s",
            p,
            s,
            f"≤ {COLD_START_S} s",
            check(p, lambda v: v <= COLD_START_S),
        )
    )
    out.append(
        Row(
            "6",
            "Resident memory per process (VmRSS after the HTTP figures)",
            "MB",
            dig(paeria, "rss_mb"),
            dig(stock, "rss_mb"),
        )
    )
    return out


def _zodb_row(results):
    """Section 6: ZODB size per document (always reported)."""
    paeria, stock = results["paeria"], results["stock"]
    p = dig(paeria, "zodb", "bytes_per_document")
    return Row(
        "6",
        "ZODB bytes per document after pack (Data.fs ÷ documents, blobs excluded)",
        "B",
        p,
        dig(stock, "zodb", "bytes_per_document"),
        f"≤ {ZODB_PER_DOCUMENT // 1024} KB",
        check(p, lambda v: v <= ZODB_PER_DOCUMENT),
    )


# (section, its rows) in report order.
_SECTION_ROWS = (
    ("1", _creation_rows),
    ("2", _lookup_rows),
    ("3", _open_rows),
    ("4", _throughput_rows),
    ("5", _writers_rows),
)


def rows(results, sections):
    out = []
    for section, section_rows in _SECTION_ROWS:
        if section in sections:
            out.extend(section_rows(results))
    if sections & {"1", "2", "3", "4", "6"}:
        out.extend(_start_rows(results))
    out.append(_zodb_row(results))
    return out


def build(scale, sections, machine, volume, results, notes, seconds):
    table = rows(results, sections)
    paeria_volume = volume.get("paeria", {})
    stock_volume = volume.get("stock", {})
    lines = [
        f"## paeria.egov vs stock Plone {machine['plone']} — scale `{scale}`",
        "",
        "| Figure | paeria.egov | stock Plone | ratio | target | met? |",
        "|---|---|---|---|---|---|",
        *(row.markdown() for row in table),
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gb']} GB; Python {machine['python']}, Zope "
        f"{machine['zope']}, plone.restapi {machine['plone_restapi']}; "
        f"{machine['date']}; run took {seconds / 60:.1f} min.",
        f"- Data volume: paeria.egov {paeria_volume.get('units', '?')} units, "
        f"{paeria_volume.get('expedientes', '?')} expedientes, "
        f"{paeria_volume.get('asientos', '?')} register entries, "
        f"{paeria_volume.get('documents', '?')} documents; stock Plone "
        f"{stock_volume.get('folders', '?')} Folders, "
        f"{stock_volume.get('documents', '?')} Files (the same bytes). "
        f"Source: {volume.get('data_source')}.",
        "- Ratio = paeria.egov ÷ stock Plone of the value shown (of p95 for "
        "latencies): below 1 is faster for latencies, slower for rates.",
        "- Load generator (wrk, HAProxy, the writers' Python client) on the same "
        "machine as the Zope processes: it takes CPU from them.",
        "- Stock equivalents: Folder for Expediente, File for Documento; tray = "
        "private Folders of a unit folder by `modified`; NIF and number = "
        "`Subject` keyword lookups; writers = Files POSTed into one Folder "
        "(stock Plone has no register). See bench/README.md.",
        *(f"- {note}" for note in notes),
    ]
    if scale == "small":
        lines.append(
            "- Scale `small` keeps the harness working (CI); the targets are "
            "about the reference volume (`--scale reference`)."
        )
    markdown = "\n".join(lines) + "\n"
    return {
        "markdown": markdown,
        "json": {
            "scale": scale,
            "sections": sorted(sections),
            "machine": machine,
            "volume": volume,
            "figures": [row.json() for row in table],
            "results": results,
            "notes": notes,
            "seconds": seconds,
        },
    }
