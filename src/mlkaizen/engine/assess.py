"""Findings + catalogue + config -> :class:`Assessment`. The engine never opens a file."""

from __future__ import annotations

import datetime as dt

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.config import Config
from mlkaizen.engine import gates
from mlkaizen.engine.explain import explanation
from mlkaizen.engine.implication import apply_implications
from mlkaizen.engine.model import (
    SATISFIED,
    Assessment,
    DimensionResult,
    PracticeResult,
    ScanStats,
    ScanWarning,
    Subject,
)
from mlkaizen.engine.questions import build_questions
from mlkaizen.engine.roadmap import build_roadmap
from mlkaizen.engine.states import Attested, resolve
from mlkaizen.evidence.answers import Combined
from mlkaizen.evidence.findings import Finding


def evaluate(
    catalogue: Catalogue,
    findings: list[Finding],
    detectors_run: set[str],
    config: Config,
    subject: Subject,
    *,
    warnings: list[Finding] | None = None,
    scan: ScanStats | None = None,
    today: dt.date | None = None,
    tool_version: str = "0",
    answers: dict[str, Combined] | None = None,
    respondents: list[str] | None = None,
    scanned: bool = True,
) -> Assessment:
    """Resolve every practice, then levels, stage, blockers, roadmap and questions.

    ``answers`` are combined questionnaire answers; ``scanned`` is False when there is no
    repository (an assessment from interviews alone).
    """
    today = today or dt.date.today()
    by_detector: dict[str, list[Finding]] = {}
    for f in findings:
        by_detector.setdefault(f.detector, []).append(f)
    attested = {
        pid: Attested(
            c.answer, c.by, "", c.links[0] if c.links else None, c.agreement, c.disagreement
        )
        for pid, c in (answers or {}).items()
    }
    results = [
        resolve(
            p,
            by_detector,
            detectors_run,
            config,
            today=today,
            answer=attested.get(p.id),
            scanned=scanned,
        )
        for p in catalogue.practices
    ]
    if scanned:
        apply_implications(catalogue, results)
    assessment = summarise(
        catalogue,
        results,
        subject,
        findings=findings,
        warnings=warnings or [],
        scan=scan,
        tool_version=tool_version,
    )
    assessment.respondents = sorted(respondents or [])
    assessment.answers_used = sum(c.answer != "unknown" for c in (answers or {}).values())
    if assessment.respondents:  # the explanation counts them
        assessment.explanation = explanation(assessment)
    return assessment


def rule_id(catalogue: Catalogue) -> str:
    """A short fingerprint of what decides levels and stages: the stage gates, the cells and
    which practice sits in which cell. Two catalogues with the same fingerprint judge alike."""
    import hashlib
    import json

    rule = {
        "stages": [
            [s.index, sorted(s.requires.items())]
            + ([s.tolerance.fingerprint()] if s.tolerance else [])
            for s in catalogue.stages
        ],
        "cells": [
            [d.id, lv, c.model_dump(mode="json") if (c := catalogue.cell(d.id, lv)) else None]
            for d in catalogue.dimensions
            for lv in (1, 2, 3)
        ],
        "practices": sorted([p.id, p.dimension, p.level, p.required] for p in catalogue.practices),
    }
    return hashlib.sha256(json.dumps(rule, sort_keys=True).encode()).hexdigest()[:12]


def _score(catalogue: Catalogue, results: list[PracticeResult]) -> float:
    total = sum(catalogue.weight(r.id) for r in results)
    done = sum(catalogue.weight(r.id) for r in results if r.state in SATISFIED)
    return round(done / total, 4) if total else 0.0


def summarise(
    catalogue: Catalogue,
    results: list[PracticeResult],
    subject: Subject,
    *,
    findings: list[Finding],
    warnings: list[Finding],
    scan: ScanStats | None,
    tool_version: str,
) -> Assessment:
    for r in results:
        practice = catalogue.practice(r.id)
        r.role = catalogue.role(practice) if practice is not None else "optional"
    rules = {d.id: gates.level_rules(catalogue, d.id, results) for d in catalogue.dimensions}
    confirmed = {d: gates.dimension_level(rs) for d, rs in rules.items()}
    potential = {d: gates.dimension_level(rs, optimistic=True) for d, rs in rules.items()}
    stage, tolerated = gates.stage_reached(catalogue, results)
    potential_stage, _ = gates.stage_reached(catalogue, results, optimistic=True)
    nxt = gates.next_stage(catalogue, stage)
    after = gates.next_stage(catalogue, nxt) if nxt else None
    dims = []
    for d in catalogue.dimensions:
        mine = [r for r in results if r.dimension == d.id]
        dims.append(
            DimensionResult(
                id=d.id,
                name=d.name,
                level=confirmed[d.id],
                level_name=catalogue.level_name(confirmed[d.id]),
                potential_level=potential[d.id],
                met=sum(r.state in SATISFIED for r in mine),
                total=len(mine),
                score=_score(catalogue, mine),
                blockers=gates.blockers(nxt, d.id, results, rules[d.id]),
                rules=rules[d.id],
            )
        )
    weakest = min(dims, key=lambda d: (d.level, d.met / max(d.total, 1)))
    blocking = {b.practice for d in dims for b in d.blockers}
    questions = build_questions(catalogue, results, blocking, findings)
    roadmap = build_roadmap(
        catalogue,
        results,
        [s for s in (nxt, after) if s is not None],
        verify=True,
        questions={q.practice: q.question for q in questions},
    )
    assessment = Assessment(
        tool_version=tool_version,
        catalogue={"id": catalogue.id, "version": catalogue.version, "rule": rule_id(catalogue)},
        subject=subject,
        stage=stage.name,
        stage_index=stage.index,
        potential_stage=potential_stage.name,
        potential_stage_index=potential_stage.index,
        next_stage=nxt.name if nxt else None,
        tolerated=tolerated,
        weakest_dimension=weakest.id,
        explanation="",
        dimensions=dims,
        practices=results,
        roadmap=roadmap,
        questions=questions,
        findings=findings,
        warnings=[
            ScanWarning(
                kind=w.values.get("kind", "scan"), message=w.detail, file=w.file, line=w.line
            )
            for w in warnings
        ],
        scan=scan,
    )
    assessment.explanation = explanation(assessment)
    return assessment
