"""The maturity model as typed data: stages, dimensions, levels, practices.

Every catalogue entry has the same closed set of fields (``extra="forbid"``); cross-references
(dimensions, prerequisites, detectors) are checked by :mod:`mlkaizen.catalogue.loader`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PRACTICE_ID = r"^[a-z]+(-[a-z]+)*\.[a-z0-9]+(-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effort(StrEnum):
    """Rough size of the work to meet a practice: S (days), M (weeks), L (a quarter)."""

    S = "S"
    M = "M"
    L = "L"

    @property
    def rank(self) -> int:
        return {"S": 0, "M": 1, "L": 2}[self.value]


class Detection(_Strict):
    """How detector findings combine into a practice state.

    * ``met_if_any``: met when any of these detectors found the fact in project code;
    * ``met_if_all``: met when all of these did (combined with ``met_if_any`` by "or");
    * ``partial_if_any``: partial when only these did (e.g. training exists but runs by hand);
    * ``when_absent``: the state when nothing was found; by default it follows the
      practice's ``seen_in`` (``unmet`` for the repository, ``unknown`` elsewhere). Kept for
      catalogues written before ``seen_in`` existed.
    """

    met_if_any: list[str] = Field(default_factory=list)
    met_if_all: list[str] = Field(default_factory=list)
    partial_if_any: list[str] = Field(default_factory=list)
    when_absent: Literal["unmet", "unknown"] | None = None

    @property
    def detectors(self) -> list[str]:
        return [*self.met_if_any, *self.met_if_all, *self.partial_if_any]

    @model_validator(mode="after")
    def _has_some(self) -> Detection:
        if not (self.met_if_any or self.met_if_all):
            raise ValueError("detection needs met_if_any or met_if_all")
        return self


class Mappings(_Strict):
    """Where the practice sits in other frameworks (``None``/empty where none fits).

    ``google``: the Google MLOps level (0-2) that introduces it. ``azure``: the Azure MLOps
    maturity level (0-4). ``ml_test_score``: test ids such as ``infra-1``, ``monitor-3``.
    ``marvelous``: Marvelous MLOps section numbers ``1``-``7``.
    """

    google: int | None = Field(default=None, ge=0, le=2)
    azure: int | None = Field(default=None, ge=0, le=4)
    ml_test_score: list[str] = Field(default_factory=list)
    marvelous: list[str] = Field(default_factory=list)

    def describe(self) -> list[str]:
        """Human-readable mappings, e.g. ``["Google level 1", "ML Test Score infra-1"]``."""
        out = []
        if self.google is not None:
            out.append(f"Google level {self.google}")
        if self.azure is not None:
            out.append(f"Azure level {self.azure}")
        if self.ml_test_score:
            out.append("ML Test Score " + ", ".join(self.ml_test_score))
        if self.marvelous:
            out.append("Marvelous MLOps section " + ", ".join(self.marvelous))
        return out


class Implication(_Strict):
    """Evidence of other practices that presupposes this one (interpretation, documented in
    ``docs/model.md``): when every practice of ``practices`` is met by detection, this one is
    met too, "implied by" them. ``detectors``: only findings of these detectors count as that
    evidence; ``only``: only evidence whose detail starts with one of these (the tools whose
    use presupposes it); ``excluding``: evidence whose detail starts with one of these does not
    (a tool whose use does not presuppose it); ``not_in``: evidence in files matching one of
    these globs does not (``*.ipynb``: a cell run by hand is a demonstration, not a service).
    Implication is one step: it never follows another implication, and never overrides a
    configured or exempt state."""

    practices: list[str] = Field(min_length=1)
    detectors: list[str] = Field(default_factory=list)
    only: list[str] = Field(default_factory=list)
    excluding: list[str] = Field(default_factory=list)
    not_in: list[str] = Field(default_factory=list)
    reason: str = Field(min_length=10)


class Confirmation(_Strict):
    """Evidence that narrows a practice's question without settling it (a CI job named
    "rollback" may or may not restore the previous model): when one of ``detectors`` found
    its fact in the project and the practice is still an open question, the question is
    asked as ``question``, a confirmation that names that evidence. Findings of these
    detectors never change the practice's state."""

    detectors: list[str] = Field(min_length=1)
    question: str = Field(min_length=10)


class Practice(_Strict):
    id: str = Field(pattern=PRACTICE_ID)
    dimension: str
    level: int = Field(ge=1, le=3)
    title: str = Field(min_length=3)
    rationale: str = Field(min_length=10)
    required: bool = True
    seen_in: Literal["repository", "elsewhere"] = "repository"
    detection: Detection | None = None
    question: str | None = None
    remediation: str = Field(min_length=10)
    effort: Effort
    prerequisites: list[str] = Field(default_factory=list)
    implied_by: list[Implication] = Field(default_factory=list)
    confirm_with: Confirmation | None = None
    mappings: Mappings = Field(default_factory=Mappings)

    @property
    def absent_state(self) -> Literal["unmet", "unknown"]:
        """The state when nothing was found: a practice that lives in the repository (CI,
        tests, pipelines) is *unmet* without evidence; one that usually lives elsewhere
        (access rules, roles, a wiki) is *unknown*, and its question is asked."""
        if self.detection is not None and self.detection.when_absent is not None:
            return self.detection.when_absent
        return "unmet" if self.seen_in == "repository" else "unknown"

    @property
    def detectors_used(self) -> list[str]:
        """Every detector whose findings bear on the practice: its detection's, then those
        that narrow its question (``confirm_with``)."""
        return [
            *(self.detection.detectors if self.detection else []),
            *(self.confirm_with.detectors if self.confirm_with else []),
        ]

    @model_validator(mode="after")
    def _detectable_or_askable(self) -> Practice:
        if self.detection is None and not self.question:
            raise ValueError("a practice needs a detection, a question, or both")
        return self


class Dimension(_Strict):
    id: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$")
    name: str
    description: str


class Level(_Strict):
    value: int = Field(ge=0, le=3)
    name: str


class Further(_Strict):
    """A wider tolerance (more ``gaps``, earned by more of the next stage, ``earned_by``).
    With ``below_in_full`` (the default) only for a repository that already holds the stage
    below in full: what it lacks of this stage is then all in what this stage adds. With
    ``below_in_full: false``, for one that holds the stage below at all, if only with that
    stage's own tolerated gaps."""

    gaps: int = Field(ge=2, le=3)
    earned_by: int = Field(ge=1)
    below_in_full: bool = True


class Tolerance(_Strict):
    """How many gaps (``gaps``) a stage's gate may hold with: core entries of the cells it
    takes in left unsatisfied, or practices their quorums lack. Only when at least
    ``earned_by`` core entries of the cells the next stage adds are satisfied already, or
    at least ``or_beyond`` core entries of the cells every later stage adds are met by
    detection (the repository's own evidence, not answers): the repository
    is in part past this stage, so what it lacks of it is more likely missed or kept
    elsewhere than absent (``earned_by: 0``: whatever the next stage shows, for a gate so
    wide that one gap in it is more often a missed detection). A gap that an answer settles
    (not done) is never tolerated.
    """

    gaps: int = Field(ge=1, le=2)
    earned_by: int = Field(ge=0)
    or_beyond: int | None = Field(default=None, ge=1)
    further: Further | None = None

    @model_validator(mode="after")
    def _beyond_earns_something(self) -> Tolerance:
        # beside a tolerance earned by nothing, ``or_beyond`` could never matter
        if self.or_beyond is not None and self.earned_by == 0:
            raise ValueError("or_beyond needs a tolerance earned by something (earned_by >= 1)")
        return self

    def fingerprint(self) -> dict[str, object]:
        """What decides, as data: the fields, less those at a default that judges as a
        catalogue without them did (so such a catalogue keeps its rule's fingerprint)."""
        data = self.model_dump(mode="json")
        if data["or_beyond"] is None:
            del data["or_beyond"]
        if data["further"] is not None and data["further"]["below_in_full"]:
            del data["further"]["below_in_full"]
        return data

    def when(self, practices: str) -> str:
        """``"1 gap, when 2 core practices of the next stage are satisfied"`` (or ``"1 gap"``
        for a tolerance earned by nothing), the later stages' alternative if any, and the
        further tolerance if any."""

        def one(n: int) -> str:  # "1 core entry", "3 core entries"
            if n != 1:
                return f"{n} {practices}"
            single = practices[:-3] + "y" if practices.endswith("ies") else practices
            return f"1 {single.removesuffix('s')}"

        out = f"{self.gaps} gap{'s' if self.gaps > 1 else ''}"
        if self.earned_by:
            verb = "is" if self.earned_by == 1 else "are"
            out += f", when {one(self.earned_by)} of the next stage {verb} satisfied"
        if self.or_beyond is not None:
            out += f" or {self.or_beyond} of all later stages are detected"
        if self.further is not None:
            n = self.further.earned_by
            verb = "is" if n == 1 else "are"
            out += f"; {self.further.gaps} gaps when {one(n)} of the next stage {verb} satisfied"
            if self.further.below_in_full:
                out += " and the stage below holds in full"
            else:
                out += " and the stage below holds"
        return out


class Stage(_Strict):
    """A stage and the minimum dimension levels (``requires``) that gate it, and the gaps
    its gate tolerates (none unless ``tolerance`` says so), so that a gate that is a
    conjunction of many detections does not fall to one missed detection."""

    id: str
    name: str
    index: int = Field(ge=1)
    description: str
    requires: dict[str, int] = Field(default_factory=dict)
    tolerance: Tolerance | None = None
    enables: list[str] = Field(default_factory=list)


class Cell(_Strict):
    """The level rule of one dimension x level cell.

    ``core`` names what defines the level ("standardised data"): every entry must be
    satisfied; an entry that is a list is satisfied by any one of its practices. The cell's
    other (required) practices are *supporting*: at least ``quorum`` of them must be
    satisfied. Satisfied means met, exempt or not applicable.
    """

    dimension: str
    level: int = Field(ge=1, le=3)
    core: list[str | list[str]] = Field(min_length=1)
    quorum: int = Field(default=0, ge=0)

    @property
    def core_ids(self) -> list[str]:
        return [
            pid for entry in self.core for pid in ([entry] if isinstance(entry, str) else entry)
        ]


class Catalogue(_Strict):
    """A maturity model. ``extends`` names the catalogue this one was built on (its practices
    can add to or override the base's); ``weights`` rank practices (default 1.0) in the
    roadmap and the per-dimension score, never in the gates."""

    schema_version: Literal[1, 2] = 1
    id: str
    version: str
    title: str
    extends: str | None = None
    weights: dict[str, float] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    provenance: str = ""
    levels: list[Level]
    dimensions: list[Dimension]
    stages: list[Stage]
    practices: list[Practice]
    cells: list[Cell] = Field(default_factory=list)

    def practice(self, practice_id: str) -> Practice | None:
        return next((p for p in self.practices if p.id == practice_id), None)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def weight(self, practice_id: str) -> float:
        return self.weights.get(practice_id, 1.0)

    def cell(self, dimension: str, level: int) -> Cell | None:
        """The rule of a cell. A catalogue that declares no cells (written before the core
        and quorum rule) keeps the old rule: every required practice is core."""
        if self.cells:
            return next(
                (c for c in self.cells if c.dimension == dimension and c.level == level), None
            )
        core: list[str | list[str]] = [
            p.id
            for p in self.practices
            if p.dimension == dimension and p.level == level and p.required
        ]
        return Cell(dimension=dimension, level=level, core=core) if core else None

    def role(self, practice: Practice) -> Literal["core", "supporting", "optional"]:
        """A practice's part in its level's rule."""
        cell = self.cell(practice.dimension, practice.level)
        if cell is not None and practice.id in cell.core_ids:
            return "core"
        return "supporting" if practice.required else "optional"

    def level_name(self, value: int) -> str:
        return next((lv.name for lv in self.levels if lv.value == value), str(value))
