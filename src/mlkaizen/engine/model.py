"""The ``Assessment``: the typed, versioned contract between the engine and every consumer.

The JSON report is its serialisation (``schema_version`` below; the JSON Schema is committed
as ``docs/assessment.schema.json`` and checked by a test).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from mlkaizen.evidence.delivery_metrics import DeliveryMetrics
from mlkaizen.evidence.findings import Finding

SCHEMA_VERSION = "1.7"
# 1.1: optional `baseline` comparison.
# 1.2: the core/quorum level rule: `dimensions[].rules`, `blockers[].role`, `practices[].role`,
#      `catalogue.rule`, `sub_projects`, `baseline.rule_changed`. Older fields keep their meaning.
# 1.3: optional `previous` (what changed since the stored predecessor, with the evidence that
#      appeared or disappeared and the open plan item a lost practice had) and `overdue_plans`.
# 1.4: `practices[].implied_by`: met because the evidence of other practices presupposes it;
#      `spread` and `focus`: a repository of independent projects is headed by how their stages
#      spread, and judged (stage, dimensions, practices, roadmap, questions) by its most mature
#      project, `focus`, on that project's own evidence; never by evidence pooled across them.
# 1.5: `answers_used` (added, default 0): how many practices the respondents' answers settled.
#      `roadmap[].action` (`do`, or `verify`: an unknown practice blocking the next stage, to
#      answer, its `roadmap[].question`); the roadmap leads with the next stage.
#      `questions[].confirms`: the evidence a question is narrowed by (asked as a confirmation).
# 1.6: live evidence (added, optional): `practices[].evidence[].object` names the platform
#      object or commit a live finding came from (`models:/churn/7`, `commit:1a2b3c4`) where
#      file evidence names a file, and `evidence[].origin` the live source (`mlflow`, `git
#      history`); `live`: the window and sources read, and the delivery metrics measured.


class State(StrEnum):
    MET = "met"
    PARTIAL = "partial"
    UNMET = "unmet"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not-applicable"
    EXEMPT = "exempt"


class Source(StrEnum):
    DETECTED = "detected"
    ATTESTED = "attested"
    CONFIGURED = "configured"
    NONE = "none"


SATISFIED = frozenset({State.MET, State.EXEMPT, State.NOT_APPLICABLE})


class Evidence(BaseModel):
    """A finding that supports a practice's state: which detector, where, and what."""

    detector: str
    file: str | None = None
    line: int | None = None
    detail: str = ""
    context: str = "project"
    outcome: str = "found"
    # a live source's object (models:/churn/7, commit:1a2b3c4) and the source (mlflow, git
    # history); left out of the JSON when there is none (file evidence)
    object: str | None = Field(default=None, exclude_if=lambda v: v is None)
    origin: str | None = Field(default=None, exclude_if=lambda v: v is None)


class PracticeResult(BaseModel):
    """One practice of the catalogue, resolved: state, source, evidence and a one-line note."""

    id: str
    dimension: str
    level: int
    title: str
    required: bool
    role: str = "supporting"  # in its level's rule: core, supporting, or optional
    state: State
    source: Source
    evidence: list[Evidence] = Field(default_factory=list)
    note: str = ""
    question: str | None = None
    open_question: bool = False  # unknown, or partly seen where the rest may lie outside the repo
    conflict: str | None = None  # an answer contradicts what the repository shows
    agreement: float | None = None  # share of respondents giving the most common answer
    disagreement: bool = False  # respondents answered differently
    # met because the evidence of these practices presupposes it (catalogue ``implied_by``)
    implied_by: list[str] = Field(default_factory=list)


class Blocker(BaseModel):
    """A practice that keeps its dimension below what the next stage needs: an unsatisfied
    core practice, or (``role`` supporting) one of the supporting practices a level misses
    its quorum by ``quorum_short``."""

    practice: str
    title: str
    level: int
    state: State
    role: str = "core"
    quorum_short: int = 0
    any_of: list[str] = Field(default_factory=list)  # a core group: any one of these will do


class LevelRule(BaseModel):
    """How one level of a dimension stands under the catalogue's rule: its core practices
    (alternatives joined by ``|``) and how many are satisfied, its supporting practices and
    the quorum they need; ``holds`` counts unknowns as unmet, ``holds_potential`` as met."""

    level: int
    core: list[str]
    core_met: int
    core_total: int
    supporting: list[str]
    supporting_met: int
    supporting_total: int
    quorum: int
    holds: bool
    holds_potential: bool

    def describe(self) -> str:
        """``core 2/2, supporting 3/5, quorum 2``."""
        return (
            f"core {self.core_met}/{self.core_total}, supporting "
            f"{self.supporting_met}/{self.supporting_total}, quorum {self.quorum}"
        )


class DimensionResult(BaseModel):
    """A dimension's confirmed level (unknown = unmet) and potential level (unknown = met)."""

    id: str
    name: str
    level: int
    level_name: str
    potential_level: int
    met: int
    total: int
    score: float = 0.0  # weighted share of satisfied practices (catalogue weights), 0..1
    blockers: list[Blocker] = Field(default_factory=list)
    rules: list[LevelRule] = Field(default_factory=list)

    def summary(self) -> str:
        """``Data is standardised: core 2/2, supporting 3/5, quorum 2; automated needs ...``"""
        held = [r for r in self.rules if r.level <= self.level]
        text = f"{self.name} is {self.level_name}"
        if held:
            text += f" ({held[-1].describe()})"
        nxt = next((r for r in self.rules if r.level == self.level + 1), None)
        if nxt is not None:
            text += f"; level {nxt.level} needs {nxt.describe()}"
        return text


class RoadmapItem(BaseModel):
    """One step of the roadmap, in order: the next stage first (what to verify, then the
    work, prerequisites before what needs them), then the stage after; within a stage by
    weight, then effort. ``action`` is ``do`` (work to put in place) or ``verify`` (an
    unknown practice the next stage waits on: answer ``question``)."""

    step: int
    practice: str
    title: str
    dimension: str
    level: int
    state: State
    effort: str
    for_stage: str
    prerequisites: list[str] = Field(default_factory=list)
    remediation: str
    action: Literal["do", "verify"] = "do"
    question: str | None = None

    def headline(self) -> str:
        """What the step says in one line: the practice's title, or for a step to verify
        ``verify: <question> (answer with `mlkaizen survey`)``."""
        if self.action == "verify":
            return f"{self.ask()} (answer with `mlkaizen survey`)"
        return self.title

    def ask(self) -> str:
        """The step without how to answer it, for a report that prints the remediation
        (which says it) next to it: ``verify: <question>``, or the practice's title."""
        if self.action == "verify":
            return f"verify: {self.question or self.title}"
        return self.title


class Question(BaseModel):
    """What the repository could not answer, and whether it blocks the next stage. With
    ``confirms``, the repository shows something that bears on it: ``question`` is then a
    confirmation that names that evidence."""

    practice: str
    dimension: str
    level: int
    question: str
    blocks_next_stage: bool
    confirms: Evidence | None = None


class ScanWarning(BaseModel):
    """A problem met while scanning (malformed file, limit, symlink...); the scan went on."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None


class Subject(BaseModel):
    """What was assessed. ``kind`` is ``ml-project``, or ``ml-tool-source`` for the source
    code of an ML tool (whose own imports are not credited as practices)."""

    name: str
    path: str
    kind: str = "ml-project"  # or "ml-tool-source", or "answers-only" (no repository)
    scope: str | None = None


class ScanStats(BaseModel):
    """How the tree was listed and how much of it was read."""

    listing: str
    files_listed: int
    files_read: int
    bytes_total: int
    bytes_read: int
    skipped: dict[str, int] = Field(default_factory=dict)
    detectors_run: int


class Change(BaseModel):
    """A practice whose state crossed the satisfied line since the baseline."""

    practice: str
    before: State
    after: State


class Comparison(BaseModel):
    """What changed since a committed baseline. ``lost`` are practices satisfied then and not
    now; a lower stage or level is a regression too."""

    baseline_catalogue: dict[str, str]
    stage_before: str
    stage_index_before: int
    levels_before: dict[str, int]
    gained: list[Change]
    lost: list[Change]
    note: str = ""
    rule_changed: bool = False  # the baseline was judged under another level rule


class PracticeMove(BaseModel):
    """A practice that crossed the satisfied line since the stored predecessor, with the
    evidence that appeared or disappeared. ``open_plan_item`` is the open improvement plan
    item about a lost practice, if one covered it."""

    practice: str
    before: str  # its state then, or "absent" (not in that assessment's catalogue)
    after: str  # its state now, or "absent"
    evidence_appeared: list[Evidence] = Field(default_factory=list)
    evidence_disappeared: list[Evidence] = Field(default_factory=list)
    open_plan_item: int | None = None


class SincePrevious(BaseModel):
    """What changed since the subject's previous stored assessment (``previous`` as ``#12``).
    ``gained`` and ``lost`` follow ``mlkaizen diff``: a practice counts when it crosses the
    satisfied line (met, exempt or not applicable), so partial to met is gained and met to
    exempt is neither."""

    previous: str
    previous_id: int | None = None
    saved_at: dt.datetime | None = None
    commit: str | None = None
    stage_before: str
    stage_index_before: int
    levels_before: dict[str, int]
    gained: list[PracticeMove] = Field(default_factory=list)
    lost: list[PracticeMove] = Field(default_factory=list)


class OverduePlan(BaseModel):
    """An open improvement plan item past its due date (due today is not overdue yet) that
    this assessment does not achieve."""

    id: int
    practice: str
    owner: str
    due: dt.date
    note: str = ""


class SubProject(BaseModel):
    """One independent ML project inside the repository, assessed on its own evidence."""

    path: str
    how: str  # how it was recognised
    kind: str = "ml-project"
    stage: str
    stage_index: int
    levels: dict[str, int]
    blocker: str | None = None  # what most stops its next stage (a core gap first)
    next_stage: str | None = None


class LiveSummary(BaseModel):
    """The live sources an assessment read (``mlflow https://host``, ``git history``), over
    which window, and the ML delivery metrics measured from them."""

    since: dt.datetime
    until: dt.datetime
    sources: list[str] = Field(default_factory=list)
    delivery: DeliveryMetrics | None = None

    def line(self) -> str:
        """``Live evidence from mlflow https://h and git history, 2026-06-09 to 2026-12-06;
        release frequency 2 per 30 days (medium confidence), ...``: one line for reports."""
        text = (
            f"Live evidence from {' and '.join(self.sources) or 'no source'}, "
            f"{self.since.date()} to {self.until.date()}"
        )
        measured = [
            f"{m.name.lower()} {'≥ ' if m.lower_bound else ''}{m.value:g} {m.unit} "
            f"({m.confidence.value} confidence)"
            for m in (self.delivery.metrics if self.delivery else [])
            if m.value is not None
        ]
        return text + ("; " + ", ".join(measured) if measured else "") + "."


class Assessment(BaseModel):
    """The result of one assessment. Its JSON serialisation is the ``--format json`` report.

    ``stage`` is the confirmed stage (unknown practices counted as unmet); ``potential_stage``
    counts them as met. Stage names are those of the catalogue (``Ad hoc`` ... ``Kaizen
    MLOps``). Lists keep a stable order: catalogue order for dimensions and practices,
    (detector, file, line) for findings.
    """

    schema_version: str = SCHEMA_VERSION
    # a repository of independent projects: how their stages spread ("3 projects: 1 Manual
    # MLOps, 2 DataOps"); its stage, levels, practices, roadmap and questions are then those
    # of its most mature project (``focus``), never pooled from unrelated projects
    spread: str | None = None
    focus: str | None = None
    tool_version: str
    catalogue: dict[str, str]
    subject: Subject
    stage: str
    stage_index: int
    potential_stage: str
    potential_stage_index: int
    next_stage: str | None
    # the gaps the confirmed stage's gate holds with, within the stage's tolerance: a core
    # entry left unsatisfied, or a practice a quorum lacks (alternatives joined by "|"); the
    # stage stands without them, and each is the first thing its dimension lacks
    tolerated: list[str] = Field(default_factory=list)
    weakest_dimension: str
    explanation: str
    dimensions: list[DimensionResult]
    practices: list[PracticeResult]
    roadmap: list[RoadmapItem]
    questions: list[Question]
    findings: list[Finding]
    warnings: list[ScanWarning]
    scan: ScanStats | None = None
    baseline: Comparison | None = None
    previous: SincePrevious | None = None
    overdue_plans: list[OverduePlan] = Field(default_factory=list)
    respondents: list[str] = Field(default_factory=list)
    # how many practices the respondents' answers settled (a "don't know" settles nothing)
    answers_used: int = 0
    sub_projects: list[SubProject] = Field(default_factory=list)
    live: LiveSummary | None = None  # the live sources read (MLflow, git history), if any

    def answers_line(self) -> str | None:
        """``Used 3 answers from alice, bob.``: the survey answers this assessment used, in
        one line (``None`` when no answers file was read)."""
        if not self.respondents:
            return None
        n = self.answers_used
        return f"Used {n} answer{'' if n == 1 else 's'} from {', '.join(self.respondents)}."

    def practice(self, practice_id: str) -> PracticeResult | None:
        return next((p for p in self.practices if p.id == practice_id), None)
