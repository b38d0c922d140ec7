"""`lotwise verify`: every invariant the data must hold, each check naming what breaks it."""

from __future__ import annotations

from backend.audit import chain
from backend.core.invariants import Check, Violation
from backend.stock.checks import CHECKS as STOCK_CHECKS


async def audit_chain() -> list[Violation]:
    """The sealed chain verifies in seal order, and no entry waits unsealed for long (no sealer
    running: its changes are not yet protected by the chain)."""
    violations: list[Violation] = []
    _count, broken = await chain.verify()
    if broken is not None:
        violations.append(
            Violation("audit_chain", f"audit entry {broken.entry_id}: {broken.reason}")
        )
    stale, first = await chain.unsealed()
    if stale:
        minutes = int(chain.UNSEALED_TOO_LONG.total_seconds() // 60)
        violations.append(
            Violation(
                "audit_chain",
                f"audit entry {first}: {stale} entries unsealed for more than {minutes} minutes "
                "(is a sealer running? `lotwise worker`, or the server without Redis)",
            )
        )
    return violations


# Each domain with invariants contributes its (name, check) pairs here.
CHECKS: list[tuple[str, Check]] = [("audit chain", audit_chain), *STOCK_CHECKS]


async def run_all() -> list[Violation]:
    violations: list[Violation] = []
    for _name, check in CHECKS:
        violations += await check()
    return violations
