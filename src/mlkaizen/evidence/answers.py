"""Questionnaire answers as evidence: answer files, several respondents, one combined answer.

An answers file (YAML, written by hand or by ``mlkaizen survey``)::

    respondent: alice
    answered_at: 2026-11-20T10:00:00Z
    catalogue: {id: ad-hoc-to-kaizen, version: "2026.12.0"}
    subject: Acme / fraud model            # optional
    answers:
      data.access-control: {answer: yes, link: https://wiki/acl, comment: reviewed quarterly}
      model.registry: partly               # short form
    decisions:                             # optional, a facilitator's ruling that wins
      model.registry: {answer: yes, reason: agreed in the workshop}

Where they are found: ``mlkaizen survey`` saves each respondent's file in the repository's
``.mlkaizen/answers/`` (commit it), and every command that assesses the repository
(``assess``, ``target``, ``map``, ``history``) reads that folder without being told;
``--answers`` names others instead. ``history`` reads each commit's own folder.

**Combination rule** (documented, deterministic): "don't know" (``unknown``) answers are
ignored; among the rest the most cautious wins (``no`` < ``partly`` < ``yes``);
``not-applicable`` stands only when every respondent who answered says so. A ``decisions``
entry overrides the rule for its practice. Disagreement is any difference between the
respondents' answers (don't-knows aside); agreement is the share giving the most common one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlkaizen.errors import MLKaizenError

Answer = Literal["yes", "partly", "no", "not-applicable", "unknown"]
CAUTION = {"no": 0, "partly": 1, "yes": 2}
MAX_ANSWERS_BYTES = 1024 * 1024
# Where `mlkaizen survey` saves a respondent's answers in the repository, and where every
# command that assesses it reads them without being told.
ANSWERS_DIR = ".mlkaizen/answers"
# Where versions before it saved them; a file there is read only when the survey wrote it.
OLD_ANSWERS_DIR = "answers"
SURVEY_HEADER = b"# Answers written by `mlkaizen survey`"


def _bool_to_answer(value: Any) -> Any:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value.strip().lower() in ("n/a", "na", "don't know", "dk"):
        return "not-applicable" if value.strip().lower() in ("n/a", "na") else "unknown"
    return value


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Answer
    link: str | None = None
    comment: str | None = None
    reason: str | None = None

    @field_validator("answer", mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        return _bool_to_answer(value)


class AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    respondent: str = Field(min_length=1)
    role: str | None = None
    answered_at: dt.datetime | dt.date | None = None
    catalogue: dict[str, str]
    subject: str | None = None
    answers: dict[str, Entry] = Field(default_factory=dict)
    decisions: dict[str, Entry] = Field(default_factory=dict)

    @field_validator("catalogue", mode="before")
    @classmethod
    def _versions_as_text(cls, value: Any) -> Any:
        # an unquoted YAML version (2026.11) is a number; compare it as text
        if isinstance(value, dict):
            return {k: str(v) for k, v in value.items()}
        return value

    @field_validator("answers", "decisions", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (v if isinstance(v, dict) else {"answer": _bool_to_answer(v)})
                for k, v in value.items()
            }
        return value


@dataclass
class Combined:
    """The combined answer to one practice's question, with its provenance."""

    practice: str
    answer: Answer
    respondents: dict[str, Answer]
    agreement: float
    disagreement: bool
    decided_by: str | None = None
    links: list[str] = field(default_factory=list)

    @property
    def by(self) -> str:
        if self.decided_by:
            return f"{self.decided_by} (decision)"
        names = ", ".join(sorted(self.respondents))
        return names if len(self.respondents) == 1 else f"{names} (most cautious answer)"


def answer_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not p.is_symlink()
                and p.name not in ("profile.yaml", "profile.yml")
            )
        elif path.is_file():
            out.append(path)
        else:
            raise MLKaizenError("answers file or folder not found", str(path))
    return out


def _folder_inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when it is a folder reached without any link below ``root``."""
    import os

    folder = root.joinpath(*rel.split("/"))
    parts = rel.split("/")
    steps = [root.joinpath(*parts[: i + 1]) for i in range(len(parts))]
    if any(step.is_symlink() for step in steps) or not folder.is_dir():
        return None
    real, top = os.path.realpath(folder), os.path.realpath(root).rstrip(os.sep) + os.sep
    return folder if real.startswith(top) else None


def default_answers(root: Path) -> tuple[list[Path], list[str]]:
    """The answers files of the repository at ``root`` found without being named, and notes
    about them: every ``*.yaml`` in ``.mlkaizen/answers/``, and the files `mlkaizen survey`
    wrote in ``answers/`` before it saved there (a note says to move them; one with the
    name of a file in the new place is left out). Only regular files really inside ``root``
    are used (no link, nothing behind a linked folder), as for any file found by name."""
    from mlkaizen.fsio.read import found_inside, read_head

    found: list[Path] = []
    folder = _folder_inside(root, ANSWERS_DIR)
    if folder is not None:
        found = [p for p in answer_files([folder]) if found_inside(p, root)]
    notes: list[str] = []
    old = _folder_inside(root, OLD_ANSWERS_DIR)
    if old is not None:
        names = {p.name for p in found}
        moved = [
            p
            for p in answer_files([old])
            if p.name not in names
            and found_inside(p, root)
            and (read_head(p, len(SURVEY_HEADER)) or b"") == SURVEY_HEADER
        ]
        if moved:
            notes.append(
                f"answers read from {OLD_ANSWERS_DIR}/ ({', '.join(p.name for p in moved)}), "
                f"where an older mlkaizen saved them: move them to {ANSWERS_DIR}/"
            )
            found += moved
    return found, notes


def load_answers(path: Path, catalogue_id: str, version: str, practices: set[str]) -> AnswersFile:
    from mlkaizen.formats.datafile import first_error, line_of, load_yaml_mapping
    from mlkaizen.fsio.read import read_text

    display = str(path)
    text = read_text(path, "answers file", MAX_ANSWERS_BYTES)
    data = load_yaml_mapping(text, display)
    try:
        parsed = AnswersFile.model_validate(data)
    except ValidationError as exc:
        loc, message, _ = first_error(exc)
        expected = (
            " (expected yes, partly, no, not-applicable or unknown)"
            if loc and loc[-1] == "answer"
            else ""
        )
        raise MLKaizenError(f"{message}{expected}", display, line_of(text, loc)) from None
    cat = parsed.catalogue
    # answers are about practices, matched by id: another version of the same catalogue
    # (a changed level rule, say) keeps them valid as long as every practice still exists
    if cat.get("id") != catalogue_id:
        raise MLKaizenError(
            f"answers are for catalogue {cat.get('id')} {cat.get('version')}, this assessment "
            f"uses {catalogue_id} {version}; re-run `mlkaizen survey` or review the answers and "
            "update their catalogue",
            display,
            line_of(text, ("catalogue",)),
        )
    for section in ("answers", "decisions"):
        for pid in getattr(parsed, section):
            if pid not in practices:
                raise MLKaizenError(
                    f"{section}: unknown practice {pid!r} (see `mlkaizen model show`)",
                    display,
                    line_of(text, (section, pid)),
                )
    return parsed


def combine(files: list[AnswersFile]) -> dict[str, Combined]:
    """One answer per practice by the documented rule (module docstring)."""
    per: dict[str, dict[str, Entry]] = {}
    decisions: dict[str, tuple[str, Entry]] = {}
    for f in files:
        for pid, entry in f.answers.items():
            per.setdefault(pid, {})[f.respondent] = entry
        for pid, entry in f.decisions.items():
            decisions[pid] = (f.respondent, entry)
    out: dict[str, Combined] = {}
    for pid in sorted(set(per) | set(decisions)):
        given = {who: e.answer for who, e in per.get(pid, {}).items()}
        known = [a for a in given.values() if a != "unknown"]
        counts = Counter(known)
        agreement = counts.most_common(1)[0][1] / len(known) if known else 0.0
        if not known:
            answer: Answer = "unknown"
        elif all(a == "not-applicable" for a in known):
            answer = "not-applicable"
        else:
            graded = [a for a in known if a in CAUTION]
            answer = min(graded, key=CAUTION.__getitem__) if graded else "unknown"
        links = [e.link for e in per.get(pid, {}).values() if e.link]
        combined = Combined(
            pid, answer, given, round(agreement, 2), len(set(known)) > 1, links=links
        )
        if pid in decisions:
            who, entry = decisions[pid]
            combined.answer, combined.decided_by = entry.answer, who
        out[pid] = combined
    return out
