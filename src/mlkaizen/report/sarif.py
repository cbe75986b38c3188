"""SARIF 2.1.0 (opt-in): one result per file-anchored piece of evidence behind a practice that
is partial or unmet, with rule metadata taken from the practice's catalogue entry.

Why so little: code-scanning users complain when analysers flood the security tab with
heuristic alerts that point nowhere useful. MLKaizen's gaps are mostly *absences* (no
registry, no drift alert) with no line to point at; those stay in the other reports. What is
emitted here is only what a reviewer can act on at that line: a partly pinned requirements
file, a pipeline that trains but is never triggered, a tool seen only in a tutorial folder,
and files the scan could not read.
"""

from __future__ import annotations

import json
from typing import Any

from mlkaizen import __version__
from mlkaizen.engine.model import Assessment, Source, State
from mlkaizen.report.context import RenderContext
from mlkaizen.report.escape import md_prose, uri_path, visible

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SCAN_RULE = "mlkaizen.scan-warning"


def render(a: Assessment, ctx: RenderContext) -> str:
    practices = {p.id: p for p in ctx.catalogue.practices}
    results: list[dict[str, Any]] = []
    used: list[str] = []
    for p in a.practices:
        if p.state not in (State.PARTIAL, State.UNMET):
            continue
        # one result per location, with what was seen there (several findings may share a
        # line: a job that evaluates a model and publishes its report)
        seen: dict[tuple[str, int], list[str]] = {}
        for ev in p.evidence:
            if ev.file and ev.line:
                details = seen.setdefault((ev.file, ev.line), [])
                detail = ev.detail or ev.detector
                if detail not in details:
                    details.append(detail)
        if p.source is Source.DETECTED:  # the note tells of the first location only
            missing = p.note.partition("; missing: ")[2]  # what full use still needs
            todo = f" Missing: {missing}." if missing else ""
        else:  # an answer or a setting: its note says who, and applies everywhere
            todo = f" {p.note}."
        for where, details in seen.items():
            if p.id not in used:
                used.append(p.id)
            results.append(
                _result(
                    p.id,
                    used.index(p.id),
                    "warning" if p.state is State.UNMET else "note",
                    f"{p.title}: {p.state.value} ({'; '.join(details)}).{todo} "
                    f"Fix: {practices[p.id].remediation}",
                    where,
                )
            )
    warned: dict[tuple[str, int], list[str]] = {}
    for w in a.warnings:
        if w.file and w.line and w.message not in warned.setdefault((w.file, w.line), []):
            warned[(w.file, w.line)].append(w.message)
    rules = [_rule(practices[pid]) for pid in used]
    if warned:
        rules.append(
            {
                "id": SCAN_RULE,
                "name": "ScanWarning",
                "shortDescription": {"text": "The scan could not use this file"},
                "fullDescription": {
                    "text": "A file was malformed, too large or "
                    "unreadable; evidence in it was not seen."
                },
                "defaultConfiguration": {"level": "note"},
            }
        )
        for where, messages in warned.items():
            results.append(_result(SCAN_RULE, len(rules) - 1, "note", "; ".join(messages), where))
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "MLKaizen",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/mlkaizen/",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The root of the assessed repository."}}
                },
                "results": results,
                "properties": {
                    "stage": a.stage,
                    "potentialStage": a.potential_stage,
                    "catalogue": a.catalogue,
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": "".join(part.capitalize() for part in p.id.replace(".", "-").split("-")),
        "shortDescription": {"text": p.title},
        "fullDescription": {"text": p.rationale},
        "help": {"text": p.remediation, "markdown": md_prose(p.remediation)},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["mlops", p.dimension, f"level-{p.level}"],
            "effort": p.effort.value,
        },
    }


def _result(
    rule_id: str, rule_index: int, level: str, text: str, where: tuple[str, int]
) -> dict[str, Any]:
    file, line = where
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": visible(text)},  # notes carry attestation authors, file names
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri_path(file), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                }
            }
        ],
    }
