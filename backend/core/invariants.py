"""The shape of an invariant check for `lotwise verify`: it returns the violations it finds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    detail: str


Check = Callable[[], Awaitable[list[Violation]]]
