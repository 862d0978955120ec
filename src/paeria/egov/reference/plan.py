"""What each reference expediente will be, decided before anything is stored.

A plan is a pure function of (seed, scale, index): the loader can stop after
any batch and a later run rebuilds exactly the plans it had not stored yet.
Dates grow with the index, so numbers are consecutive within each year as if
the entries had arrived one after another over the years.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from paeria.egov.clock import MADRID
from paeria.egov.reference.people import party
from paeria.egov.states import Expediente
from paeria.egov.states import RESOLVED_EXPEDIENTE_STATES
import random


# The years the reference data spans, as a register would have filled them.
START = MADRID.localize(datetime(2022, 1, 3, 8, 0))
END = MADRID.localize(datetime(2026, 11, 20, 15, 0))

# Lleida's share: four in five expedientes start from a register entry (the
# rest ex officio), 85 % of entries are filed online.
FROM_ENTRY = 0.8
ONLINE = 0.85
NOTIFIED = 0.08


# The path through the expediente workflow to each state.
EXPEDIENTE_STEPS = {
    Expediente.INICIADO: (),
    Expediente.EN_TRAMITACION: ((Expediente.TRAMITAR, Expediente.EN_TRAMITACION),),
    Expediente.SUBSANACION: (
        (Expediente.TRAMITAR, Expediente.EN_TRAMITACION),
        (Expediente.REQUERIR_SUBSANACION, Expediente.SUBSANACION),
    ),
    Expediente.RESUELTO: (
        (Expediente.TRAMITAR, Expediente.EN_TRAMITACION),
        (Expediente.RESOLVER, Expediente.RESUELTO),
    ),
    Expediente.CERRADO: (
        (Expediente.TRAMITAR, Expediente.EN_TRAMITACION),
        (Expediente.RESOLVER, Expediente.RESUELTO),
        (Expediente.CERRAR, Expediente.CERRADO),
    ),
    Expediente.ARCHIVADO: (
        (Expediente.TRAMITAR, Expediente.EN_TRAMITACION),
        (Expediente.RESOLVER, Expediente.RESUELTO),
        (Expediente.CERRAR, Expediente.CERRADO),
        (Expediente.ARCHIVAR, Expediente.ARCHIVADO),
    ),
}

# The ENI document types of the documents a case worker adds (all of them
# appear; the receipt, TD09, comes from the register).
EXTRA_TIPOS = (*tuple(f"TD{n:02d}" for n in range(2, 21) if n != 9), "TD99")
EXTRA_FORMATS = (("pdf", 0.5), ("odt", 0.3), ("txt", 0.2))


@dataclass(frozen=True)
class ExpedientePlan:
    index: int
    opened: datetime
    unit: int
    procedure: int
    party: int
    state: str
    from_entry: bool
    online: bool
    application_format: str
    electronic: bool
    notified: bool
    notification_accepted: bool

    @property
    def resolved(self):
        return self.state in RESOLVED_EXPEDIENTE_STATES

    def structural_documents(self):
        """Documents every plan of this shape has, whatever the extras: the
        entry's application and receipt and their copies in the expediente (or
        the ex officio order that opens it), the requirement, the signed
        resolution, and the notification's exit entry (its copy and receipt)."""
        count = 4 if self.from_entry else 1
        count += self.state == Expediente.SUBSANACION
        count += self.resolved
        count += 2 * self.notified
        return count


def _weights(count, skew):
    return [1 / (k + 1) ** skew for k in range(count)]


def _state(rng, age_days):
    draw = rng.random()
    if age_days < 60:
        table = (
            (Expediente.INICIADO, 0.2),
            (Expediente.EN_TRAMITACION, 0.6),
            (Expediente.SUBSANACION, 0.2),
        )
    elif age_days < 365:
        table = (
            (Expediente.EN_TRAMITACION, 0.25),
            (Expediente.SUBSANACION, 0.05),
            (Expediente.RESUELTO, 0.3),
            (Expediente.CERRADO, 0.4),
        )
    else:
        table = (
            (Expediente.EN_TRAMITACION, 0.05),
            (Expediente.CERRADO, 0.7),
            (Expediente.ARCHIVADO, 0.25),
        )
    for state, share in table:
        draw -= share
        if draw < 0:
            return state
    return table[-1][0]


def pick(rng, table):
    """A key of ``table`` ((key, share) pairs summing to 1)."""
    draw = rng.random()
    for key, share in table:
        draw -= share
        if draw < 0:
            return key
    return table[-1][0]


class Planner:
    def __init__(self, seed, scale):
        self.seed = seed
        self.scale = scale
        self.slot = (END - START) / scale.expedientes
        self.unit_weights = _weights(scale.units, 0.6)
        # Some parties have many expedientes, most have one.
        self.parties = max(1, int(scale.expedientes * 0.55))

    def rng(self, index, purpose=0):
        return random.Random(self.seed * 1_000_003 + index * 17 + purpose)

    def plan(self, index):
        rng = self.rng(index)
        opened = START + self.slot * (index + rng.random() * 0.9)
        opened = MADRID.normalize(opened).replace(microsecond=0)
        unit = rng.choices(range(self.scale.units), weights=self.unit_weights)[0]
        party_number = int(self.parties * rng.random() ** 1.6)
        state = _state(rng, (END - opened).days)
        from_entry = rng.random() < FROM_ENTRY
        online = from_entry and rng.random() < ONLINE
        # Companies must deal with the administration electronically (LPAC
        # 14.2); three in five people choose to.
        electronic = party(self.seed, party_number)[0] == "CIF" or party_number % 5 < 3
        return ExpedientePlan(
            index=index,
            opened=opened,
            unit=unit,
            procedure=rng.randrange(self.scale.procedures_per_unit),
            party=party_number,
            state=state,
            from_entry=from_entry,
            online=online,
            application_format="pdf" if online else pick(rng, EXTRA_FORMATS),
            electronic=electronic,
            notified=electronic
            and state in RESOLVED_EXPEDIENTE_STATES
            and rng.random() < NOTIFIED,
            notification_accepted=rng.random() < 0.8,
        )

    def extra_documents_total(self):
        """Documents left for case workers' extras once every plan's structural
        documents are counted, so that the whole set holds ``scale.documents``."""
        structural = sum(
            self.plan(index).structural_documents()
            for index in range(self.scale.expedientes)
        )
        return max(0, self.scale.documents - structural)

    def extra_documents(self, index, total):
        """This expediente's share of ``total`` extras: the shares add up to
        ``total`` exactly, whatever the order plans are made in."""
        count = self.scale.expedientes
        return (index + 1) * total // count - index * total // count

    def moments(self, plan, steps):
        """Increasing moments after the opening for ``steps`` workflow steps,
        all before the end of the reference period."""
        rng = self.rng(plan.index, 1)
        span = max((END - plan.opened).total_seconds(), 3600)
        cuts = sorted(rng.random() for _ in range(steps))
        return [
            MADRID.normalize(
                plan.opened + timedelta(seconds=span * cut * 0.95)
            ).replace(microsecond=0)
            for cut in cuts
        ]
