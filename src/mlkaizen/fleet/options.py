"""A fleet run's options, kept with the run in the store (a resumed run, and every worker,
runs with the options the run started with)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BACKOFF = 300.0  # seconds: the longest wait before a retry
# seconds a job may take at most (a week): an endless limit would make the job's lease and
# alarm overflow, and the job would never start
MAX_TIMEOUT = 7 * 24 * 3600.0


def default_cache() -> str:
    """Where git URLs are fetched to (bare repositories, reused across runs):
    ``MLKAIZEN_FLEET_CACHE``, else the user's cache folder."""
    if os.environ.get("MLKAIZEN_FLEET_CACHE"):
        return os.environ["MLKAIZEN_FLEET_CACHE"]
    from platformdirs import user_cache_dir

    return str(Path(user_cache_dir("mlkaizen", appauthor=False)) / "fleet")


class FleetOptions(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    executor: Literal["local", "celery"] = "local"
    workers: int = Field(default=2, ge=1, le=256)  # local processes (celery: jobs in flight)
    retries: int = Field(default=2, ge=0, le=20)  # a job is tried retries + 1 times at most
    # the first backoff; it doubles each time (capped at MAX_BACKOFF)
    retry_delay: float = Field(default=5.0, ge=0, allow_inf_nan=False)
    timeout: float = Field(default=600.0, gt=0, le=MAX_TIMEOUT, allow_inf_nan=False)  # per attempt
    cache: str = Field(default_factory=default_cache)
    catalogue: str | None = None  # a catalogue id or file; the built-in one by default
    broker: str | None = None  # the Celery broker URL (celery executor)

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def backoff(self, attempt: int, jitter: float) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): the delay
        doubled each time, plus up to a quarter more (``jitter`` in [0, 1)), capped."""
        base = self.retry_delay * 2.0 ** max(0, attempt - 1)
        return float(min(MAX_BACKOFF, base * (1 + jitter / 4)))

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
