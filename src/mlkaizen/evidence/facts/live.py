"""Facts from live sources: what a team's MLflow server and its git history show it does.

Plain, typed data, with every time an aware UTC ``datetime``. A source fills them (and says
what it could not read in ``problems``); the live detectors and the delivery metrics read
them. Nothing here holds a credential: a server is named by its URL without user info.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Problem(_Fact):
    """Something a source could not read; the rest of what it read stands. ``source`` is
    ``mlflow`` or ``git history``; ``message`` is one line, without secrets."""

    source: str
    message: str


# ------------------------------------------------------------------ MLflow


class Experiment(_Fact):
    id: str
    name: str
    created: dt.datetime | None = None
    updated: dt.datetime | None = None


class Run(_Fact):
    """One tracked run that started inside the window."""

    id: str
    experiment_id: str
    start: dt.datetime
    end: dt.datetime | None = None
    status: str = ""  # RUNNING, FINISHED, FAILED, KILLED, SCHEDULED
    user: str = ""
    params: int = 0  # how many parameters it logged
    metrics: int = 0  # how many metrics it logged
    git_commit: str | None = None  # the ``mlflow.source.git.commit`` tag


class ModelVersion(_Fact):
    """One version of a registered model. ``stage`` is the workspace registry's stage
    (``None`` when unset or on a registry without stages); ``aliases`` the aliases that point
    at this version now (MLflow keeps no history of aliases)."""

    model: str
    version: str
    created: dt.datetime
    updated: dt.datetime | None = None
    stage: str | None = None  # Staging, Production, Archived
    aliases: tuple[str, ...] = ()
    run_id: str | None = None
    status: str = "READY"

    @property
    def uri(self) -> str:
        return f"models:/{self.model}/{self.version}"


class RegisteredModel(_Fact):
    name: str
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    aliases: dict[str, str] = Field(default_factory=dict)  # alias -> version


class _RunIndex:
    """Runs by id, built on the first look-up from the list it was given (a copy of the
    facts with other runs builds its own). A cache, not a fact: it compares equal to any
    other, so two facts compare by their fields alone."""

    __slots__ = ("_by_id", "_runs")

    def __init__(self) -> None:
        self._runs: list[Run] | None = None
        self._by_id: dict[str, Run] = {}

    def get(self, runs: list[Run], run_id: str) -> Run | None:
        if self._runs is not runs:
            by_id: dict[str, Run] = {}
            for r in runs:
                by_id.setdefault(r.id, r)
            self._runs, self._by_id = runs, by_id
        return self._by_id.get(run_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _RunIndex)

    def __hash__(self) -> int:
        return 0  # every index is equal to every other


class MlflowFacts(_Fact):
    """What one MLflow server shows over a window. Runs are those started in the window;
    versions are every version of the models read (their times tell which fall in the
    window). ``complete`` is False when a budget cut the reading short (``problems`` says
    where)."""

    server: str  # the URL as given, without credentials
    since: dt.datetime
    until: dt.datetime
    experiments: list[Experiment] = Field(default_factory=list)
    runs: list[Run] = Field(default_factory=list)
    models: list[RegisteredModel] = Field(default_factory=list)
    versions: list[ModelVersion] = Field(default_factory=list)
    complete: bool = True
    requests: int = 0  # HTTP requests made
    problems: list[Problem] = Field(default_factory=list)

    _run_index: _RunIndex = PrivateAttr(default_factory=_RunIndex)

    def run(self, run_id: str | None) -> Run | None:
        """The run of this id among those read (runs outside the window are not); the first
        run of that id when several share it. Looked up in an index built once, so reading
        the run of every version costs one pass over the runs, not one per version."""
        if run_id is None:
            return None
        return self._run_index.get(self.runs, run_id)


# ------------------------------------------------------------------ git history


class ChangeKind(StrEnum):
    """What a commit changed, as its paths (and for schedules, its diff) tell."""

    TRAINING_CODE = "training-code"  # code that trains or defines a model
    DATA_POINTER = "data-pointer"  # .dvc files, dvc.lock, other pointers to versioned data
    PARAMS = "params"  # params files, hyperparameter and model configs
    METRICS = "metrics"  # metrics files a pipeline writes (metrics.json, scores)
    CI = "ci"  # CI workflows and pipeline definitions
    MONITORING = "monitoring"  # monitoring, drift and alerting configuration
    # a cron or schedule line replaced by another in the same file: the cadence revised
    SCHEDULE = "schedule"
    # a drift or quality threshold line replaced by another in a monitoring config
    THRESHOLD = "threshold"


ML_CHANGES = frozenset({ChangeKind.TRAINING_CODE, ChangeKind.DATA_POINTER, ChangeKind.PARAMS})


class Commit(_Fact):
    """One commit of the window that changed something ML-related (``kinds`` not empty),
    is a revert, or is a tag's target."""

    sha: str
    committed: dt.datetime  # committer time
    authored: dt.datetime
    author: str
    email: str = ""
    subject: str = ""  # first line, cut to 200 characters
    kinds: frozenset[ChangeKind] = frozenset()
    paths: tuple[str, ...] = ()  # the ML-related paths it changed (at most 20)
    automation: bool = False  # made by a bot or CI account, not a person
    reverts: str | None = None  # the sha it reverts ("This reverts commit ...")

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def ml_change(self) -> bool:
        return bool(self.kinds & ML_CHANGES)


class Tag(_Fact):
    name: str
    sha: str  # the commit it points at
    when: dt.datetime  # the tagger's time for an annotated tag, else the commit's


class HistoryFacts(_Fact):
    """What the git history of one repository shows over a window, read from git objects
    (nothing checked out). ``commit_times`` has the committer time of every commit of the
    window (by full sha), so a run's commit can be placed in time."""

    repository: str  # the folder's name
    head: str
    since: dt.datetime
    until: dt.datetime
    commits_total: int = 0  # every commit of the window
    commits: list[Commit] = Field(default_factory=list)  # newest first
    tags: list[Tag] = Field(default_factory=list)
    commit_times: dict[str, dt.datetime] = Field(default_factory=dict)
    # when the repository's history begins, if inside the window (its first commit): no
    # event can be measured before it
    begins: dt.datetime | None = None
    complete: bool = True
    problems: list[Problem] = Field(default_factory=list)


class LiveFacts(_Fact):
    """Everything the live sources of one assessment read; either may be absent."""

    since: dt.datetime
    until: dt.datetime
    mlflow: MlflowFacts | None = None
    history: HistoryFacts | None = None
    problems: list[Problem] = Field(default_factory=list)  # sources that could not be read
