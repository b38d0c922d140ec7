"""Capped exponential backoff with jitter."""

from __future__ import annotations

import random

from device_bridge.backoff import Backoff


def test_delays_double_up_to_the_cap_with_jitter_in_the_upper_half() -> None:
    backoff = Backoff(0.5, 8.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(10)]
    ceilings = [0.5, 1, 2, 4, 8, 8, 8, 8, 8, 8]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert backoff.attempts == 10


def test_a_reset_starts_again_from_the_initial_delay() -> None:
    backoff = Backoff(0.5, 8.0, rng=random.Random(1))
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 0.5


def test_jitter_spreads_bridges_that_fail_together() -> None:
    delays = {round(Backoff(1, 30, rng=random.Random(seed)).next_delay(), 6) for seed in range(20)}
    assert len(delays) == 20


def test_a_week_of_failures_never_overflows() -> None:
    backoff = Backoff(0.5, 30.0)
    for _ in range(5000):
        assert backoff.next_delay() <= 30.0
