"""Today's tasks: counting and listing queries over the receiving, stock and requisition tables,
limited to the warehouses the actor sees. Read-only; the work is done through their services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core import db
from backend.core.actor import Actor
from backend.core.db import fetch

RECEIVING_KINDS = ("receiving",)


def _scope(actor: Actor, column: str) -> tuple[str, list[Any]]:
    """` AND column IN (...)` for the actor's warehouses; nothing for admins and auditors; an
    always-false test for someone without any warehouse."""
    if actor.all_scopes:
        return "", []
    return db.and_in(column, actor.warehouse_ids)


@dataclass(frozen=True, slots=True)
class Summary:
    receive: int
    """Receipt lines waiting for their incoming inspection."""
    qa_release: int
    """Receipt lines inspected and waiting for QA's signed release or rejection."""
    putaway: int
    """Released lots (or serials) still lying in a receiving location."""
    pick: int
    """Open pick lists."""
    transfer: int
    """Transfer orders shipped towards one of my warehouses and not yet received, plus picked
    orders of mine waiting to be shipped."""
    dispatch: int
    """Ward requisitions waiting for my warehouse to release them to picking: approved, or
    back-ordered (nothing was in stock) and not yet allocated again. Ward orders' 待下发 tab."""


async def _count(sql: str, *args: Any) -> int:
    rows = await fetch(sql, *args)
    return int(rows[0]["n"]) if rows else 0


async def summary(actor: Actor) -> Summary:
    r_scope, r_args = _scope(actor, "r.warehouse")
    loc_scope, loc_args = _scope(actor, "loc.warehouse")
    pl_scope, pl_args = _scope(actor, "pl.warehouse")
    to_scope, to_args = _scope(actor, "t.from_warehouse")
    q_scope, q_args = _scope(actor, "q.warehouse")
    receive = await _count(
        "SELECT COUNT(*) AS n FROM receipt_line rl JOIN receipt r ON r.id = rl.receipt "
        "WHERE rl.status = 'pending_inspection'" + r_scope,
        *r_args,
    )
    qa = await _count(
        "SELECT COUNT(*) AS n FROM receipt_line rl JOIN receipt r ON r.id = rl.receipt "
        "WHERE rl.status = 'inspected'" + r_scope,
        *r_args,
    )
    putaway = await _count(
        "SELECT COUNT(*) AS n FROM stock_balance b JOIN location loc ON loc.id = b.location "
        "JOIN lot l ON l.id = b.lot "
        "WHERE b.on_hand > 0 AND loc.kind = 'receiving' AND l.status = 'released'" + loc_scope,
        *loc_args,
    )
    pick = await _count(
        "SELECT COUNT(*) AS n FROM pick_list pl WHERE pl.status = 'open'" + pl_scope, *pl_args
    )
    incoming = await _count(
        "SELECT COUNT(*) AS n FROM transfer_order t JOIN location loc ON loc.id = t.to_location "
        "WHERE t.status = 'shipped'" + loc_scope,
        *loc_args,
    )
    outgoing = await _count(
        "SELECT COUNT(*) AS n FROM transfer_order t WHERE t.status = 'picked'" + to_scope,
        *to_args,
    )
    dispatch = await _count(
        "SELECT COUNT(*) AS n FROM requisition q "
        "WHERE q.status IN ('approved', 'back_ordered')" + q_scope,
        *q_args,
    )
    return Summary(receive, qa, putaway, pick, incoming + outgoing, dispatch)


async def inspection_queue(actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Receipt lines waiting for inspection or for QA's decision, oldest first, with what QA
    needs to see: product, lot, expiry, quantity, serials, temperature, supplier, inspection."""
    scope, args = _scope(actor, "r.warehouse")
    rows = await fetch(
        "SELECT rl.id, rl.receipt, rl.line_no, rl.status, rl.quantity, rl.serials, "
        "rl.arrival_temperature, r.received_at, r.received_by_name, r.delivery_note, "
        "r.warehouse, w.code AS warehouse_code, s.name AS supplier_name, "
        "p.id AS product, p.code AS product_code, p.name AS product_name, "
        "p.name_en AS product_name_en, p.model, p.cold_chain, p.storage_temp_min, "
        "p.storage_temp_max, p.registration_no, l.id AS lot, l.lot_number, l.expiry, "
        "l.status AS lot_status "
        "FROM receipt_line rl JOIN receipt r ON r.id = rl.receipt "
        "JOIN warehouse w ON w.id = r.warehouse JOIN supplier s ON s.id = r.supplier "
        "JOIN product p ON p.id = rl.product JOIN lot l ON l.id = rl.lot "
        "WHERE rl.status IN ('pending_inspection', 'inspected')" + scope + " "
        "ORDER BY r.received_at, rl.id LIMIT {}",
        *args,
        limit,
    )
    if not rows:
        return rows
    ids = [r["id"] for r in rows]
    marks = ", ".join("{}" for _ in ids)
    inspections = await fetch(
        "SELECT receipt_line, appearance_ok, packaging_ok, label_ok, certificate_ok, accepted, "
        "rejected, rejected_serials, reject_reason, note, inspector_name, inspected_at "
        f"FROM inspection WHERE receipt_line IN ({marks}) ORDER BY id",
        *ids,
    )
    by_line = {i["receipt_line"]: i for i in inspections}
    for row in rows:
        row["serials"] = _json_list(row["serials"])
        found = by_line.get(row["id"])
        if found is not None:
            found = dict(found)
            found["rejected_serials"] = _json_list(found["rejected_serials"])
            for key in ("appearance_ok", "packaging_ok", "label_ok", "certificate_ok"):
                found[key] = bool(found[key])
        row["inspection"] = found
        row["cold_chain"] = bool(row["cold_chain"])
    return rows


def _json_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        import json

        loaded = json.loads(value)
        return [str(x) for x in loaded] if isinstance(loaded, list) else []
    return [str(x) for x in value]


async def putaway_queue(actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Stock lying in receiving locations, released or not (the screen says which may go)."""
    scope, args = _scope(actor, "loc.warehouse")
    return await fetch(
        "SELECT b.id, b.lot, l.lot_number, l.expiry, l.status AS lot_status, b.serial, "
        "sn.serial AS serial_number, b.on_hand, b.reserved, b.location, loc.code AS location_code, "
        "loc.warehouse, w.code AS warehouse_code, p.id AS product, p.code AS product_code, "
        "p.name AS product_name, p.name_en AS product_name_en, p.model "
        "FROM stock_balance b JOIN location loc ON loc.id = b.location "
        "JOIN warehouse w ON w.id = loc.warehouse JOIN lot l ON l.id = b.lot "
        "JOIN product p ON p.id = l.product LEFT JOIN serial_number sn ON sn.id = b.serial "
        "WHERE b.on_hand > 0 AND loc.kind = 'receiving'" + scope + " "
        "ORDER BY l.status = 'released' DESC, b.id DESC LIMIT {}",
        *args,
        limit,
    )


async def pick_queue(actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Open pick lists with their destination and how many lines are still open."""
    scope, args = _scope(actor, "pl.warehouse")
    return await fetch(
        "SELECT pl.id, pl.document_type, pl.document_id, pl.warehouse, w.code AS warehouse_code, "
        "pl.created_at, t.to_customer, dest.code AS to_location_code, "
        "dw.code AS to_warehouse_code, "
        "(SELECT COUNT(*) FROM pick_line x WHERE x.pick_list = pl.id) AS lines, "
        "(SELECT COUNT(*) FROM pick_line x WHERE x.pick_list = pl.id AND x.status = 'open') "
        "AS open_lines "
        "FROM pick_list pl JOIN warehouse w ON w.id = pl.warehouse "
        "LEFT JOIN transfer_order t ON pl.document_type = 'transfer_order' "
        "AND t.id = pl.document_id "
        "LEFT JOIN location dest ON dest.id = t.to_location "
        "LEFT JOIN warehouse dw ON dw.id = dest.warehouse "
        "WHERE pl.status = 'open'" + scope + " ORDER BY pl.created_at, pl.id LIMIT {}",
        *args,
        limit,
    )


async def transfer_queue(actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Transfer orders that need me: picked in my warehouse and not shipped (`outgoing`), or
    shipped towards my warehouse and not received (`incoming`, with the units shipped, since the
    receiver may not see the sender's pick list)."""
    from_scope, from_args = _scope(actor, "t.from_warehouse")
    to_scope, to_args = _scope(actor, "dest.warehouse")
    head = (
        "SELECT t.id, t.status, t.from_warehouse, fw.code AS from_warehouse_code, "
        "t.to_location, dest.code AS to_location_code, dest.warehouse AS to_warehouse, "
        "dw.code AS to_warehouse_code, t.to_customer, t.note, t.created_at, t.shipped_at "
        "FROM transfer_order t JOIN warehouse fw ON fw.id = t.from_warehouse "
        "LEFT JOIN location dest ON dest.id = t.to_location "
        "LEFT JOIN warehouse dw ON dw.id = dest.warehouse "
    )
    outgoing = await fetch(
        head + "WHERE t.status IN ('allocated', 'picked')" + from_scope + " ORDER BY t.id LIMIT {}",
        *from_args,
        limit,
    )
    incoming = await fetch(
        head
        + "WHERE t.status = 'shipped' AND t.to_location IS NOT NULL"
        + to_scope
        + " ORDER BY t.shipped_at, t.id LIMIT {}",
        *to_args,
        limit,
    )
    for row in outgoing:
        row["direction"] = "outgoing"
        row["units"] = await _picked_units(row["id"])
    for row in incoming:
        row["direction"] = "incoming"
        row["units"] = await _picked_units(row["id"])
    return outgoing + incoming


async def _picked_units(order_id: int) -> list[dict[str, Any]]:
    return await fetch(
        "SELECT pk.picked_lot AS lot, l.lot_number, l.expiry, pk.picked_serial AS serial, "
        "sn.serial AS serial_number, p.id AS product, p.code AS product_code, "
        "p.name AS product_name, p.name_en AS product_name_en, p.model, "
        "SUM(pk.picked) AS quantity "
        "FROM pick_line pk JOIN pick_list pl ON pl.id = pk.pick_list "
        "JOIN lot l ON l.id = pk.picked_lot JOIN product p ON p.id = l.product "
        "LEFT JOIN serial_number sn ON sn.id = pk.picked_serial "
        "WHERE pl.document_type = 'transfer_order' AND pl.document_id = {} AND pk.picked > 0 "
        "GROUP BY pk.picked_lot, l.lot_number, l.expiry, pk.picked_serial, sn.serial, p.id, "
        "p.code, p.name, p.name_en, p.model ORDER BY p.code, l.lot_number, sn.serial",
        order_id,
    )


async def destinations(actor: Actor) -> list[dict[str, Any]]:
    """Receiving locations of every active warehouse: where a transfer order may be sent.
    Codes and names only, so showing another warehouse's receiving bay reveals no stock."""
    del actor
    return await fetch(
        "SELECT loc.id, loc.code, loc.name, loc.warehouse, w.code AS warehouse_code, "
        "w.name AS warehouse_name FROM location loc JOIN warehouse w ON w.id = loc.warehouse "
        "WHERE loc.kind = 'receiving' AND loc.active = {} AND w.active = {} "
        "ORDER BY w.code, loc.code",
        True,
        True,
    )
