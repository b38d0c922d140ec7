"""Pure stock rules: lot status changes, the one "available" predicate, usability at the moment
of use, FEFO/FIFO order and allocation, temperature classes, pick verification.

Plain values in, decisions out; ``today`` is passed in. Services hold no rule of their own: the
SQL that narrows candidates is built from the constants defined here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from backend.core.errors import InvalidInput
from backend.stock.errors import (
    DeviationReasonRequired,
    InsufficientStock,
    LocationNotUsable,
    LotExpired,
    LotNotReleased,
    LotOnHold,
    LotRecalled,
    LotRejected,
    PickQuantityExceeded,
    SerialNotUsable,
    SerialRequired,
    StatusTransition,
    TemperatureClass,
    WrongProduct,
)

PENDING = "pending_inspection"
RELEASED = "released"
REJECTED = "rejected"
ON_HOLD = "on_hold"
RECALLED = "recalled"
LOT_STATUSES = (PENDING, RELEASED, REJECTED, ON_HOLD, RECALLED)

# pending_inspection → released | rejected; released ⇄ on_hold; QA may reject a held lot;
# anything → recalled. A pending lot cannot be held: releasing the hold would skip QA.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({RELEASED, REJECTED, RECALLED}),
    RELEASED: frozenset({ON_HOLD, RECALLED}),
    ON_HOLD: frozenset({RELEASED, RECALLED, REJECTED}),
    REJECTED: frozenset({RECALLED}),
    RECALLED: frozenset(),
}

# ---- "available": defined once --------------------------------------------------------------

AVAILABLE_LOT_STATUSES = (RELEASED,)
AVAILABLE_SERIAL_STATUSES = (RELEASED,)
AVAILABLE_LOCATION_KINDS = ("storage", "point_of_use")
STOCK_KEEPING_KINDS = ("storage", "point_of_use")
"""Kinds where devices are kept for use: a cold-chain product must fit their temperature."""


def is_expired(expiry: date | None, today: date) -> bool:
    """Usable through the whole expiry day (site time), locked from the next."""
    return expiry is not None and expiry < today


def is_available(
    *,
    lot_status: str,
    expiry: date | None,
    serial_status: str | None,
    location_kind: str,
    today: date,
) -> bool:
    """May this stock be allocated, picked or issued now? The SQL of candidate queries uses the
    same constants (see ``available_sql``)."""
    return (
        lot_status in AVAILABLE_LOT_STATUSES
        and not is_expired(expiry, today)
        and (serial_status is None or serial_status in AVAILABLE_SERIAL_STATUSES)
        and location_kind in AVAILABLE_LOCATION_KINDS
    )


def available_quantity(on_hand: int, reserved: int) -> int:
    return on_hand - reserved


def available_sql(lot: str, location: str, serial: str) -> str:
    """The availability predicate as SQL over aliases of lot, location and serial rows; the
    caller binds ``today`` as the one parameter. Literals come from the constants above."""

    def quoted(values: Iterable[str]) -> str:
        return ", ".join(f"'{v}'" for v in values)

    return (
        f"{lot}.status IN ({quoted(AVAILABLE_LOT_STATUSES)}) "
        f"AND ({lot}.expiry IS NULL OR {lot}.expiry >= {{}}) "
        f"AND {location}.kind IN ({quoted(AVAILABLE_LOCATION_KINDS)}) "
        f"AND ({serial}.id IS NULL OR {serial}.status IN ({quoted(AVAILABLE_SERIAL_STATUSES)}))"
    )


# ---- usability at the moment of use ---------------------------------------------------------


def check_lot_usable(lot_number: str, status: str, expiry: date | None, today: date) -> None:
    """Raise the reason a lot may not be picked or issued; expiry first, whatever the status."""
    if is_expired(expiry, today):
        raise LotExpired(lot=lot_number, expiry=str(expiry))
    if status == RECALLED:
        raise LotRecalled(lot=lot_number)
    if status == ON_HOLD:
        raise LotOnHold(lot=lot_number)
    if status == REJECTED:
        raise LotRejected(lot=lot_number)
    if status not in AVAILABLE_LOT_STATUSES:
        raise LotNotReleased(lot=lot_number, state=status)


def check_serial_usable(serial: str, status: str) -> None:
    if status not in AVAILABLE_SERIAL_STATUSES:
        raise SerialNotUsable(serial=serial, state=status)


def check_transition(old: str, new: str) -> None:
    if new not in LOT_STATUSES or new not in TRANSITIONS.get(old, frozenset()):
        raise StatusTransition(old=old, new=new)


def check_quantity(quantity: int, field: str = "quantity") -> None:
    if quantity <= 0:
        raise InvalidInput(field=field, reason="must be at least 1")


def check_serial_quantity(serial_tracked: bool, serial_id: int | None, quantity: int) -> None:
    """Serial-tracked stock moves one named serial at a time; other stock has no serial."""
    if serial_tracked and (serial_id is None or quantity != 1):
        raise SerialRequired(field="serial")
    if not serial_tracked and serial_id is not None:
        raise InvalidInput(field="serial", reason="this product is not serial-tracked")


def is_serial_tracked(tracking: str) -> bool:
    return tracking in ("serial", "lot_serial")


# ---- temperature classes --------------------------------------------------------------------


def fits_temperature(
    *,
    cold_chain: bool,
    product_min: float | None,
    product_max: float | None,
    location_kind: str,
    location_min: float | None,
    location_max: float | None,
) -> bool:
    """A cold-chain product is kept only where the controlled range lies inside its own."""
    if not cold_chain or location_kind not in STOCK_KEEPING_KINDS:
        return True
    if location_min is None or location_max is None:
        return False
    low = product_min if product_min is not None else float("-inf")
    high = product_max if product_max is not None else float("inf")
    return low <= location_min and location_max <= high


def check_destination(
    *,
    product_code: str,
    cold_chain: bool,
    product_min: float | None,
    product_max: float | None,
    location_code: str,
    location_kind: str,
    location_min: float | None,
    location_max: float | None,
    allowed_kinds: Sequence[str],
) -> None:
    if location_kind not in allowed_kinds:
        raise LocationNotUsable(location=location_code, kind=location_kind)
    if not fits_temperature(
        cold_chain=cold_chain,
        product_min=product_min,
        product_max=product_max,
        location_kind=location_kind,
        location_min=location_min,
        location_max=location_max,
    ):
        raise TemperatureClass(product=product_code, location=location_code)


# ---- FEFO / FIFO allocation -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """Available stock in one balance row, as allocation sees it."""

    balance_id: int
    lot_id: int
    serial_id: int | None
    location_id: int
    expiry: date | None
    received_at: datetime
    available: int


@dataclass(frozen=True, slots=True)
class Take:
    candidate: Candidate
    quantity: int


@dataclass(frozen=True, slots=True)
class Allocation:
    takes: tuple[Take, ...]
    short: int

    @property
    def allocated(self) -> int:
        return sum(t.quantity for t in self.takes)


def allocation_key(candidate: Candidate, method: str) -> tuple[object, ...]:
    """FEFO: earliest expiry (no expiry last), then oldest receipt; FIFO: oldest receipt.
    Ties break on lot, location and balance ids, so the order is total and repeatable."""
    received = candidate.received_at
    tail = (candidate.lot_id, candidate.location_id, candidate.balance_id)
    if method == "fifo":
        return (received, *tail)
    no_expiry = candidate.expiry is None
    return (no_expiry, candidate.expiry or date.max, received, *tail)


def allocate(candidates: Iterable[Candidate], quantity: int, method: str = "fefo") -> Allocation:
    """Take ``quantity`` from the candidates in allocation order; what is missing is short."""
    check_quantity(quantity)
    takes: list[Take] = []
    remaining = quantity
    for candidate in sorted(candidates, key=lambda c: allocation_key(c, method)):
        if remaining == 0:
            break
        if candidate.available <= 0:
            continue
        take = min(candidate.available, remaining)
        takes.append(Take(candidate, take))
        remaining -= take
    return Allocation(tuple(takes), remaining)


def require_full(allocation: Allocation, wanted: int) -> None:
    if allocation.short:
        raise InsufficientStock(wanted=wanted, available=allocation.allocated)


# ---- pick verification ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PickedUnit:
    """What the picker scanned: the lot (and serial) and the state they are in now."""

    product_id: int
    lot_id: int
    lot_number: str
    lot_status: str
    expiry: date | None
    serial_id: int | None = None
    serial: str | None = None
    serial_status: str | None = None


def verify_pick(
    *,
    line_product: int,
    line_lot: int,
    line_serial: int | None,
    allocated: int,
    picked: PickedUnit,
    quantity: int,
    deviation_reason: str | None,
    today: date,
) -> bool:
    """Check a scanned unit against its pick line; True when it deviates from the allocation
    (another usable lot or serial, accepted with a reason), False when it is the allocated one.
    An expired, held, recalled or unreleased unit is refused whatever was allocated."""
    check_quantity(quantity)
    if picked.product_id != line_product:
        raise WrongProduct()
    if quantity > allocated:
        raise PickQuantityExceeded(quantity=quantity, allocated=allocated)
    check_lot_usable(picked.lot_number, picked.lot_status, picked.expiry, today)
    if picked.serial is not None and picked.serial_status is not None:
        check_serial_usable(picked.serial, picked.serial_status)
    deviates = picked.lot_id != line_lot or picked.serial_id != line_serial
    if deviates and not (deviation_reason and deviation_reason.strip()):
        raise DeviationReasonRequired(field="deviation_reason")
    return deviates


# ---- putaway suggestion ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    location_id: int
    code: str
    kind: str
    temp_min: float | None
    temp_max: float | None
    holds_product: int
    """Units of the product already there."""
    holds_anything: int
    """Units of anything there."""


def suggest_putaway(
    places: Iterable[Place],
    *,
    cold_chain: bool,
    product_min: float | None,
    product_max: float | None,
) -> list[Place]:
    """Where the product already is (most first), else empty places of the right temperature
    class; a non-cold-chain product prefers places without a controlled range."""
    fitting = [
        p
        for p in places
        if p.kind == "storage"
        and fits_temperature(
            cold_chain=cold_chain,
            product_min=product_min,
            product_max=product_max,
            location_kind=p.kind,
            location_min=p.temp_min,
            location_max=p.temp_max,
        )
    ]
    already = sorted(
        (p for p in fitting if p.holds_product > 0), key=lambda p: (-p.holds_product, p.code)
    )
    empty = sorted(
        (p for p in fitting if p.holds_anything == 0),
        key=lambda p: (not cold_chain and p.temp_max is not None, p.code),
    )
    return already + empty
