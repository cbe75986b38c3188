"""Hand-written catalogues and findings for engine tests (no repository involved)."""

from __future__ import annotations

import datetime as dt

from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.config import Config
from mlkaizen.engine.assess import evaluate
from mlkaizen.engine.model import Assessment, Subject
from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.findings import Context, Finding, Outcome

TODAY = dt.date(2026, 11, 27)
CATALOGUE: Catalogue = load_catalogue()
ALL_DETECTORS = set(REGISTRY)


def found(detector: str, file: str = "x.py", line: int = 1,
          context: Context = Context.PROJECT, outcome: Outcome = Outcome.FOUND) -> Finding:
    return Finding(detector=detector, outcome=outcome, file=file, line=line,
                   detail=f"{detector} seen", context=context)


def run(findings: list[Finding], config: Config | None = None,
        detectors_run: set[str] | None = None) -> Assessment:
    return evaluate(CATALOGUE, findings, ALL_DETECTORS if detectors_run is None else detectors_run,
                    config or Config(), Subject(name="t", path="t"), today=TODAY)


def met_all_of_level(level: int) -> list[Finding]:
    """Findings that satisfy every detectable required practice up to ``level``."""
    out = []
    for p in CATALOGUE.practices:
        if p.level <= level and p.detection:
            out += [found(d) for d in p.detection.met_if_any[:1] or p.detection.met_if_all]
    return out


def attest_all_undetectable(level: int) -> Config:
    return Config.model_validate({"attest": {
        p.id: {"answer": "yes", "by": "t", "date": "2026-01-01"}
        for p in CATALOGUE.practices if p.level <= level}})
