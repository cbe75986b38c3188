"""The result of a replay: points of the trajectory and practice changes between them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CommitInfo(BaseModel):
    sha: str
    tree: str = ""  # the commit's tree id: equal trees give equal assessments
    author: str
    author_date: str  # ISO 8601, as recorded
    committed: int  # committer time, seconds since the epoch
    message: str  # first line

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def day(self) -> str:
        return self.author_date[:10]


class Point(BaseModel):
    """One replayed commit: its stage, levels and the practices satisfied there."""

    commit: CommitInfo
    stage: str
    stage_index: int
    levels: dict[str, int]
    satisfied: list[str]
    files_listed: int
    files_read: int
    blobs_read: int  # contents fetched from git for this point (the rest came from the cache)
    parses: int  # files parsed for this point (the rest came from the cache)
    # the survey answers committed by then that judged this point (.mlkaizen/answers/)
    respondents: list[str] = Field(default_factory=list)
    answers_used: int = 0


class PracticeChange(BaseModel):
    """A practice gained or lost, at the first commit where the change is seen. ``exact``
    when that commit was pinned down on the first-parent line (not only between samples)."""

    practice: str
    title: str
    change: str  # "gained" or "lost"
    commit: CommitInfo
    exact: bool = True


class Skipped(BaseModel):
    commit: str
    reason: str


class History(BaseModel):
    subject: str
    catalogue: dict[str, str]
    dimensions: dict[str, str]  # id -> name, catalogue order
    points: list[Point] = Field(default_factory=list)
    changes: list[PracticeChange] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    commits_assessed: int = 0  # samples plus the commits assessed to pin changes down
