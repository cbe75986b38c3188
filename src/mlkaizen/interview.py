"""Interactive questionnaires (Rich prompts): ``mlkaizen survey`` and ``mlkaizen profile``.

The survey asks only what detected evidence did not settle, shows progress, saves after every
answer (an interrupted survey loses nothing) and resumes from the saved file. A question the
repository's evidence narrows is asked as a confirmation naming that evidence (``[Y/n]``:
Enter confirms it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.textfmt import counted

CHOICES = {
    "y": "yes",
    "yes": "yes",
    "p": "partly",
    "partly": "partly",
    "n": "no",
    "no": "no",
    "na": "not-applicable",
    "n/a": "not-applicable",
    "not-applicable": "not-applicable",
    "dk": "unknown",
    "?": "unknown",
    "unknown": "unknown",
    "don't know": "unknown",
}
Ask = Callable[[str], str]


def _save(path: Path, doc: dict[str, Any], root: Path | None) -> None:
    from mlkaizen.fsio.write import write_text

    write_text(
        path,
        "# Answers written by `mlkaizen survey`; safe to edit by hand.\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
        root=root,
    )


def _plain(value: Any) -> Any:
    """Loaded YAML as plain dicts and lists (so it can be dumped again)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def run_survey(
    a: Assessment,
    respondent: str,
    out: Path,
    ask: Ask,
    say: Callable[[str], None],
    *,
    root: Path | None = None,
) -> tuple[int, int]:
    """Ask the open questions of ``a``; returns (answered now, still open). ``root`` is the
    repository the answers file lives in (no link below it is followed)."""
    from mlkaizen.fsio.read import read_existing

    doc: dict[str, Any] = {
        "respondent": respondent,
        "answered_at": None,
        "catalogue": {"id": a.catalogue["id"], "version": a.catalogue["version"]},
        "subject": a.subject.name,
        "answers": {},
    }
    existing = read_existing(out, "answers file", root, 1024 * 1024)
    if existing is not None:
        from mlkaizen.formats.datafile import load_yaml_mapping

        loaded = _plain(load_yaml_mapping(existing, str(out)))
        if loaded.get("respondent") != respondent:
            raise MLKaizenError(
                f"this answers file belongs to {loaded.get('respondent')!r}; choose another --out",
                str(out),
            )
        doc.update(loaded)
    answered = doc.get("answers") or {}
    if not isinstance(answered, dict):
        raise MLKaizenError("`answers:` must be a mapping of practice ids", str(out))
    doc["answers"] = answered
    todo = [q for q in a.questions if q.practice not in answered]
    confirm = sum(q.confirms is not None for q in todo)
    say(
        f"{counted(len(a.questions), 'open question')}, {len(a.questions) - len(todo)} already "
        f"answered; {len(todo)} to go. Answers: y(es) p(artly) n(o) na dk (don't know)."
        + (f" {confirm} to confirm: Enter confirms what the repository shows." if confirm else "")
    )
    done = 0
    for number, q in enumerate(todo, start=1):
        say(
            f"[{number}/{len(todo)}] {q.practice}"
            + ("  (blocks the next stage)" if q.blocks_next_stage else "")
            + ("  (confirm what the repository shows)" if q.confirms else "")
        )
        while True:
            # a confirmation names what the repository shows: Enter confirms it
            raw = ask(f"{q.question} [Y/n]" if q.confirms else q.question).strip().lower()
            if not raw and q.confirms:
                raw = "yes"
            if raw in CHOICES:
                break
            say("  please answer y, p, n, na or dk")
        entry: dict[str, str] = {"answer": CHOICES[raw]}
        note = ask("  link or comment (Enter to skip)").strip()
        if note:
            entry["link" if note.startswith(("http://", "https://")) else "comment"] = note
        answered[q.practice] = entry
        doc["answered_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        _save(out, doc, root)
        done += 1
    return done, len(todo) - done


PROFILE_QUESTIONS: list[tuple[str, str, list[str] | None]] = [
    ("needs_regulatory_compliance", "Does the use case need regulatory compliance?", ["yes", "no"]),
    (
        "needs_operational_excellence",
        "Does it need operational excellence (always fresh, reliable, fast to change)?",
        ["yes", "no"],
    ),
    ("data_and_collaboration_matter", "Do shared data and collaboration matter?", ["yes", "no"]),
    ("deployment", "Where does the model run?", ["cloud", "edge", "hybrid", "on-prem"]),
    ("serving", "How are predictions served?", ["batch", "real-time"]),
    (
        "update_frequency",
        "How often is the model updated?",
        ["daily", "weekly", "monthly", "quarterly", "yearly"],
    ),
    (
        "decision_criticality",
        "How critical are the decisions it informs?",
        ["low", "medium", "high"],
    ),
    ("data_volatility", "How fast does its data change?", ["low", "medium", "high"]),
    ("models", "How many models does the team run?", None),
    ("team_size", "How many people work on it?", None),
]
# asked only when the model runs on edge devices; `mlkaizen edge-advice` decides on them
EDGE_DEPLOYMENTS = ("edge", "hybrid")
EDGE_QUESTIONS: list[tuple[str, str, list[str] | None]] = [
    (
        "task",
        "What does the model do on the device?",
        ["perception", "prediction", "control", "analytics"],
    ),
    ("retraining_data", "How much data does retraining need?", ["low", "medium", "high"]),
    (
        "edge_to_cloud_bandwidth",
        "How much data can go from the devices to the cloud?",
        ["low", "medium", "high"],
    ),
    (
        "device_compute",
        "How much compute and memory do the devices have?",
        ["low", "medium", "high"],
    ),
]


def run_profile(ask: Ask, say: Callable[[str], None]) -> dict[str, Any]:
    """Ask the profile questions, and the edge factors when the model runs on the edge."""
    answers: dict[str, Any] = {}
    for key, question, choices in PROFILE_QUESTIONS:
        answers[key] = _ask_one(ask, say, question, choices)
        if key == "deployment" and answers[key] in EDGE_DEPLOYMENTS:
            for edge_key, edge_question, edge_choices in EDGE_QUESTIONS:
                answers[edge_key] = _ask_one(ask, say, edge_question, edge_choices)
    return answers


def _ask_one(
    ask: Ask, say: Callable[[str], None], question: str, choices: list[str] | None
) -> Any:
    """One question, asked until the answer is one of ``choices`` (or a number)."""
    hint = f" [{'/'.join(choices)}]" if choices else " [number]"
    while True:
        raw = ask(question + hint).strip().lower()
        if choices is None and raw.isdigit() and int(raw) >= 1:
            return int(raw)
        if choices and raw in choices:
            return {"yes": True, "no": False}.get(raw, raw)
        if choices and raw in ("y", "n") and choices == ["yes", "no"]:
            return raw == "y"
        say("  please answer one of: " + ("/".join(choices) if choices else "a number"))
