"""Calibrate MLKaizen against real repositories labelled by hand.

    python bench/calibrate.py --corpus ~/.cache/mlk-corpus
    python bench/calibrate.py --corpus DIR --labels bench/calibration/labels \
        --stages bench/calibration/stages.yaml --json out.json

Input: a folder of checked-out repositories (``<owner>__<name>`` each, see
``bench/calibration/README.md`` to re-create it), a folder of hand labels (17 practice
families, each present or not, with the files that show it) and the expected band of each
repository's confirmed stage.

Output:
* per-family precision, recall and F1 of the detectors, and their micro average;
* the share of repositories whose confirmed stage falls inside its band, and a confusion
  table of stage against band;
* Spearman's rank correlation between the confirmed stage and the hand maturity level;
* every disagreement, with the evidence that drove the prediction;
* robustness (leave one out): for each repository, the findings whose removal alone changes
  its confirmed stage, and the share of repositories at Manual MLOps or above whose stage
  hangs on a single finding (and, stricter, on a single detector: all its findings gone).

The repositories of each set in ``bench/calibration/sets.yaml`` (labelled after the detector
work, committed before the change they judge) are reported apart from the calibration set
(every other labelled repository, which shaped the detectors); ``--set NAME`` reports one.

How a family is read off an assessment is data: ``bench/calibration/families.yaml``.
A measurement, not a test: it exits 0 whatever the figures (2 on bad input).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CALIBRATION = HERE / "calibration"
STAGES = ["Ad hoc", "DataOps", "Manual MLOps", "Automated MLOps", "Kaizen MLOps"]
CREDITED_CONTEXTS = ("project", "tutorial")


@dataclass
class Repo:
    key: str
    label: dict[str, Any]
    band: tuple[int, int] | None
    stage: int = 0
    kind: str = ""
    levels: dict[str, int] = field(default_factory=dict)
    predicted: dict[str, bool] = field(default_factory=dict)
    why: dict[str, list[str]] = field(default_factory=dict)
    blockers: list[str] = field(default_factory=list)
    fragile: list[str] = field(default_factory=list)  # findings whose removal alone moves it
    fragile_detectors: list[str] = field(default_factory=list)


def rank(values: list[float]) -> list[float]:
    """Ranks 1..n with ties given their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho: Pearson's correlation of the (tie-averaged) ranks."""
    if len(xs) < 3:
        return None
    rx, ry = rank(xs), rank(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else None


def predict(
    findings: list[dict[str, Any]], families: dict[str, Any]
) -> tuple[dict[str, bool], dict[str, list[str]]]:
    by_detector: dict[str, list[dict[str, Any]]] = {}
    partial: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        if f.get("context", "project") not in CREDITED_CONTEXTS:
            continue
        if f["outcome"] == "found":
            by_detector.setdefault(f["detector"], []).append(f)
        elif f["outcome"] == "partial":
            partial.setdefault(f["detector"], []).append(f)
    predicted, why = {}, {}
    for family, rule in families.items():
        # ``partial``: detectors whose partial findings show the practice too (a CI job
        # started by hand that trains is ML work in CI, though not continuous training)
        for d in rule.get("partial", []):
            if not by_detector.get(d) and partial.get(d):
                by_detector[d] = partial[d]
        hits = [d for d in rule["any"] if by_detector.get(d)]
        predicted[family] = len(hits) >= int(rule.get("at_least", 1))
        why[family] = [
            f"{d}: {f.get('file') or '-'}:{f.get('line') or ''} {f.get('detail', '')}".strip()
            for d in hits
            for f in by_detector[d][:2]
        ]
    return predicted, why


def assess(path: Path) -> dict[str, Any]:
    from mlkaizen.api import assess as run

    return json.loads(run(path).model_dump_json())


def leave_one_out(path: Path, focus: str | None) -> tuple[list[str], list[str]]:
    """The findings (and the detectors) whose removal alone changes the confirmed stage of
    the repository, or of its ``focus`` project (a collection is judged by its most mature
    project on that project's own evidence). Each removal is re-judged by the engine with
    the same catalogue; nothing is scanned again."""
    from mlkaizen.api import assess as run
    from mlkaizen.catalogue.loader import load_catalogue
    from mlkaizen.config import Config
    from mlkaizen.engine.assess import evaluate
    from mlkaizen.evidence.detectors import all_detectors

    base = run(path, part=focus) if focus else run(path)
    catalogue, ran = load_catalogue(), set(all_detectors()[0])

    def stage(findings: list[Any]) -> int:
        return evaluate(catalogue, findings, ran, Config(), base.subject).stage_index

    # a git repository is one by construction: its finding is not a detection to miss
    counted = [
        f
        for f in base.findings
        if f.outcome.value in ("found", "partial") and f.detector != "code_under_version_control"
    ]
    fragile = [
        f"{f.detector}@{f.file or '-'}:{f.line or ''}"
        for i, f in enumerate(base.findings)
        if f in counted and stage(base.findings[:i] + base.findings[i + 1 :]) != base.stage_index
    ]
    detectors = sorted({f.detector for f in counted})
    fragile_detectors = [
        d
        for d in detectors
        if stage([f for f in base.findings if f.detector != d]) != base.stage_index
    ]
    return fragile, fragile_detectors


def load_repos(labels_dir: Path, stages_file: Path, corpus: Path) -> tuple[list[Repo], list[str]]:
    bands = yaml.safe_load(stages_file.read_text(encoding="utf-8")) or {}
    repos, missing = [], []
    for path in sorted(labels_dir.glob("*.yaml")):
        label = yaml.safe_load(path.read_text(encoding="utf-8"))
        key = path.stem
        if not (corpus / key).is_dir():
            missing.append(key)
            continue
        band = bands.get(key, {}).get("band")
        repos.append(Repo(key, label, tuple(band) if band else None))
    return repos, missing


def table(rows: Iterable[list[str]], header: list[str]) -> str:
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path.home() / ".cache" / "mlk-corpus")
    ap.add_argument("--labels", type=Path, default=CALIBRATION / "labels")
    ap.add_argument("--stages", type=Path, default=CALIBRATION / "stages.yaml")
    ap.add_argument("--families", type=Path, default=CALIBRATION / "families.yaml")
    ap.add_argument("--json", type=Path, help="also write every figure as JSON here")
    ap.add_argument("--only", nargs="*", help="only these <owner>__<name> keys")
    ap.add_argument("--sets", type=Path, default=CALIBRATION / "sets.yaml")
    ap.add_argument("--set", dest="one_set", help="report only this set of --sets "
                    "(or 'calibration': the repositories in no set)")
    ap.add_argument("--no-robustness", action="store_true", help="skip leave-one-out")
    args = ap.parse_args(argv)
    for p in (args.corpus, args.labels):
        if not p.is_dir():
            print(f"calibrate: {p}: not a folder", file=sys.stderr)
            return 2
    families = yaml.safe_load(args.families.read_text(encoding="utf-8"))
    repos, missing = load_repos(args.labels, args.stages, args.corpus)
    sets: dict[str, list[str]] = (
        yaml.safe_load(args.sets.read_text(encoding="utf-8")) or {} if args.sets.is_file() else {}
    )
    in_sets = {k for keys in sets.values() for k in keys}
    groups = {"calibration": [r.key for r in repos if r.key not in in_sets]}
    groups.update({name: keys for name, keys in sets.items()})
    if args.one_set:
        if args.one_set not in groups:
            print(f"calibrate: no set {args.one_set!r} in {args.sets}", file=sys.stderr)
            return 2
        groups = {args.one_set: groups[args.one_set]}
    if args.only:
        repos = [r for r in repos if r.key in args.only]
    wanted = {k for keys in groups.values() for k in keys}
    repos = [r for r in repos if r.key in wanted]
    if not repos:
        print("calibrate: no labelled repository is checked out in the corpus", file=sys.stderr)
        return 2
    for r in repos:
        a = assess(args.corpus / r.key)
        r.stage, r.kind = a["stage_index"], a["subject"]["kind"]
        r.levels = {d["id"]: d["level"] for d in a["dimensions"]}
        r.predicted, r.why = predict(a["findings"], families)
        r.blockers = [
            f"{b['practice']} [{b.get('role', 'core')}, {b['state']}]"
            for d in a["dimensions"]
            for b in d["blockers"]
        ]
        if not args.no_robustness:
            r.fragile, r.fragile_detectors = leave_one_out(args.corpus / r.key, a.get("focus"))

    out: dict[str, Any] = {}
    for name, keys in groups.items():
        members = [r for r in repos if r.key in keys]
        if not members:
            continue
        print(f"=== {name} ===")
        out[name] = report(members, missing, families, robustness=not args.no_robustness)
        print()
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


def report(  # noqa: PLR0915 - one printout, top to bottom
    repos: list[Repo], missing: list[str], families: dict[str, Any], *, robustness: bool
) -> dict[str, Any]:
    """Print every figure, and return them."""
    counts = {fam: [0, 0, 0] for fam in families}  # tp, fp, fn
    disagreements: list[dict[str, Any]] = []
    for r in repos:
        for fam in families:
            truth = bool(r.label["practices"].get(fam, {}).get("present"))
            pred = r.predicted[fam]
            c = counts[fam]
            if truth and pred:
                c[0] += 1
            elif pred and not truth:
                c[1] += 1
            elif truth and not pred:
                c[2] += 1
            if truth != pred:
                disagreements.append(
                    {
                        "repo": r.key,
                        "family": fam,
                        "label": truth,
                        "predicted": pred,
                        "borderline": bool(r.label["practices"].get(fam, {}).get("borderline")),
                        "label_evidence": r.label["practices"].get(fam, {}).get("evidence", []),
                        "detector_evidence": r.why[fam],
                    }
                )
    fam_rows, fam_json = [], {}
    for fam, (tp, fp, fn) in counts.items():
        p, rc, f = f1(tp, fp, fn)
        fam_json[fam] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": rc, "f1": f}
        fam_rows.append([fam, str(tp), str(fp), str(fn), f"{p:.2f}", f"{rc:.2f}", f"{f:.2f}"])
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    mp, mr, mf = f1(tp, fp, fn)
    fam_rows.append(["micro", str(tp), str(fp), str(fn), f"{mp:.2f}", f"{mr:.2f}", f"{mf:.2f}"])

    banded = [r for r in repos if r.band]
    inside = [r for r in banded if r.band and r.band[0] <= r.stage <= r.band[1]]
    hand = [(r.stage, r.label.get("maturity_hand", {}).get("microsoft_level")) for r in repos]
    pairs = [(float(s), float(h)) for s, h in hand if h is not None]
    rho = spearman([p[0] for p in pairs], [p[1] for p in pairs])

    print(f"Calibration over {len(repos)} labelled repositories", end="")
    print(
        f" ({len(missing)} labelled but not checked out: {', '.join(missing)})" if missing else ""
    )
    print()
    print(table(fam_rows, ["family", "tp", "fp", "fn", "precision", "recall", "F1"]))
    print()
    share = len(inside) / len(banded) if banded else 0.0
    print(f"Confirmed stage inside its band: {len(inside)}/{len(banded)} = {share:.0%}")
    shown = "n/a" if rho is None else f"{rho:.2f}"
    print(f"Spearman (confirmed stage vs hand maturity level): {shown} over {len(pairs)}")
    print()
    band_keys = sorted({f"{r.band[0]}-{r.band[1]}" for r in banded if r.band})
    conf = [
        [
            b,
            *[
                str(
                    sum(
                        1
                        for r in banded
                        if r.band and f"{r.band[0]}-{r.band[1]}" == b and r.stage == s
                    )
                )
                for s in range(1, 6)
            ],
        ]
        for b in band_keys
    ]
    print("Confusion (rows: expected band; columns: confirmed stage)")
    print(table(conf, ["band", *[str(i) for i in range(1, 6)]]))
    print()
    repo_rows = [
        [
            r.key[:48],
            STAGES[r.stage - 1],
            f"{r.band[0]}-{r.band[1]}" if r.band else "?",
            "ok" if r in inside else ("-" if not r.band else "OUT"),
            " ".join(str(v) for v in r.levels.values()),
            str(r.label.get("maturity_hand", {}).get("microsoft_level", "")),
            "lib" if r.kind == "ml-tool-source" else "",
        ]
        for r in repos
    ]
    print(table(repo_rows, ["repository", "stage", "band", "", "levels", "hand", "kind"]))
    print()
    print(f"Disagreements ({len(disagreements)}; * = label marked borderline)")
    for d in disagreements:
        kind = "FP" if d["predicted"] else "FN"
        star = "*" if d["borderline"] else " "
        ev = (
            "; ".join(d["detector_evidence"][:2])
            if d["predicted"]
            else ("label: " + ", ".join(d["label_evidence"][:3]))
        )
        print(f"{kind}{star} {d['repo'][:40]:40} {d['family']:22} {ev[:150]}")
    for r in repos:
        if r.band and r not in inside:
            print(
                f"OUT  {r.key}: stage {r.stage} outside {r.band}; blockers: "
                + ", ".join(r.blockers[:6])
            )
    mature = [r for r in repos if r.stage >= 3]
    hanging = [r for r in mature if r.fragile]
    hanging_det = [r for r in mature if r.fragile_detectors]
    if robustness:
        print()
        print("Robustness (leave one out): findings whose removal alone changes the stage")
        for r in repos:
            if r.fragile or r.fragile_detectors:
                print(
                    f"  {r.key[:48]:48} {STAGES[r.stage - 1]:16} findings: "
                    f"{', '.join(r.fragile[:4]) or '-'}; detectors: "
                    f"{', '.join(r.fragile_detectors[:6]) or '-'}"
                )
        print(
            f"At Manual MLOps or above: {len(hanging)}/{len(mature)} hang on a single finding"
            f" ({len(hanging) / len(mature) if mature else 0:.0%}; bound 20%), "
            f"{len(hanging_det)}/{len(mature)} on a single detector"
        )
    return {
        "repositories": len(repos),
        "families": fam_json,
        "micro": {"precision": mp, "recall": mr, "f1": mf},
        "in_band": share,
        "spearman": rho,
        "stages": {
            r.key: {
                "stage": r.stage,
                "band": r.band,
                "fragile_findings": r.fragile,
                "fragile_detectors": r.fragile_detectors,
            }
            for r in repos
        },
        "single_finding_share_at_manual_or_above": (
            len(hanging) / len(mature) if mature else None
        ),
        "single_detector_share_at_manual_or_above": (
            len(hanging_det) / len(mature) if mature else None
        ),
        "disagreements": disagreements,
    }


if __name__ == "__main__":
    sys.exit(main())
