"""`lotwise verify`: every invariant the data must hold, each check naming what breaks it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from backend.audit import chain


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    detail: str


Check = Callable[[], Awaitable[list[Violation]]]


async def audit_chain() -> list[Violation]:
    _count, broken = await chain.verify()
    if broken is None:
        return []
    return [Violation("audit_chain", f"audit entry {broken.entry_id}: {broken.reason}")]


# Later domains add their checks here (stock: balances equal the ledger, ...).
from backend.stock.checks import CHECKS as STOCK_CHECKS  # noqa: E402  (imports Violation)

CHECKS: list[tuple[str, Check]] = [("audit chain", audit_chain), *STOCK_CHECKS]


async def run_all() -> list[Violation]:
    violations: list[Violation] = []
    for _name, check in CHECKS:
        violations += await check()
    return violations
