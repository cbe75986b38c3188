"""Implication: evidence of a practice that presupposes another (interpretation).

A retraining started by a drift alarm shows the monitoring that raises the alarm; a model
registry records the runs its versions come from; a CD job that deploys a model ships it as an
artifact. The catalogue says so as data (``implied_by`` on the presupposed practice), so that a
stage does not hang on one detection. One step only: an implied practice never implies
another, and a configured (not applicable, exempt) or already satisfied state is kept.
"""

from __future__ import annotations

import fnmatch

from mlkaizen.catalogue.schema import Catalogue, Implication
from mlkaizen.engine.model import SATISFIED, Evidence, PracticeResult, Source, State


def _support(imp: Implication, by_id: dict[str, PracticeResult]) -> list[Evidence] | None:
    """The evidence that makes ``imp`` hold, or None: every practice it names met by
    detection (not itself implied), through its detectors, not only excluded evidence."""
    evidence: list[Evidence] = []
    for pid in imp.practices:
        other = by_id.get(pid)
        if (
            other is None
            or other.state is not State.MET
            or other.source is not Source.DETECTED
            or other.implied_by
        ):
            return None
        counted = [
            e
            for e in other.evidence
            if (not imp.detectors or e.detector in imp.detectors)
            and (not imp.only or e.detail.startswith(tuple(imp.only)))
            and not e.detail.startswith(tuple(imp.excluding))
            and not any(fnmatch.fnmatchcase(e.file or "", g) for g in imp.not_in)
        ]
        if not counted:
            return None
        evidence += counted
    return evidence


def apply_implications(catalogue: Catalogue, results: list[PracticeResult]) -> None:
    """Mark met, in place, each unsatisfied practice whose ``implied_by`` holds."""
    by_id = {r.id: r for r in results}
    implied: list[tuple[PracticeResult, Implication, list[Evidence]]] = []
    for practice in catalogue.practices:
        result = by_id.get(practice.id)
        if result is None or result.state in SATISFIED or result.source is Source.CONFIGURED:
            continue
        for imp in practice.implied_by:
            support = _support(imp, by_id)
            if support is not None:
                implied.append((result, imp, support))
                break
    for result, imp, support in implied:  # after every check: one step, in any order
        before = result.note
        names = " + ".join(imp.practices)
        result.state, result.source = State.MET, Source.DETECTED
        result.implied_by = imp.practices
        result.evidence = [e.model_copy() for e in support]  # its own: rebasing one moves one
        result.note = f"implied by {names}: {imp.reason}"
        if result.conflict is None and before.startswith("attested 'no'"):
            result.conflict = f"{before}, but {names} presupposes it"
        result.open_question = False
