"""Users and sign-in attempts."""

from __future__ import annotations

from piccolo.columns import JSON, BigSerial, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="app_user"):
    id: Serial  # added by Piccolo; declared for the type checker
    username = Varchar(length=150, unique=True)
    full_name = Varchar(length=150, help_text="Printed name shown on signatures and records")
    password_hash = Varchar(length=255, help_text="argon2id")
    roles = JSON(default=[], help_text="List of role names (backend/auth/rules.py Role)")
    warehouse_ids = JSON(default=[], help_text="Warehouses this user works in")
    department_ids = JSON(default=[], help_text="Departments this user belongs to")
    active = Boolean(default=True, help_text="Retired users cannot sign in; records keep them")
    failed_logins = Integer(default=0, help_text="Failed sign-ins in a row")
    locked_at = Timestamptz(null=True, default=None)
    credentials_changed_at = Timestamptz(
        default=TimestamptzNow(), help_text="Tokens issued before this are no longer accepted"
    )
    created_at = Timestamptz(default=TimestamptzNow())


class LoginAttempt(Table, tablename="login_attempt"):
    id = BigSerial(primary_key=True)
    username = Varchar(length=150, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    success = Boolean(default=False)


class RevokedToken(Table, tablename="revoked_token"):
    """Tokens ended by logout before their expiry; pruned once they expire anyway."""

    jti = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
