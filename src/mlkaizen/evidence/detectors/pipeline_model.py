"""What a pipeline definition is, as the pipeline detectors see it (shared by the readers of
Python pipelines, platform jobs and schedules)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class OrchestratedPipeline:
    tool: str
    file: str
    line: int
    steps: list[tuple[str, int]] = field(default_factory=list)  # (step text, line)
    schedule: str | None = None  # a cron / interval if the pipeline runs on its own
    event_trigger: str | None = None  # a sensor / data-arrival trigger
