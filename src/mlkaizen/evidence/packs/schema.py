"""The shape of a stack pack: how one stack (a tool, platform or service) shows up in a
repository, and which fact each sign evidences.

A pack is data, never code: a sign is a list of import names and call patterns, a match on
a configuration document, a file glob with an optional regular expression, or a command
pattern. Every pattern is compiled when the pack is loaded; nothing in a pack is executed.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from mlkaizen.usercache import REVALIDATING

# The facts a sign may evidence: ids of built-in detectors (a meta-test checks that each is
# registered). A pack's finding is reported under that detector, as its own findings are.
Fact = Literal[
    "experiment_tracking_used",
    "shared_tracking_server",
    "model_registry_used",
    "pipeline_defined",
    "training_in_pipeline",
    "training_scheduled",
    "training_triggered_by_event",
    "data_validation_library_used",
    "data_schema_declared",
    "data_validation_in_pipeline",
    "model_serving_present",
    "model_packaged",
    "drift_detection_used",
    "service_metrics_exported",
    "dashboards_defined",
    "alert_rules_defined",
    "alert_triggers_retraining",
    "data_quality_tracked",
    "prediction_logging_present",
    "progressive_delivery_configured",
    "rollback_supported",
    "champion_challenger_present",
    "feature_store_used",
    "infrastructure_as_code",
    "data_assets_versioned",
    "lakefs_or_delta_versioning",
    "dvc_tracks_data",
    "data_remote_storage_configured",
    "warehouse_data_used",
    "ci_configured",
    "container_image_defined",
    "validation_gate_present",
    "dev_environment_defined",
    "deployment_approval_gates",
]
FACTS: tuple[str, ...] = get_args(Fact)

# What a CI step or pipeline step does (the vocabulary's step kinds); a pack's command
# pattern with ``step`` makes the CI detectors read a step running it as that kind.
StepKind = Literal[
    "train", "evaluate", "validate_data", "ingest", "tests", "deploy", "infra", "monitor"
]
Category = Literal[
    "experiment tracking",
    "orchestration",
    "ML platform",
    "serving",
    "monitoring",
    "data validation",
    "data versioning",
    "feature store",
    "infrastructure as code",
    "progressive delivery",
    "CI/CD",
]


def _compiles(pattern: str, info: ValidationInfo) -> str:
    if info.context is not None and info.context.get(REVALIDATING):
        return pattern
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return pattern


def _part_of_a_whole(pattern: str, info: ValidationInfo) -> str:
    """A command pattern is also compiled as one alternative of its step kind's pattern
    (``(?:...)``, case-insensitive, beside every other pack's): no global flag in the middle,
    no named group to clash."""
    if info.context is not None and info.context.get(REVALIDATING):
        return pattern
    if "(?P<" in pattern:
        raise ValueError(f"{pattern!r}: a named group clashes with other patterns; use (?:...)")
    try:
        re.compile(f"(?:{pattern})", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{pattern!r} cannot be part of a step kind's pattern: {exc}") from None
    return pattern


def _dotted(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name):
        raise ValueError(f"{name!r} is not a dotted module name")
    return name


def _glob(pattern: str) -> str:
    if not pattern or pattern.startswith("/") or ".." in pattern.split("/"):
        raise ValueError(f"{pattern!r} is not a repository-relative glob")
    return pattern


Regex = Annotated[str, Field(min_length=1), AfterValidator(_compiles)]
CommandRegex = Annotated[Regex, AfterValidator(_part_of_a_whole)]
Module = Annotated[str, AfterValidator(_dotted)]
Glob = Annotated[str, AfterValidator(_glob)]
Facts = Annotated[list[Fact], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PythonSign(_Strict):
    """Python code that imports one of ``modules`` and makes one of ``calls`` (patterns as
    detectors use them: ``mlrun.get_or_create_ctx``, ``.log_model`` a method, ``mlflow.log_*``
    a prefix). No calls: the import is the sign. ``keywords``: the call must pass one
    (``endpoint_name``, or ``create_new_version=True`` with that constant). ``requires``: one
    of these calls must also occur in the file."""

    evidences: Facts
    modules: Annotated[list[Module], Field(min_length=1)]
    calls: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    tool: str | None = None  # the name findings carry; default: the pack's stack


class PipelineSign(_Strict):
    """A pipeline defined in Python: a file importing ``modules`` calls one of ``defines``
    (a pipeline, DAG or workflow) and declares steps with ``steps``."""

    modules: Annotated[list[Module], Field(min_length=1)]
    defines: Annotated[list[str], Field(min_length=1)]
    steps: list[str] = Field(default_factory=list)
    tool: str | None = None


class ConfigSign(_Strict):
    """A YAML or JSON document: ``kind`` matches its ``kind`` (a glob), ``api`` is a prefix
    of its ``apiVersion``, ``keys`` are dotted paths that must all exist (``*`` for any key at
    that level). ``files`` limits the files (globs); by default every YAML file."""

    evidences: Facts
    kind: str | None = None
    api: str | None = None
    keys: list[str] = Field(default_factory=list)
    files: list[Glob] = Field(default_factory=list)

    @model_validator(mode="after")
    def _says_something(self) -> ConfigSign:
        if self.kind is None and self.api is None and not self.keys:
            raise ValueError("a config sign needs kind, api or keys")
        return self


class FileSign(_Strict):
    """Files named by ``glob`` (``fnmatch`` on the repository-relative path, where ``*``
    crosses ``/``: ``*.tf`` is every Terraform file); with ``contains``, only those whose text
    matches it (the first match is the evidence's line). ``needles``: plain substrings of which
    every match holds one; a file with none of them is not searched (a cheap test first).
    Only files of configuration size are searched (``packs.MAX_SEARCHED_BYTES``). ``tool``:
    the name its findings carry, as a Python sign's (default: the stack's)."""

    evidences: Facts
    glob: Annotated[list[Glob], Field(min_length=1)]
    contains: Regex | None = None
    needles: list[str] = Field(default_factory=list)
    tool: str | None = None  # the name findings carry (default: the stack's)


class CommandSign(_Strict):
    """A command (``anyscale service rollout``, ``az ml online-deployment create``) or a CI
    task (``HelmDeploy@0``), as a regular expression over a CI step, a shell script, a
    Makefile or a Dockerfile. ``step``: the kinds of step it is, for the CI detectors;
    ``evidences``: facts it shows wherever it runs, or, with ``ci_only``, only in a CI step
    (what a pipeline does on every run, not a command a person may run once)."""

    pattern: CommandRegex
    step: list[StepKind] = Field(default_factory=list)
    evidences: list[Fact] = Field(default_factory=list)
    ci_only: bool = False

    @model_validator(mode="after")
    def _says_something(self) -> CommandSign:
        if not self.step and not self.evidences:
            raise ValueError("a command sign needs step or evidences")
        return self


class Pack(_Strict):
    """One stack: what it is, and its signs."""

    stack: str = Field(min_length=1)
    category: Category
    summary: str = Field(min_length=1)
    docs: str = Field(pattern=r"^https://")
    python: list[PythonSign] = Field(default_factory=list)
    pipelines: list[PipelineSign] = Field(default_factory=list)
    config: list[ConfigSign] = Field(default_factory=list)
    files: list[FileSign] = Field(default_factory=list)
    commands: list[CommandSign] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_signs(self) -> Pack:
        if not (self.python or self.pipelines or self.config or self.files or self.commands):
            raise ValueError("a pack needs at least one sign")
        return self

    def evidences(self) -> list[str]:
        """Every fact some sign of the pack evidences (pipelines evidence pipeline_defined),
        in the order of :data:`FACTS`."""
        signs: list[PythonSign | ConfigSign | FileSign | CommandSign] = [
            *self.python, *self.config, *self.files, *self.commands
        ]
        named = {f for sign in signs for f in sign.evidences}
        if self.pipelines:
            named.add("pipeline_defined")
        return [f for f in FACTS if f in named]

    def steps(self) -> list[str]:
        """The step kinds the pack's commands are read as."""
        kinds = {k for c in self.commands for k in c.step}
        return [k for k in get_args(StepKind) if k in kinds]
