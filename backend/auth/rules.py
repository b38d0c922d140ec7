"""Roles, permissions and sign-in rules: which role may do what, when an account locks."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    warehouse = "warehouse"
    qa = "qa"
    purchaser = "purchaser"
    clinician = "clinician"
    department_head = "department_head"
    auditor = "auditor"


ALL_ROLES = frozenset(Role)
# Admins and auditors see every warehouse and department; everyone else sees their scope.
ALL_SCOPE_ROLES = frozenset({Role.admin, Role.auditor})


class Permission(StrEnum):
    masterdata_read = "masterdata.read"
    catalog_write = "catalog.write"
    suppliers_write = "suppliers.write"
    sites_write = "sites.write"
    budgets_write = "budgets.write"
    users_read = "users.read"
    users_write = "users.write"
    audit_read = "audit.read"
    sign = "sign"
    account = "account"
    """One's own session and password: sign out, who am I, change password."""
    devices_read = "devices.read"
    devices_write = "devices.write"
    station_use = "station.use"
    scan = "scan"
    """Scan anything and be told what it is (POST /api/v1/scans)."""
    labels_print = "labels.print"
    stock_read = "stock.read"
    stock_receive = "stock.receive"
    stock_move = "stock.move"
    stock_adjust = "stock.adjust"
    stock_pick = "stock.pick"
    stock_inspect = "stock.inspect"
    stock_release = "stock.release"
    stock_hold = "stock.hold"
    purchasing_write = "purchasing.write"
    alerts_read = "alerts.read"
    """The alerts inbox and counts in one's scope; one's own push subscriptions."""
    alerts_act = "alerts.act"
    alerts_configure = "alerts.configure"
    """The rule set, webhooks and stock policies."""
    requisitions_read = "requisitions.read"
    requisitions_request = "requisitions.request"
    """Request for one's department, submit, cancel, confirm a delivery's receipt."""
    requisitions_approve = "requisitions.approve"
    """Approve or reject (never one's own); keep the department catalogue and par levels."""
    requisitions_fulfil = "requisitions.fulfil"
    requisitions_consume = "requisitions.consume"
    """Record use at the point of use (on a patient), return unused items."""


# The one table of who may do what. Auditors read everything and change nothing.
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.masterdata_read: ALL_ROLES,
    Permission.catalog_write: frozenset({Role.admin, Role.purchaser, Role.qa}),
    Permission.suppliers_write: frozenset({Role.admin, Role.purchaser}),
    Permission.sites_write: frozenset({Role.admin}),
    Permission.budgets_write: frozenset({Role.admin, Role.department_head}),
    Permission.users_read: frozenset({Role.admin, Role.auditor}),
    Permission.users_write: frozenset({Role.admin}),
    Permission.audit_read: frozenset({Role.admin, Role.auditor, Role.qa}),
    Permission.sign: ALL_ROLES - {Role.auditor},
    Permission.account: ALL_ROLES,
    Permission.devices_read: frozenset({Role.admin, Role.auditor}),
    Permission.devices_write: frozenset({Role.admin}),
    Permission.station_use: ALL_ROLES - {Role.auditor},
    Permission.scan: ALL_ROLES - {Role.auditor},
    Permission.labels_print: frozenset({Role.admin, Role.warehouse, Role.qa}),
    Permission.stock_read: ALL_ROLES,
    Permission.stock_receive: frozenset({Role.admin, Role.warehouse}),
    Permission.stock_move: frozenset({Role.admin, Role.warehouse}),
    Permission.stock_adjust: frozenset({Role.admin, Role.warehouse}),
    Permission.stock_pick: frozenset({Role.admin, Role.warehouse}),
    Permission.stock_inspect: frozenset({Role.admin, Role.qa}),
    Permission.stock_release: frozenset({Role.admin, Role.qa}),
    Permission.stock_hold: frozenset({Role.admin, Role.qa}),
    Permission.purchasing_write: frozenset({Role.admin, Role.purchaser}),
    Permission.alerts_read: ALL_ROLES,
    Permission.alerts_act: frozenset(
        {Role.warehouse, Role.qa, Role.purchaser, Role.department_head, Role.admin}
    ),
    Permission.alerts_configure: frozenset({Role.admin}),
    Permission.requisitions_read: ALL_ROLES,
    Permission.requisitions_request: frozenset({Role.clinician, Role.department_head, Role.admin}),
    Permission.requisitions_approve: frozenset({Role.department_head, Role.admin}),
    Permission.requisitions_fulfil: frozenset({Role.warehouse, Role.admin}),
    Permission.requisitions_consume: frozenset({Role.clinician, Role.department_head}),
}


def allowed(roles: frozenset[str], permission: Permission) -> bool:
    return any(role in PERMISSIONS[permission] for role in roles)


def sees_all_scopes(roles: frozenset[str]) -> bool:
    return any(role in ALL_SCOPE_ROLES for role in roles)


def locks_after_failure(failed_in_a_row: int, max_failures: int) -> bool:
    """The account locks on the failure that reaches the limit."""
    return failed_in_a_row >= max_failures


def over_rate(attempts_in_window: int, limit: int) -> bool:
    return attempts_in_window >= limit


MIN_PASSWORD_LENGTH = 10


def password_problem(password: str, username: str) -> str | None:
    """None when acceptable, else the reason (en); NIST 800-63B: length over composition."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"at least {MIN_PASSWORD_LENGTH} characters"
    if username and username.lower() in password.lower():
        return "must not contain the user name"
    return None
