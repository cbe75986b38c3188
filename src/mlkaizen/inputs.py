"""What an assessment was made with besides the repository: the questionnaire answers (each
respondent's, the facilitators' decisions and the config's attestations), the use-case
profile, and the targets (the profile's target stage and levels, the gate's thresholds).

Plain data, gathered once for the store; reading it never changes the assessment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlkaizen.errors import MLKaizenError

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.config import Config

PROFILE_NAMES = ("profile.yaml", ".mlkaizen/profile.yaml")


@dataclass(frozen=True)
class AnswerRecord:
    """One answer to one practice's question, by one respondent."""

    respondent: str
    practice: str
    answer: str  # yes, partly, no, not-applicable, unknown
    kind: str = "answer"  # "answer", "decision" (a facilitator's ruling) or "attestation"
    role: str | None = None
    link: str | None = None
    comment: str | None = None
    answered_on: dt.date | None = None


@dataclass(frozen=True)
class TargetRecord:
    """One target the assessment was judged against: ``key`` is ``stage`` (``value`` its
    index, ``label`` its name) or a dimension id (``value`` the level)."""

    source: str  # "profile", "fail-under" or "fail-on-regression"
    key: str
    value: int
    label: str | None = None


@dataclass
class Inputs:
    answers: list[AnswerRecord] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)  # the profile's fields that are set
    profile_file: str | None = None
    targets: list[TargetRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # inputs found but not usable


def _date(value: dt.datetime | dt.date | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _answers(paths: list[Path], cat: Catalogue) -> list[AnswerRecord]:
    from mlkaizen.evidence.answers import answer_files, load_answers

    known = {p.id for p in cat.practices}
    out: list[AnswerRecord] = []
    for path in answer_files(paths):
        f = load_answers(path, cat.id, cat.version, known)
        when = _date(f.answered_at)
        out += [
            AnswerRecord(f.respondent, pid, e.answer, "answer", f.role, e.link, e.comment, when)
            for pid, e in f.answers.items()
        ]
        out += [
            AnswerRecord(f.respondent, pid, e.answer, "decision", f.role, e.link, e.reason, when)
            for pid, e in f.decisions.items()
        ]
    return out


def _attestations(
    root: Path | None, config_path: Path | None, config: Config | None = None
) -> list[AnswerRecord]:
    from mlkaizen.config import load_config

    if config is None:
        if root is None and config_path is None:
            return []
        config = load_config(root or Path("."), config_path)
    return [
        AnswerRecord(a.by, pid, a.answer, "attestation", None, a.link, a.comment, a.date)
        for pid, a in config.attest.items()
    ]


def answers_to_use(root: Path | None, given: list[Path] | None) -> tuple[list[Path], list[str]]:
    """The answers files an assessment of ``root`` uses, and notes about them: those given
    (``--answers``), else the repository's own (``.mlkaizen/answers/``, where `mlkaizen
    survey` saves them; :func:`mlkaizen.evidence.answers.default_answers`)."""
    from mlkaizen.evidence.answers import default_answers

    if given or root is None:
        return list(given or []), []
    return default_answers(root)


def find_profile(root: Path | None, answers: list[Path]) -> Path | None:
    """The use-case profile beside the assessment: ``profile.yaml`` or
    ``.mlkaizen/profile.yaml`` in the repository, else ``profile.yaml`` in an answers folder
    (a file found by name is used only when it really lies inside its folder)."""
    from mlkaizen.fsio.read import found_inside

    places = [(root / name, root) for name in PROFILE_NAMES] if root is not None else []
    places += [(folder / "profile.yaml", folder) for folder in answers if folder.is_dir()]
    return next((p for p, folder in places if found_inside(p, folder)), None)


def _gate(
    cat: Catalogue, fail_under: str | None, fail_on_regression: bool, baseline: Path | None
) -> list[TargetRecord]:
    from mlkaizen.engine.compare import parse_threshold

    out: list[TargetRecord] = []
    stages = sorted(cat.stages, key=lambda s: s.index)
    if fail_under is not None:
        stage_min, levels = parse_threshold(
            fail_under, [s.name for s in stages], [d.id for d in cat.dimensions]
        )
        if stage_min is not None:
            out.append(TargetRecord("fail-under", "stage", stage_min, stages[stage_min - 1].name))
        out += [TargetRecord("fail-under", d, lv) for d, lv in levels.items()]
    if fail_on_regression:
        label = str(baseline) if baseline is not None else None
        out.append(TargetRecord("fail-on-regression", "baseline", 1, label))
    return out


def gather(
    root: Path | None,
    cat: Catalogue,
    *,
    answers: list[Path] | None = None,
    config_path: Path | None = None,
    fail_under: str | None = None,
    fail_on_regression: bool = False,
    baseline: Path | None = None,
    config: Config | None = None,
) -> Inputs:
    """The inputs of an assessment of ``root`` (``None``: from the answers alone). A profile
    that cannot be read is reported in ``problems``, not raised: it did not shape the
    assessment. ``config``, when given, is the config the assessment used (e.g. read from a
    trusted commit), instead of the one found in ``root``."""
    from mlkaizen.engine.taxonomy import derive_target
    from mlkaizen.engine_files import load_profile

    paths = list(answers or [])
    found = Inputs(
        answers=_answers(paths, cat) + _attestations(root, config_path, config),
        targets=_gate(cat, fail_under, fail_on_regression, baseline),
    )
    where = find_profile(root, paths)
    if where is None:
        return found
    try:
        profile = load_profile(where)
    except MLKaizenError as exc:
        found.problems.append(f"profile not stored: {exc.message}")
        return found
    found.profile = profile.model_dump(mode="json", exclude_none=True)
    found.profile_file = str(where.resolve())
    names = {s.index: s.name for s in cat.stages}
    gates = {s.index: dict(s.requires) for s in cat.stages}
    goal = derive_target(profile, gates, [d.id for d in cat.dimensions])
    profile_targets = [TargetRecord("profile", "stage", goal.stage_index, names[goal.stage_index])]
    profile_targets += [TargetRecord("profile", d, lv) for d, lv in goal.levels.items()]
    found.targets = profile_targets + found.targets
    return found
