"""Who is acting: the signed-in user (or the system), with roles and scope, as services see it."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.core.errors import Lang


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    full_name: str = ""
    roles: frozenset[str] = frozenset()
    warehouse_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    all_scopes: bool = False
    """Admins and auditors see every warehouse and department."""
    lang: Lang = "zh-CN"
    address: str | None = None
    idempotency_key: str | None = field(default=None, compare=False)

    def sees_warehouse(self, warehouse_id: int) -> bool:
        return self.all_scopes or warehouse_id in self.warehouse_ids

    def sees_department(self, department_id: int) -> bool:
        return self.all_scopes or department_id in self.department_ids


SYSTEM = Actor(user_id=None, username="system", full_name="Lotwise", all_scopes=True)
