"""The one place that reads the clock: now in UTC, today in the site's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from backend.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC)


def site_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def today() -> date:
    """Expiry is a calendar date at the site: a lot expiring today is usable until midnight
    there."""
    return datetime.now(site_zone()).date()
