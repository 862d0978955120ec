"""``paeria-instance load-reference``: the loader with a progress bar, resumable
after Ctrl-C, and a summary of what the site holds at the end."""

from paeria.egov.reference import SCALES
from paeria.egov.reference.loader import load
from paeria.egov.reference.loader import loaded_so_far
from tqdm import tqdm
import sys
import time
import transaction


def summary(site):
    """Objects per type and state, from the catalog."""
    catalog = site.portal_catalog
    lines = []
    for portal_type in (
        "Unidad",
        "Procedimiento",
        "Expediente",
        "Documento",
        "Asiento",
        "Notificacion",
    ):
        brains = catalog.unrestrictedSearchResults(portal_type=portal_type)
        states = {}
        for brain in brains:
            state = brain.review_state if isinstance(brain.review_state, str) else "-"
            states[state] = states.get(state, 0) + 1
        detail = ", ".join(
            f"{state} {count}" for state, count in sorted(states.items())
        )
        lines.append(f"  {portal_type:14} {len(brains):>8}  ({detail})")
    return "\n".join(lines)


def load_reference(site, scale, seed, batch, database_path=None):
    total = SCALES[scale].expedientes
    already = loaded_so_far(site)
    if already:
        print(f"Resuming after {already} expedientes loaded before.")
    # Rate and time left count this run's expedientes, not those loaded before.
    bar = tqdm(
        total=total,
        initial=already,
        unit="exp",
        desc=f"Loading {scale}",
        dynamic_ncols=True,
        smoothing=0.1,
        file=sys.stdout,
    )

    def report(done, total, counts):
        bar.update(done - bar.n)
        bar.set_postfix(objects=sum(counts.values()), refresh=False)

    started = time.monotonic()
    try:
        loader, finished = load(
            site, scale=scale, seed=seed, batch=batch, report=report
        )
    except KeyboardInterrupt:
        transaction.abort()
        bar.close()
        print(
            "Interrupted: every batch committed so far is kept; run the same "
            "command again to resume."
        )
        return 130
    bar.close()
    elapsed = time.monotonic() - started
    created = sum(loader.counts.values())
    print(
        f"Loaded the {scale} reference data (seed {seed}): {created} objects in "
        f"{elapsed:.0f} s ({created / elapsed if elapsed else 0:.1f} objects/s)."
    )
    print(summary(site))
    return 0 if finished else 1
