"""The throttle of failed lookups: a sliding window per client address, in the
memory of each Zope process (see the package's docstring for what that means
behind a balancer). Plone-free."""

from collections import deque
import math
import threading
import time


DEFAULT_MAX_MISSES = 10
DEFAULT_WINDOW_SECONDS = 600
# Addresses remembered at most; beyond, the stalest are forgotten (memory bound
# under a distributed attack, which the balancer must stop anyway).
DEFAULT_MAX_ADDRESSES = 10000


class FailedLookupThrottle:
    """Per-address sliding window of failed lookups, in this process's memory.

    After ``max_misses`` misses within ``window`` seconds an address is refused
    until the oldest of them leaves the window. Hits are not counted, nor are
    refused requests (a refused client is not kept out longer for insisting).
    ``clock`` returns seconds (monotonic); tests inject their own.
    """

    def __init__(
        self,
        max_misses=DEFAULT_MAX_MISSES,
        window=DEFAULT_WINDOW_SECONDS,
        clock=time.monotonic,
        max_addresses=DEFAULT_MAX_ADDRESSES,
    ):
        self.max_misses = max_misses
        self.window = window
        self.clock = clock
        self.max_addresses = max_addresses
        self._misses = {}
        self._lock = threading.Lock()

    def _current(self, address, now):
        misses = self._misses.get(address)
        if misses is None:
            return None
        while misses and misses[0] <= now - self.window:
            misses.popleft()
        if not misses:
            del self._misses[address]
            return None
        return misses

    def retry_after(self, address):
        """Seconds ``address`` must wait (at least 1), or 0 when it may ask."""
        with self._lock:
            now = self.clock()
            misses = self._current(address, now)
            if misses is None or len(misses) < self.max_misses:
                return 0
            return max(1, math.ceil(misses[0] + self.window - now))

    def record_miss(self, address):
        with self._lock:
            now = self.clock()
            misses = self._current(address, now)
            if misses is None:
                if len(self._misses) >= self.max_addresses:
                    self._forget_stalest(now)
                misses = self._misses[address] = deque()
            misses.append(now)
            while len(misses) > self.max_misses:
                misses.popleft()

    def _forget_stalest(self, now):
        for address in list(self._misses):
            self._current(address, now)
        while len(self._misses) >= self.max_addresses:
            stalest = min(self._misses, key=lambda key: self._misses[key][-1])
            del self._misses[stalest]

    def reset(self):
        with self._lock:
            self._misses.clear()


THROTTLE = FailedLookupThrottle()
