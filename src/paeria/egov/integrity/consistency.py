"""The consistency check of a restored portal: counts by type and state, the
integrity scan and the journal's chains."""

from paeria.egov.integrity.scanning import BATCH_SIZE
from paeria.egov.integrity.scanning import scan
from paeria.egov.journal import verification


COUNTED_TYPES = (
    "Expediente",
    "Documento",
    "Asiento",
    "Notificacion",
    "SolicitudInforme",
    "Procedimiento",
    "Unidad",
)


# The "state" of an object without a workflow (a Unidad).
NO_STATE = "none"


def counts(site):
    """{portal_type: {"total": n, "states": {review_state: n}}} from the
    catalog (unrestricted) for the domain's types."""
    catalog = site.portal_catalog
    result = {}
    for portal_type in COUNTED_TYPES:
        states = {}
        total = 0
        for brain in catalog.unrestrictedSearchResults(portal_type=portal_type):
            state = brain.review_state or NO_STATE
            states[state] = states.get(state, 0) + 1
            total += 1
        result[portal_type] = {"total": total, "states": dict(sorted(states.items()))}
    return result


def consistency(site, progress=None, batch_size=BATCH_SIZE):
    """The consistency check of a restored portal: counts, the integrity scan
    and the journal's chains (verified without sealing: nothing is written).

    Returns ``{"counts": {...}, "integrity": {...}, "journal": {...},
    "ok": bool}``; ``integrity`` is
    :meth:`paeria.egov.integrity.scanning.ScanResult.as_dict` and ``journal``
    :meth:`paeria.egov.journal.verification.Verification.as_dict` (both with
    ``ok``). The shape is relied upon by the backup/restore system tests.
    """
    integrity = scan(site, progress=progress, batch_size=batch_size)
    chains = verification.verify(site, seal_first=False)
    return {
        "counts": counts(site),
        "integrity": integrity.as_dict(),
        "journal": chains.as_dict(),
        "ok": integrity.ok and chains.ok,
    }
