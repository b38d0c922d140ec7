"""Alert integration tests call the evaluation and notification jobs themselves: the app's
in-process dispatcher must not run them concurrently on the same events."""

from __future__ import annotations

import pytest

from backend import worker


@pytest.fixture(autouse=True)
def _no_job_subscriptions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "SUBSCRIPTIONS", {})
    monkeypatch.setattr(worker, "BATCH_SUBSCRIPTIONS", {})
