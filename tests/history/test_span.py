"""The heading of every history report: how many points, oldest to newest."""

from __future__ import annotations

import pytest

from mlkaizen.history.model import CommitInfo, History, Point
from mlkaizen.history.render import render


def _point(sha: str, day: str, committed: int, respondents: list[str]) -> Point:
    return Point(
        commit=CommitInfo(sha=sha * 40, author="a", author_date=f"{day}T10:00:00+00:00",
                          committed=committed, message="m"),
        stage="Ad hoc", stage_index=1, levels={"data": 0}, satisfied=[], files_listed=1,
        files_read=1, blobs_read=1, parses=1, respondents=respondents,
        answers_used=len(respondents) * 2,
    )


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_the_span_runs_oldest_to_newest_whatever_order_the_points_came_in(fmt: str) -> None:
    # the newest commit first (committer dates going backwards along the walk)
    h = History(subject="s", catalogue={"id": "c", "version": "1"}, dimensions={"data": "Data"},
                points=[_point("b", "2026-12-06", 2_000, ["bo"]), _point("a", "2026-03-01", 1_000, [])])
    shown = render(h, fmt)
    assert "2 points, 2026-03-01 .. 2026-12-06; the newest used 2 answers from bo" in shown
    assert "2026-12-06 .. 2026-03-01" not in shown


def test_no_answers_no_mention() -> None:
    h = History(subject="s", catalogue={"id": "c", "version": "1"}, dimensions={"data": "Data"},
                points=[_point("a", "2026-03-01", 1_000, [])])
    shown = render(h, "terminal")
    assert "1 point, 2026-03-01 .. 2026-03-01" in shown
    assert "answers" not in shown
