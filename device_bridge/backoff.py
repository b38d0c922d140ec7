"""Capped exponential backoff with jitter, shared by the port readers and the uplink."""

from __future__ import annotations

import random


class Backoff:
    """Delays that double from ``initial`` up to ``cap``, reset after a success."""

    def __init__(
        self, initial: float, cap: float, *, factor: float = 2.0, rng: random.Random | None = None
    ) -> None:
        if initial <= 0 or cap < initial or factor < 1:
            raise ValueError("backoff needs 0 < initial <= cap and factor >= 1")
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self._rng = rng or random.Random()
        self._attempt = 0

    @property
    def attempts(self) -> int:
        """Failures since the last reset."""
        return self._attempt

    def next_delay(self) -> float:
        """The wait before the next attempt; each call counts one more failure."""
        # Stop growing the exponent once the cap is reached, so a port unplugged for a week
        # never overflows a float.
        ceiling = min(self.cap, self.initial * self.factor ** min(self._attempt, 64))
        self._attempt += 1
        # Equal jitter: half of the delay is fixed so a bridge never hammers the server with
        # near-zero waits, half is random so bridges restarted together spread out.
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        """Start again from ``initial`` after a success."""
        self._attempt = 0
