"""The detectors' tool vocabularies, as data: ``catalogue/vocabulary.yaml``.

Loaded once per process and validated. A plugin extends it through the
``mlkaizen.vocabulary`` entry-point group: the entry point names a YAML file of the same shape
(or a function returning its path); its lists are appended to the built-in ones. A plugin
file that fails to load or validate is reported (``mlkaizen detectors`` lists the problem)
and skipped; a broken built-in file is an internal error.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from mlkaizen.entry_points import installed_entry_points
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.detectors.usage import Signature
from mlkaizen.usercache import REVALIDATING

GROUP = "mlkaizen.vocabulary"
# a step-kind word inside a command-line option names no step: ``--extract-features``
_NOT_IN_OPTION = r"(?<![\s=]-)(?<!--)(?<!^-)"


def _regex(pattern: str, info: ValidationInfo) -> str:
    if info.context is not None and info.context.get(REVALIDATING):
        return pattern  # compiled when the entry was written; see _combines for the rest
    for form in (pattern, f"(?:{pattern})"):  # alone, and as a part of its kind's pattern
        try:
            re.compile(form, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return pattern


@lru_cache(maxsize=64)
def step_kind_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """The compiled, case-insensitive pattern matching any of ``patterns``; raises
    :class:`re.error`. Memoised: what checks a vocabulary is what the detectors use."""
    body = "|".join(f"(?:{p})" for p in patterns) or r"(?!x)x"
    return re.compile(f"{_NOT_IN_OPTION}(?:{body})", re.IGNORECASE)


def _patterns_of(files: list[VocabularyFile], kind: str) -> tuple[str, ...]:
    """The patterns of one step kind over ``files``, in order."""
    return tuple(p for f in files for k, ps in f.step_kinds.items() if k == kind for p in ps)


def _combines(files: list[VocabularyFile]) -> str | None:
    """Why the step-kind patterns of ``files`` do not compile together (a damaged cache
    entry, or plugins whose patterns clash, e.g. a group name twice); None if they do."""
    for kind in STEP_KINDS:
        try:
            step_kind_pattern(_patterns_of(files, kind))
        except re.error as exc:
            return f"the {kind} step patterns do not compile together: {exc}"
    return None


ToolList = Literal["trackers", "registries", "validation", "serving"]
StepKind = Literal[
    "train",
    "evaluate",
    "validate_data",
    "ingest",
    "tests",
    "deploy",
    "infra",
    "lint",
    "cml",
    "monitor",
    "policy",
    "maturity",
    "keep",
]
Word = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
Regex = Annotated[str, AfterValidator(_regex)]


class ToolEntry(BaseModel):
    """How one tool shows up in Python code (see :class:`usage.Signature`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str = Field(min_length=1)
    modules: list[str] = Field(min_length=1)
    calls: list[str] = Field(default_factory=list)

    @field_validator("modules")
    @classmethod
    def _dotted(cls, value: list[str]) -> list[str]:
        for module in value:
            if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module):
                raise ValueError(f"{module!r} is not a dotted module name")
        return value


TOOL_LISTS: tuple[str, ...] = get_args(ToolList)
STEP_KINDS: tuple[str, ...] = get_args(StepKind)


class VocabularyFile(BaseModel):
    """The shape of ``vocabulary.yaml`` and of a plugin's extension (every key optional)."""

    model_config = ConfigDict(extra="forbid")

    tools: dict[ToolList, list[ToolEntry]] = Field(default_factory=dict)
    data_suffixes: list[Word] = Field(default_factory=list)
    media_suffixes: list[Word] = Field(default_factory=list)
    model_suffixes: list[Word] = Field(default_factory=list)
    metric_names: list[Word] = Field(default_factory=list)
    step_kinds: dict[StepKind, list[Regex]] = Field(default_factory=dict)


class Vocabulary:
    """The merged vocabulary, in the forms detectors use."""

    def __init__(self, files: list[VocabularyFile]) -> None:
        self.tools: dict[str, tuple[Signature, ...]] = {
            name: tuple(
                Signature(t.tool, tuple(t.modules), tuple(t.calls))
                for f in files
                for key, entries in f.tools.items()
                if key == name
                for t in entries
            )
            for name in TOOL_LISTS
        }
        self.data_suffixes = frozenset(s for f in files for s in f.data_suffixes)
        self.media_suffixes = frozenset(s for f in files for s in f.media_suffixes)
        self.model_suffixes = frozenset(s for f in files for s in f.model_suffixes)
        self.metric_names = frozenset(s for f in files for s in f.metric_names)
        self.step_patterns = {kind: _patterns_of(files, kind) for kind in STEP_KINDS}

    def step_kind(self, kind: str) -> re.Pattern[str]:
        """The compiled, case-insensitive pattern of one step kind (checked to compile when
        the vocabulary was loaded)."""
        return step_kind_pattern(self.step_patterns[kind])


def builtin_path() -> Path:
    return Path(str(resources.files("mlkaizen.catalogue") / "vocabulary.yaml"))


def load_vocabulary_file(path: Path, display: str) -> VocabularyFile:
    """One vocabulary file, validated; problems raise :class:`MLKaizenError` with path:line."""
    from mlkaizen.formats.datafile import load_data_file

    return load_data_file(path, display, VocabularyFile, "vocabulary")


def _from_packs() -> VocabularyFile:
    """The step kinds the stack packs' commands add (``anyscale service rollout`` deploys)."""
    from mlkaizen.evidence.packs import runtime

    kinds: dict[str, list[str]] = {}
    for pack in runtime():
        for command in pack["commands"]:
            for kind in command["step"]:
                kinds.setdefault(kind, []).append(command["pattern"])
    # each pattern compiled when its pack was validated
    return VocabularyFile.model_validate({"step_kinds": kinds}, context={REVALIDATING: True})


@cache
def _loaded() -> tuple[Vocabulary, tuple[str, ...]]:
    from mlkaizen.formats.datacache import load_cached

    builtin = builtin_path()
    fresh = lambda: load_vocabulary_file(builtin, "<builtin>/vocabulary.yaml")  # noqa: E731
    files = [
        load_cached(
            builtin, fresh, lambda f: _combines([f]) is None, VocabularyFile, "vocabulary"
        )
    ]
    files.append(_from_packs())
    clash = _combines(files)
    if clash is not None:
        raise MLKaizenError(f"stack packs: {clash}")
    problems: list[str] = []
    for ep in sorted(installed_entry_points(GROUP), key=lambda e: e.name):
        try:
            value = ep.load()
            path = Path(value() if callable(value) else value)
            extension = load_vocabulary_file(path, str(path))
            clash = _combines([*files, extension])
            if clash is not None:
                raise MLKaizenError(clash, str(path))
            files.append(extension)
        except MLKaizenError as exc:
            problems.append(f"vocabulary plugin {ep.name!r}: {exc}; skipped")
        except Exception as exc:  # third-party code: report, do not crash
            problems.append(
                f"vocabulary plugin {ep.name!r} ({ep.value}) failed to load: "
                f"{type(exc).__name__}: {exc}; skipped"
            )
    return Vocabulary(files), tuple(problems)


def vocabulary() -> Vocabulary:
    """The vocabulary (built-in plus plugins), loaded once per process."""
    return _loaded()[0]


def vocabulary_problems() -> tuple[str, ...]:
    """Problems met loading vocabulary plugins."""
    return _loaded()[1]


def vocabulary_markdown() -> list[str]:
    """The built-in vocabulary as Markdown lines, for the generated detector reference."""
    files = [load_vocabulary_file(builtin_path(), "<builtin>/vocabulary.yaml")]
    vocab = Vocabulary(files)
    out = [
        "## Vocabulary",
        "",
        "The file suffixes, metric names and generic step kinds the detectors recognise are "
        "data, in `src/mlkaizen/catalogue/vocabulary.yaml`. A plugin adds to them through the "
        f"`{GROUP}` entry-point group: a YAML file of the same shape whose lists are appended "
        "(`tools.trackers`, `tools.registries`, `tools.validation`, `tools.serving`, "
        "`data_suffixes`, `media_suffixes`, `model_suffixes`, `metric_names`, `step_kinds`). "
        "A tool counts only in files that import one of its modules; a step kind matches a "
        "step's command, never a word inside a command-line option.",
        "",
    ]
    out.append(
        "- **tools**: the built-in tools (trackers, registries, validation, serving and every "
        "other stack) are stack packs, listed in [stacks.md](stacks.md); a vocabulary plugin's "
        "`tools` are read as before"
    )
    for label, words in (
        ("data suffixes", vocab.data_suffixes),
        ("media suffixes (data only inside a data folder)", vocab.media_suffixes),
        ("model suffixes", vocab.model_suffixes),
        ("metric names", vocab.metric_names),
    ):
        out.append(f"- **{label}**: " + ", ".join(f"`{w}`" for w in sorted(words)))
    out.append("- **step kinds**: " + ", ".join(f"`{k}`" for k in STEP_KINDS))
    return [*out, ""]
