"""Background jobs of requisitions: the nightly par-level proposals for every ward cabinet."""

from __future__ import annotations

import logging
from typing import Any

from backend.core import db
from backend.core.actor import SYSTEM
from backend.core.errors import DomainError
from backend.requisitions import requesting

log = logging.getLogger(__name__)


async def propose_par_requisitions(ctx: dict[str, Any], *department_ids: int) -> dict[str, int]:
    """A draft requisition for each department whose cabinet is below its par levels (all
    departments with par levels when none are named). Safe to run twice: a department with a
    par draft waiting gets no second one."""
    if department_ids:
        ids = list(department_ids)
    else:
        rows = await db.fetch(
            "SELECT DISTINCT c.department FROM department_catalogue c "
            "JOIN department d ON d.id = c.department "
            "WHERE c.par_level > 0 AND c.active = {} AND d.active = {} ORDER BY c.department",
            True,
            True,
        )
        ids = [int(r["department"]) for r in rows]
    proposed = skipped = failed = 0
    for department_id in ids:
        try:
            row = await requesting.propose_from_par(SYSTEM, department_id)
        except DomainError as exc:  # a missing department, no cabinet: the others go on
            log.warning("par proposal for department %s refused: %s", department_id, exc)
            failed += 1
            continue
        if row is None:
            skipped += 1
        else:
            proposed += 1
    return {"departments": len(ids), "proposed": proposed, "skipped": skipped, "failed": failed}


FUNCTIONS = [propose_par_requisitions]
