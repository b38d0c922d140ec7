"""One settings object, read once from the environment; every field documented."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a key kept in var/ so tokens survive restarts."""
    explicit = os.environ.get("SECRET_KEY")
    if explicit:
        return explicit
    path = ROOT / "var" / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'lotwise.db'}")
    )
    """`sqlite:///path/to/file.db` (embedded default) or `postgresql://user@host:port/db`."""

    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    """`redis://host:port/db`. Empty: jobs run in-process and live events stay in memory."""

    secret_key: str = field(default_factory=_secret_key)
    """Signs access tokens. Set it in production; embedded runs keep one in var/secret_key."""

    timezone: str = field(default_factory=lambda: _env("LOTWISE_TIMEZONE", "Asia/Shanghai"))
    """The site's time zone: decides what "today" is for expiry and reports."""

    token_minutes: int = field(default_factory=lambda: int(_env("LOTWISE_TOKEN_MINUTES", "720")))
    """How long an access token (and its cookie) stays valid: one shift by default."""

    login_max_failures: int = field(
        default_factory=lambda: int(_env("LOTWISE_LOGIN_MAX_FAILURES", "5"))
    )
    """Failed logins in a row that lock an account until an admin unlocks it."""

    login_rate_per_minute: int = field(
        default_factory=lambda: int(_env("LOTWISE_LOGIN_RATE_PER_MINUTE", "20"))
    )
    """Login attempts allowed per user name and per client address in one minute."""

    pwa_dist: Path = field(
        default_factory=lambda: Path(_env("LOTWISE_PWA_DIST", str(ROOT / "pwa" / "dist")))
    )
    """The built PWA served at `/` (with an SPA fallback) when the folder exists."""

    pg_pool_max: int = field(default_factory=lambda: int(_env("LOTWISE_PG_POOL_MAX", "20")))
    """Largest PostgreSQL connection pool of one process."""

    vapid_private_key: str = field(default_factory=lambda: _env("LOTWISE_VAPID_PRIVATE_KEY", ""))
    """Web Push VAPID private key (PEM, or base64url of the raw P-256 key). Empty: one is
    generated into var/vapid_private.pem on first use and kept."""

    vapid_subject: str = field(
        default_factory=lambda: _env("LOTWISE_VAPID_SUBJECT", "mailto:admin@lotwise.invalid")
    )
    """The VAPID `sub` claim push services may use to reach the operator (mailto: or https:)."""

    webhook_timeout_seconds: float = field(
        default_factory=lambda: float(_env("LOTWISE_WEBHOOK_TIMEOUT_SECONDS", "5"))
    )
    """How long one webhook delivery attempt may take before it counts as failed."""

    webhook_max_attempts: int = field(
        default_factory=lambda: int(_env("LOTWISE_WEBHOOK_MAX_ATTEMPTS", "8"))
    )
    """Attempts per webhook delivery before it is marked failed."""

    webhook_backoff_seconds: float = field(
        default_factory=lambda: float(_env("LOTWISE_WEBHOOK_BACKOFF_SECONDS", "30"))
    )
    """Wait before the second attempt; doubled for each later one (at most an hour)."""

    debug: bool = field(default_factory=lambda: _env("LOTWISE_DEBUG", "") == "1")
    """Tracebacks in error responses; never in production."""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))


@cache
def get_settings() -> Settings:
    return Settings()
