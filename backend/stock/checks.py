"""Invariants of stock for `lotwise verify`: each returns the violations it finds, named."""

from __future__ import annotations

from datetime import datetime

from backend.core import clock
from backend.core.db import fetch as fetch_rows
from backend.core.invariants import Violation
from backend.stock.reasons import ISSUING

MAX_REPORTED = 50


async def balances_match_ledger() -> list[Violation]:
    """Every balance's on_hand equals the sum of the ledger for its (location, lot, serial),
    and no ledger total lacks its balance."""
    sums = (
        "SELECT location, lot, COALESCE(serial, 0) AS serial, SUM(quantity) AS total "
        "FROM stock_ledger GROUP BY location, lot, COALESCE(serial, 0)"
    )
    rows = await fetch_rows(
        "SELECT b.id, b.location, b.lot, b.serial, b.on_hand, COALESCE(s.total, 0) AS total "
        f"FROM stock_balance b LEFT JOIN ({sums}) s ON s.location = b.location "
        "AND s.lot = b.lot AND s.serial = COALESCE(b.serial, 0) "
        f"WHERE b.on_hand <> COALESCE(s.total, 0) LIMIT {MAX_REPORTED}"
    )
    out = [
        Violation(
            "balance_equals_ledger",
            f"balance {r['id']} (location {r['location']}, lot {r['lot']}, serial {r['serial']}) "
            f"on_hand {r['on_hand']} but the ledger sums to {r['total']}",
        )
        for r in rows
    ]
    orphans = await fetch_rows(
        f"SELECT s.location, s.lot, s.serial, s.total FROM ({sums}) s "
        "LEFT JOIN stock_balance b ON b.location = s.location AND b.lot = s.lot "
        "AND COALESCE(b.serial, 0) = s.serial WHERE b.id IS NULL AND s.total <> 0 "
        f"LIMIT {MAX_REPORTED}"
    )
    out += [
        Violation(
            "balance_equals_ledger",
            f"ledger sums to {r['total']} at location {r['location']}, lot {r['lot']}, serial "
            f"{r['serial'] or None} but there is no balance",
        )
        for r in orphans
    ]
    return out


async def reserved_within_on_hand() -> list[Violation]:
    rows = await fetch_rows(
        "SELECT id, on_hand, reserved FROM stock_balance "
        f"WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand LIMIT {MAX_REPORTED}"
    )
    return [
        Violation(
            "reserved_within_on_hand",
            f"balance {r['id']}: on_hand {r['on_hand']}, reserved {r['reserved']} "
            "(want 0 <= reserved <= on_hand)",
        )
        for r in rows
    ]


async def reservations_match_pick_lines() -> list[Violation]:
    """What a balance has reserved is exactly what open pick lines hold on it."""
    rows = await fetch_rows(
        "SELECT b.id, b.reserved, COALESCE(p.held, 0) AS held FROM stock_balance b "
        "LEFT JOIN (SELECT balance, SUM(quantity) AS held FROM pick_line "
        "WHERE status IN ('open', 'picking') GROUP BY balance) p ON p.balance = b.id "
        f"WHERE b.reserved <> COALESCE(p.held, 0) LIMIT {MAX_REPORTED}"
    )
    return [
        Violation(
            "reservations_match_pick_lines",
            f"balance {r['id']} reserves {r['reserved']} but open pick lines hold {r['held']}",
        )
        for r in rows
    ]


async def serial_in_one_place() -> list[Violation]:
    rows = await fetch_rows(
        "SELECT serial, COUNT(*) AS places, SUM(on_hand) AS units FROM stock_balance "
        "WHERE serial IS NOT NULL AND on_hand > 0 GROUP BY serial "
        f"HAVING COUNT(*) > 1 OR SUM(on_hand) > 1 LIMIT {MAX_REPORTED}"
    )
    return [
        Violation(
            "serial_in_one_place",
            f"serial {r['serial']} is on hand {r['units']} times in {r['places']} places",
        )
        for r in rows
    ]


def _as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def no_unusable_issue() -> list[Violation]:
    """No issuing entry (pick, shipment to a customer) took a lot that was expired at that
    moment (site date), or not released by its status history then (lot, and serial)."""
    codes = sorted(int(r) for r in ISSUING)
    marks = ", ".join("{}" for _ in codes)

    def status_at(kind: str) -> str:
        match = "ev.serial IS NULL" if kind == "lot" else "ev.serial = e.serial"
        return (
            "(SELECT ev.new_status FROM lot_status_event ev WHERE ev.lot = e.lot AND "
            f"{match} AND ev.at <= e.at ORDER BY ev.at DESC, ev.id DESC LIMIT 1)"
        )

    rows = await fetch_rows(
        "SELECT e.id, e.lot, e.serial, e.at, l.lot_number, l.expiry, "
        f"{status_at('lot')} AS lot_status, "
        f"CASE WHEN e.serial IS NULL THEN 'released' ELSE {status_at('serial')} END "
        "AS serial_status FROM stock_ledger e JOIN lot l ON l.id = e.lot "
        f"WHERE e.reason IN ({marks})",
        *codes,
    )
    zone = clock.site_zone()
    out: list[Violation] = []
    for r in rows:
        day = _as_datetime(r["at"]).astimezone(zone).date()
        expiry = r["expiry"]
        problems = []
        if expiry is not None and expiry < day:
            problems.append(f"expired on {expiry}")
        if r["lot_status"] != "released":
            problems.append(f"lot status {r['lot_status']}")
        if r["serial_status"] != "released":
            problems.append(f"serial status {r['serial_status']}")
        if problems:
            out.append(
                Violation(
                    "no_unusable_issue",
                    f"ledger entry {r['id']} issued lot {r['lot_number']} ({r['lot']}) on {day}: "
                    + ", ".join(problems),
                )
            )
            if len(out) >= MAX_REPORTED:
                break
    return out


CHECKS = [
    ("stock: balances equal the ledger", balances_match_ledger),
    ("stock: 0 <= reserved <= on_hand", reserved_within_on_hand),
    ("stock: reservations match open pick lines", reservations_match_pick_lines),
    ("stock: a serial on hand in one place", serial_in_one_place),
    ("stock: no issue of an unusable lot", no_unusable_issue),
]
