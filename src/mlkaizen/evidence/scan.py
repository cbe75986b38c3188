"""Run detectors over a tree: findings in a stable order, and which detectors ran.

A detector that raises is reported as a warning finding and left out of ``detectors_run``;
the practices that depend on it become *unknown* rather than silently *unmet*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mlkaizen.evidence import factcache
from mlkaizen.evidence.detectors.base import Detector
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.placeholders import downgrade
from mlkaizen.evidence.tree import WARNING_DETECTOR, RepoTree


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    detectors_run: set[str] = field(default_factory=set)


def run_detectors(
    tree: RepoTree, detectors: Iterable[Detector], progress: Callable[[str], None] | None = None
) -> ScanResult:
    result = ScanResult()
    with factcache.current().background_writes():  # parses are stored while detectors run
        for det in detectors:
            if progress is not None:
                progress(det.id)
            try:
                found = det.detect(tree)
            except Exception as exc:  # a detector bug must not stop the scan
                result.warnings.append(
                    Finding(
                        detector=WARNING_DETECTOR,
                        outcome=Outcome.WARNING,
                        detail=f"detector {det.id} failed ({type(exc).__name__}: {exc}); "
                        "its practices are reported as unknown",
                        values={"kind": "detector"},
                    )
                )
                continue
            result.detectors_run.add(det.id)
            result.findings.extend(found)
    unique: dict[tuple[str, str, int, str], Finding] = {}
    for f in downgrade(tree, result.findings):
        unique.setdefault(f.sort_key(), f)
    result.findings = sorted(unique.values(), key=Finding.sort_key)
    result.warnings = sorted(
        {
            (w.file or "", w.line or 0, w.detail): w for w in [*tree.warnings, *result.warnings]
        }.values(),
        key=lambda w: (w.file or "", w.line or 0, w.detail),
    )
    return result
