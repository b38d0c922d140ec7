"""Department catalogues: the products a department may request, each with the par level of
its cabinet and a favourite flag; searched by name, model or code."""

from __future__ import annotations

from typing import Any

from backend.core import db
from backend.core.actor import Actor
from backend.core.crud import escape_like
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.requisitions import common, rules
from backend.requisitions.errors import NotInCatalogue
from backend.requisitions.tables import DepartmentCatalogue


async def search(
    actor: Actor,
    department_id: int,
    *,
    q: str | None = None,
    favourites: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    await common.department(actor, department_id)
    clauses = ["c.department = {}", "c.active = {}", "p.active = {}"]
    args: list[Any] = [department_id, True, True]
    if favourites:
        clauses.append("c.favourite = {}")
        args.append(True)
    if q:
        pattern = f"%{escape_like(q.lower())}%"
        clauses.append(
            "(LOWER(p.name) LIKE {} ESCAPE '\\' OR LOWER(p.model) LIKE {} ESCAPE '\\' "
            "OR LOWER(p.code) LIKE {} ESCAPE '\\' OR LOWER(COALESCE(p.name_en, '')) LIKE {} "
            "ESCAPE '\\')"
        )
        args += [pattern] * 4
    where = " AND ".join(clauses)
    base = f"FROM department_catalogue c JOIN product p ON p.id = c.product WHERE {where}"
    rows = await db.fetch(
        "SELECT c.id, c.department, c.product, c.par_level, c.favourite, p.code AS product_code, "
        "p.name AS product_name, p.model, p.base_unit, p.tracking, p.implant, p.unit_cost "
        f"{base} ORDER BY c.favourite DESC, p.name, p.model, c.id "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    total = await db.fetch(f"SELECT COUNT(*) AS n {base}", *args)
    return [dict(r) for r in rows], int(total[0]["n"])


async def entries(department_id: int, product_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Active catalogue entries of these products for the department."""
    if not product_ids:
        return {}
    ids = sorted(set(product_ids))
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(
        "SELECT c.*, p.code AS product_code FROM department_catalogue c "
        "JOIN product p ON p.id = c.product "
        f"WHERE c.department = {{}} AND c.active = {{}} AND p.active = {{}} "
        f"AND c.product IN ({marks})",
        department_id,
        True,
        True,
        *ids,
    )
    return {int(r["product"]): dict(r) for r in rows}


async def check_in_catalogue(department_id: int, product_ids: list[int]) -> None:
    found = await entries(department_id, product_ids)
    for n, product in enumerate(product_ids):
        if product not in found:
            raise NotInCatalogue(field=f"lines[{n}].product", product=product)


async def put(
    actor: Actor,
    department_id: int,
    *,
    product: int,
    par_level: int,
    favourite: bool,
    active: bool = True,
) -> dict[str, Any]:
    """Add a product to the catalogue or change its par level and favourite flag."""
    if par_level < 0 or par_level > rules.MAX_LINE_QUANTITY:
        raise InvalidInput(field="par_level", reason=f"between 0 and {rules.MAX_LINE_QUANTITY}")
    async with unit_of_work(actor) as uow:
        dept = await common.department(actor, department_id)
        if not (await common.products([product])):
            raise NotFound(field="product", entity="product", key=product)
        old = await (
            DepartmentCatalogue.select()
            .where(
                (DepartmentCatalogue.department == department_id)
                & (DepartmentCatalogue.product == product)
            )
            .first()
        )
        values = {"par_level": par_level, "favourite": favourite, "active": active}
        if old is None:
            rows = await DepartmentCatalogue.insert(
                DepartmentCatalogue(
                    department=department_id,
                    product=product,
                    par_level=par_level,
                    favourite=favourite,
                    active=active,
                )
            )
            entry_id = int(rows[0]["id"])
            uow.audit(
                "create", "department_catalogue", entry_id, new={"product": product, **values}
            )
        else:
            entry_id = int(old["id"])
            await DepartmentCatalogue.update(
                {
                    DepartmentCatalogue.par_level: par_level,
                    DepartmentCatalogue.favourite: favourite,
                    DepartmentCatalogue.active: active,
                }
            ).where(DepartmentCatalogue._meta.primary_key == entry_id)
            uow.audit(
                "update",
                "department_catalogue",
                entry_id,
                old={k: old[k] for k in values},
                new=values,
            )
        uow.emit(
            "department_catalogue.changed",
            {"department_id": dept["id"], "product": product},
        )
    row = (
        await DepartmentCatalogue.select()
        .where(DepartmentCatalogue._meta.primary_key == entry_id)
        .first()
    )
    return dict(row or {})
