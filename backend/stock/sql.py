"""Raw SQL for stock and receiving: ``backend.core.db.fetch`` with rows as plain dicts.

On PostgreSQL ``db.fetch`` hands back asyncpg Records (read-only, not dicts) although it is
typed as dicts; callers here mutate rows and convert them to structs, so they get dicts.
"""

from __future__ import annotations

from typing import Any

from backend.core import db


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in await db.fetch(sql, *args)]
