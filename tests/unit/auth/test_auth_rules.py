"""Who may do what, when an account locks, what a password must be."""

from __future__ import annotations

import pytest

from backend.auth.rules import (
    ALL_ROLES,
    PERMISSIONS,
    Permission,
    Role,
    allowed,
    locks_after_failure,
    over_rate,
    password_problem,
    sees_all_scopes,
)


def test_every_permission_is_in_the_table():
    assert set(PERMISSIONS) == set(Permission)


def test_an_auditor_reads_and_never_writes_or_signs():
    writes = {p for p in Permission if not p.endswith(".read") and p is not Permission.account}
    for permission in writes:
        assert not allowed(frozenset({"auditor"}), permission), permission
    assert allowed(frozenset({"auditor"}), Permission.audit_read)
    assert allowed(frozenset({"auditor"}), Permission.masterdata_read)


def test_any_of_several_roles_grants_a_permission():
    assert not allowed(frozenset({"clinician"}), Permission.catalog_write)
    assert allowed(frozenset({"clinician", "purchaser"}), Permission.catalog_write)
    assert not allowed(frozenset(), Permission.masterdata_read)
    assert not allowed(frozenset({"superuser"}), Permission.masterdata_read)


@pytest.mark.parametrize(
    ("permission", "roles"),
    [
        (Permission.sites_write, {"admin"}),
        (Permission.users_write, {"admin"}),
        (Permission.budgets_write, {"admin", "department_head"}),
        (Permission.suppliers_write, {"admin", "purchaser"}),
        (Permission.catalog_write, {"admin", "purchaser", "qa"}),
        (Permission.audit_read, {"admin", "auditor", "qa"}),
        (Permission.account, set(Role)),
    ],
)
def test_the_permission_table(permission, roles):
    assert {r.value for r in PERMISSIONS[permission]} == roles


def test_admins_and_auditors_see_all_scopes_and_nobody_else_does():
    assert sees_all_scopes(frozenset({"admin"}))
    assert sees_all_scopes(frozenset({"auditor", "qa"}))
    for role in ALL_ROLES - {Role.admin, Role.auditor}:
        assert not sees_all_scopes(frozenset({role.value}))


def test_the_account_locks_on_the_failure_that_reaches_the_limit():
    assert not locks_after_failure(4, 5)
    assert locks_after_failure(5, 5)
    assert locks_after_failure(6, 5)


def test_the_rate_limit_refuses_the_attempt_past_the_limit():
    assert not over_rate(19, 20)
    assert over_rate(20, 20)


@pytest.mark.parametrize(
    ("password", "username", "problem"),
    [
        ("short", "lina", "at least 10 characters"),
        ("123456789", "lina", "at least 10 characters"),
        ("lina-is-my-name", "lina", "must not contain the user name"),
        ("LINA-IS-MY-NAME", "lina", "must not contain the user name"),
        ("correct-horse-battery", "lina", None),
        ("一二三四五六七八九十", "lina", None),
    ],
)
def test_a_password_is_long_and_not_the_user_name(password, username, problem):
    assert password_problem(password, username) == problem
