"""The Celery executor and the Celery application of MLKaizen's workers (`mlkaizen worker`):
jobs go through the broker (Redis) and each worker writes its results to the shared store."""

from __future__ import annotations

from typing import Any

from mlkaizen.fleet.options import FleetOptions


class CeleryExecutor:
    remote = True

    def __init__(self, store_url: str, stored: dict[str, Any], options: FleetOptions) -> None:
        raise NotImplementedError

    capacity: int

    def submit(self, job_id: int) -> None:
        raise NotImplementedError

    def wait(self, timeout: float) -> list[tuple[int, str | None]]:
        raise NotImplementedError

    def in_flight(self) -> set[int]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
