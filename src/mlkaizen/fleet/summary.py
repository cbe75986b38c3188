"""What a fleet run found, read from the store as plain data for the reports and `status`."""

from __future__ import annotations

from typing import Any

from mlkaizen.store.db import Store


class FleetSummary:
    def status_json(self) -> dict[str, Any]:
        raise NotImplementedError


def build(store: Store, run_id: int) -> FleetSummary:
    raise NotImplementedError


def status_lines(summary: FleetSummary) -> list[str]:
    raise NotImplementedError
