"""`lotwise verify`: every invariant the data must hold, each check naming what breaks it."""

from __future__ import annotations

from backend.audit import chain
from backend.core.invariants import Check, Violation
from backend.stock.checks import CHECKS as STOCK_CHECKS


async def audit_chain() -> list[Violation]:
    _count, broken = await chain.verify()
    if broken is None:
        return []
    return [Violation("audit_chain", f"audit entry {broken.entry_id}: {broken.reason}")]


# Each domain with invariants contributes its (name, check) pairs here.
CHECKS: list[tuple[str, Check]] = [("audit chain", audit_chain), *STOCK_CHECKS]


async def run_all() -> list[Violation]:
    violations: list[Violation] = []
    for _name, check in CHECKS:
        violations += await check()
    return violations
