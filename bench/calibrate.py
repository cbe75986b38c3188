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
* every disagreement, with the evidence that drove the prediction.

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
    for f in findings:
        if f["outcome"] == "found" and f.get("context", "project") in CREDITED_CONTEXTS:
            by_detector.setdefault(f["detector"], []).append(f)
    predicted, why = {}, {}
    for family, rule in families.items():
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
    args = ap.parse_args(argv)
    for p in (args.corpus, args.labels):
        if not p.is_dir():
            print(f"calibrate: {p}: not a folder", file=sys.stderr)
            return 2
    families = yaml.safe_load(args.families.read_text(encoding="utf-8"))
    repos, missing = load_repos(args.labels, args.stages, args.corpus)
    if args.only:
        repos = [r for r in repos if r.key in args.only]
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

    report(repos, missing, families, args.json)
    return 0


def report(  # noqa: PLR0915 - one printout, top to bottom
    repos: list[Repo], missing: list[str], families: dict[str, Any], json_out: Path | None
) -> None:
    """Print every figure (and write them as JSON to ``json_out``)."""
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
    if json_out:
        json_out.write_text(
            json.dumps(
                {
                    "repositories": len(repos),
                    "families": fam_json,
                    "micro": {"precision": mp, "recall": mr, "f1": mf},
                    "in_band": share,
                    "spearman": rho,
                    "stages": {r.key: {"stage": r.stage, "band": r.band} for r in repos},
                    "disagreements": disagreements,
                },
                indent=2,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    sys.exit(main())
