"""Pure requisition rules: quantities, status changes, who may approve at which level, budget
and quota checks (warn or block), par-level shortfalls, patient references, substitution,
return destinations and the figures (fill rate, back-order rate, lead time).

Plain values in, decisions out; ``today`` is passed in where a date matters.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from backend.core.errors import DomainError, InvalidInput
from backend.requisitions.errors import (
    AlreadyApproved,
    BudgetExceeded,
    NotAnApprover,
    NotEquivalent,
    OwnRequisition,
    PatientReferenceInvalid,
    PatientUseRequired,
    QuantityOutOfRange,
    QuotaExceeded,
    ReasonRequired,
    RequisitionState,
)

MAX_LINE_QUANTITY = 10_000
"""More than this many base units on one requisition line is a typing error, not a request."""
MAX_LINES = 200

HIGH_VALUE_UNIT_COST = 500_000
"""Default high-value threshold (分 per base unit, i.e. 5,000 yuan): a line at or above it
needs the second approval level. A department's approval policy may set its own."""

URGENCIES = ("routine", "urgent", "emergency")

# ---- status ---------------------------------------------------------------------------------

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
PICKING = "picking"
BACK_ORDERED = "back_ordered"
SHIPPED = "shipped"
DELIVERED = "delivered"
RECEIVED = "received"
CANCELLED = "cancelled"

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SUBMITTED, CANCELLED}),
    SUBMITTED: frozenset({APPROVED, REJECTED, CANCELLED}),
    APPROVED: frozenset({PICKING, BACK_ORDERED, CANCELLED}),
    BACK_ORDERED: frozenset({PICKING, CANCELLED}),
    PICKING: frozenset({SHIPPED}),
    SHIPPED: frozenset({DELIVERED, RECEIVED}),
    DELIVERED: frozenset({RECEIVED}),
    RECEIVED: frozenset({PICKING}),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
}
"""received → picking: an open back-order allocated later starts a new shipment."""

OPEN_STATUSES = (SUBMITTED, APPROVED, BACK_ORDERED, PICKING, SHIPPED, DELIVERED)
COMMITTED_STATUSES = (APPROVED, BACK_ORDERED, PICKING, SHIPPED, DELIVERED, RECEIVED)
"""Requisitions whose approved value counts against the period's budget and quotas."""


def check_transition(requisition: int, old: str, new: str, action: str) -> None:
    if new not in TRANSITIONS.get(old, frozenset()):
        raise RequisitionState(requisition=f"REQ-{requisition}", state=old, action=action)


def check_quantity(quantity: int, field: str = "quantity") -> None:
    if quantity <= 0 or quantity > MAX_LINE_QUANTITY:
        raise QuantityOutOfRange(field=field, quantity=quantity, limit=MAX_LINE_QUANTITY)


def check_urgency(urgency: str) -> None:
    if urgency not in URGENCIES:
        raise InvalidInput(field="urgency", reason="routine, urgent or emergency")


def check_needed_by(needed_by: date | None, today: date) -> None:
    if needed_by is not None and needed_by < today:
        raise InvalidInput(field="needed_by", reason="must not be in the past")


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# ---- approval -------------------------------------------------------------------------------


def levels_needed(unit_costs: Iterable[int], threshold: int) -> int:
    """Two levels when any line's unit cost reaches the high-value threshold, else one."""
    return 2 if any(cost >= threshold for cost in unit_costs) else 1


LEVEL_ROLES: dict[int, frozenset[str]] = {
    1: frozenset({"department_head", "admin"}),
    2: frozenset({"admin"}),
}
"""Who may give each level: the department head (or an admin) first; for high-value lines an
admin (the hospital's equipment office) second. A policy may name another role for level 2."""


def check_approver(
    *,
    requester_id: int | None,
    approver_id: int | None,
    approver_roles: Iterable[str],
    level: int,
    level_roles: Mapping[int, Iterable[str]] | None = None,
    earlier_approvers: Iterable[int | None] = (),
) -> None:
    """Raise why this person may not give this level of approval. The requester never
    approves their own requisition (DOMAIN rule 10), whatever their roles."""
    if approver_id is not None and approver_id == requester_id:
        raise OwnRequisition()
    allowed = set((level_roles or LEVEL_ROLES).get(level, ()))
    if not allowed & set(approver_roles):
        raise NotAnApprover(level=level)
    if approver_id is not None and approver_id in set(earlier_approvers):
        raise AlreadyApproved()


@dataclass(frozen=True, slots=True)
class Decision:
    """One line's approval: the quantity approved and, perhaps, a substitute product."""

    line: int
    requested: int
    approved: int
    substitute: int | None = None
    reason: str | None = None


def check_decision(d: Decision, field: str) -> None:
    if d.approved < 0 or d.approved > d.requested:
        raise InvalidInput(
            field=f"{field}.approved_quantity", reason=f"between 0 and {d.requested}"
        )
    changed = d.approved != d.requested or d.substitute is not None
    if changed and not (d.reason and d.reason.strip()):
        raise ReasonRequired(field=f"{field}.reason", what="partial approval or substitution")


def check_substitute(
    product_code: str, product_category: str, substitute_code: str, substitute_category: str
) -> None:
    """An equivalent product is one of the same device family (category)."""
    if product_category != substitute_category:
        raise NotEquivalent(field="substitute", product=product_code, substitute=substitute_code)


# ---- budget and quota -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Warning:
    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class BudgetState:
    period: str
    budget: int | None
    """None: no budget set for the period (nothing to check)."""
    committed: int
    """Value already committed by other requisitions of the period."""

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else self.budget - self.committed


@dataclass(frozen=True, slots=True)
class QuotaState:
    product: int
    product_code: str
    quota: int
    committed: int

    @property
    def remaining(self) -> int:
        return self.quota - self.committed


def check_budget(
    budget: BudgetState,
    amount: int,
    quotas: Sequence[QuotaState],
    quantities: Mapping[int, int],
    enforcement: str,
) -> list[Warning]:
    """Over budget or over a product's quota: refused when the department blocks, a warning
    when it warns. Returns the warnings."""
    problems: list[DomainError] = []
    remaining = budget.remaining
    if remaining is not None and amount > remaining:
        problems.append(BudgetExceeded(period=budget.period, remaining=remaining, amount=amount))
    for q in quotas:
        wanted = quantities.get(q.product, 0)
        if wanted and wanted > q.remaining:
            problems.append(
                QuotaExceeded(
                    product=q.product_code,
                    period=budget.period,
                    remaining=q.remaining,
                    quantity=wanted,
                )
            )
    if problems and enforcement == "block":
        raise problems[0]
    return [Warning(p.code, p.message("zh-CN"), p.message("en")) for p in problems]


# ---- par levels -----------------------------------------------------------------------------


def par_shortfall(par_level: int, on_hand: int, on_order: int) -> int:
    """What to request to bring the cabinet back to its par level (定数): par minus what is
    there and what is already on its way, never negative."""
    return max(0, par_level - on_hand - on_order)


def par_proposal(
    pars: Mapping[int, int], on_hand: Mapping[int, int], on_order: Mapping[int, int]
) -> dict[int, int]:
    """product → quantity for every product below its par level."""
    out: dict[int, int] = {}
    for product, par in sorted(pars.items()):
        short = par_shortfall(par, on_hand.get(product, 0), on_order.get(product, 0))
        if short:
            out[product] = min(short, MAX_LINE_QUANTITY)
    return out


# ---- use on a patient -----------------------------------------------------------------------

PATIENT_REF_MIN = 4
PATIENT_REF_MAX = 40
_PATIENT_REF = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def check_patient_reference(ref: str) -> str:
    """A pseudonymous identifier (the hospital's opaque patient key or a study code), never a
    name: ASCII letters, digits and single dashes, at least one digit, 4–40 characters. Names
    (Chinese characters, spaces, letters only) are refused. Returns it normalised (upper case)."""
    value = ref.strip()
    if (
        not PATIENT_REF_MIN <= len(value) <= PATIENT_REF_MAX
        or not _PATIENT_REF.match(value)
        or "--" in value
        or not any(c.isdigit() for c in value)
    ):
        raise PatientReferenceInvalid(field="patient_ref", min=PATIENT_REF_MIN, max=PATIENT_REF_MAX)
    return value.upper()


def needs_patient_record(tracking: str, implant: bool) -> bool:
    return implant or tracking in ("serial", "lot_serial")


def check_patient_use(
    *,
    tracking: str,
    implant: bool,
    patient_ref: str | None,
    procedure: str | None,
    surgeon: str | None,
) -> str | None:
    """Serial-tracked and implant devices are recorded against a patient, procedure and
    surgeon; a patient reference given for other devices is checked too. Returns the
    normalised reference."""
    if needs_patient_record(tracking, implant) and not (
        patient_ref and procedure and procedure.strip() and surgeon and surgeon.strip()
    ):
        raise PatientUseRequired(field="patient_ref" if not patient_ref else "procedure")
    return check_patient_reference(patient_ref) if patient_ref else None


# ---- returns --------------------------------------------------------------------------------

RETURN_CONDITIONS = ("intact", "opened", "damaged")


def return_destination(condition: str, expired: bool) -> str:
    """Where a returned unit goes in the warehouse: intact and in date back through receiving
    (to be put away again); opened, damaged or expired to quarantine for QA."""
    if condition not in RETURN_CONDITIONS:
        raise InvalidInput(field="condition", reason="intact, opened or damaged")
    return "receiving" if condition == "intact" and not expired else "quarantine"


# ---- figures --------------------------------------------------------------------------------


def fill_rate(requested: int, filled: int) -> float | None:
    """Share of the requested quantity that was delivered, 0..1 (None when nothing asked)."""
    if requested <= 0:
        return None
    return min(filled, requested) / requested


def rate(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def lead_hours(requested_at: datetime, delivered_at: datetime) -> float:
    return (delivered_at - requested_at).total_seconds() / 3600


def lead_time_summary(hours: Sequence[float]) -> dict[str, float | None]:
    if not hours:
        return {"mean": None, "median": None, "max": None}
    return {
        "mean": round(statistics.fmean(hours), 2),
        "median": round(statistics.median(hours), 2),
        "max": round(max(hours), 2),
    }
