"""JSON: the Assessment serialised (documented schema ``docs/assessment.schema.json``)."""

from __future__ import annotations

from mlkaizen.engine.model import Assessment
from mlkaizen.report.context import RenderContext


def render(assessment: Assessment, ctx: RenderContext) -> str:
    return assessment.model_dump_json(indent=2) + "\n"
