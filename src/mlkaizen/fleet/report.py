"""A fleet run's report: terminal, JSON, CSV, Markdown and self-contained HTML."""

from __future__ import annotations

from mlkaizen.fleet.summary import FleetSummary


def render(summary: FleetSummary, fmt: str) -> str:
    raise NotImplementedError


def summary_lines(summary: FleetSummary) -> list[str]:
    """The end of a run on the terminal: counts by stage, the slowest, every failure."""
    raise NotImplementedError
