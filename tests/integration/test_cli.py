"""The `lotwise` command line, run as a real process on the test database."""

from __future__ import annotations

from backend.auth.passwords import verify_password
from backend.auth.tables import User
from tests.integration.test_audit_chain import run_lotwise


async def test_create_user_reads_the_password_from_stdin():
    result = await run_lotwise(
        "create-user",
        "liu",
        "--role",
        "clinician",
        "--full-name",
        "护士 刘芳",
        stdin="a-long-enough-secret\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created user liu" in result.stdout
    row = await User.select().where(User.username == "liu").output(load_json=True).first()
    assert row["roles"] == ["clinician"]
    assert row["full_name"] == "护士 刘芳"
    assert await verify_password(row["password_hash"], "a-long-enough-secret")
    assert "a-long-enough-secret" not in result.stdout + result.stderr


async def test_create_user_refuses_an_unknown_role_clearly():
    result = await run_lotwise(
        "create-user", "liu", "--role", "janitor", stdin="a-long-enough-secret\n"
    )
    assert result.returncode != 0
    assert "AUTH_UNKNOWN_ROLE" in result.stderr
    assert "janitor" in result.stderr
    assert "Traceback" not in result.stderr
    assert await User.count() == 0


async def test_create_user_refuses_a_weak_password():
    result = await run_lotwise("create-user", "liu", "--role", "qa", stdin="short\n")
    assert result.returncode != 0
    assert "AUTH_WEAK_PASSWORD" in result.stderr
    assert await User.count() == 0


async def test_migrate_is_idempotent():
    for _ in range(2):
        result = await run_lotwise("migrate")
        assert result.returncode == 0, result.stderr


async def test_verify_on_an_empty_database_passes():
    result = await run_lotwise("verify")
    assert result.returncode == 0, result.stderr
