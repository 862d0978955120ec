"""Gapless, per-year numbering series (expedientes, register entries).

Each (series, year) has its own persistent counter. Two transactions that take
a number from the same counter at once conflict on that object, and it has no
conflict resolution on purpose: ZODB raises ConflictError, the publisher retries
the whole request, and so numbers are consecutive with no gap and no duplicate
(the number is only consumed if the transaction that took it commits). Counters
of different series or years never conflict with each other.
"""

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from zope.annotation.interfaces import IAnnotations


ANNOTATION_KEY = "paeria.egov.numbering"

EXPEDIENTE = "expediente"


class Counter(Persistent):
    """One series' last number; deliberately without ``_p_resolveConflict``."""

    def __init__(self):
        self.value = 0

    def take(self):
        self.value += 1
        return self.value


def _counters(site):
    annotations = IAnnotations(site)
    counters = annotations.get(ANNOTATION_KEY)
    if counters is None:
        counters = annotations[ANNOTATION_KEY] = OOBTree()
    return counters


def next_number(site, series, year):
    """Take the next number of ``series`` in ``year`` (1, 2, 3…)."""
    counters = _counters(site)
    key = (series, int(year))
    counter = counters.get(key)
    if counter is None:
        counter = counters[key] = Counter()
    return counter.take()


def last_number(site, series, year):
    """The last number taken in a series and year, 0 when none was."""
    counter = _counters(site).get((series, int(year)))
    return 0 if counter is None else counter.value


def format_expediente_number(year, number):
    """``AAAA/NNNNNN``: the expediente's number as staff and citizens read it."""
    return f"{int(year):04d}/{int(number):06d}"
