"""One assessment seen through other frameworks, via the catalogue's mappings.

Each lens states its mapping rule and what it could not determine. These readings are this
project's interpretation of the frameworks (the mappings are data in the catalogue):

* **Google** MLOps levels 0-2 and **Azure** MLOps maturity 0-4: the level is the highest L
  such that every required practice mapped to a level from 1 to L is satisfied.
* **ML Test Score** (Breck et al.): each of the 28 tests scores 1 when a mapped practice of
  level >= 2 (automated) is met, 0.5 when only a level-1 (manual) one is met or one is
  partial, 0 otherwise; the final score is the minimum of the four section sums. Tests no
  practice maps to, or whose practices are all unknown, are listed as undetermined.
* **Marvelous MLOps**: a section holds when every practice mapped to it is satisfied; the
  basic bar is sections 1-4.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import SATISFIED, Assessment, State

ML_TEST_SCORE_TESTS = {
    "data": 7,
    "model": 7,
    "infra": 7,
    "monitor": 7,
}
MARVELOUS_SECTIONS = {
    "1": "Documentation",
    "2": "Traceability & reproducibility",
    "3": "Code quality",
    "4": "Monitoring & support",
    "5": "Data transformation pipelines & feature store",
    "6": "Model explainability",
    "7": "A/B testing & feedback loop",
}


class LensItem(BaseModel):
    key: str
    value: float | int | str | bool
    practices: list[str] = Field(default_factory=list)
    note: str = ""


class Lens(BaseModel):
    framework: str
    result: str
    rule: str
    items: list[LensItem]
    undetermined: list[str]


def _states(a: Assessment) -> dict[str, State]:
    return {p.id: p.state for p in a.practices}


def _leveled(name: str, a: Assessment, cat: Catalogue, attr: str, top: int) -> Lens:
    states = _states(a)
    level, items, undetermined = 0, [], []
    stopped = False
    for lv in range(1, top + 1):
        mapped = [p for p in cat.practices if getattr(p.mappings, attr) == lv and p.required]
        ok = all(states[p.id] in SATISFIED for p in mapped)
        unknown = [p.id for p in mapped if states[p.id] is State.UNKNOWN]
        items.append(
            LensItem(
                key=f"level {lv}",
                value=ok,
                practices=[p.id for p in mapped],
                note=""
                if ok
                else "missing: " + ", ".join(p.id for p in mapped if states[p.id] not in SATISFIED),
            )
        )
        undetermined += unknown
        if ok and not stopped:
            level = lv
        else:
            stopped = True
    return Lens(
        framework=name,
        result=f"level {level}",
        items=items,
        undetermined=sorted(set(undetermined)),
        rule="highest level L whose required practices (mapped to levels 1..L) are all satisfied",
    )


def google(a: Assessment, cat: Catalogue) -> Lens:
    return _leveled("Google MLOps level (0-2)", a, cat, "google", 2)


def azure(a: Assessment, cat: Catalogue) -> Lens:
    return _leveled("Azure MLOps maturity (0-4)", a, cat, "azure", 4)


def ml_test_score(a: Assessment, cat: Catalogue) -> Lens:
    states = _states(a)
    items, undetermined = [], []
    sums: dict[str, float] = dict.fromkeys(ML_TEST_SCORE_TESTS, 0.0)
    for section, count in ML_TEST_SCORE_TESTS.items():
        for n in range(1, count + 1):
            test = f"{section}-{n}"
            mapped = [p for p in cat.practices if test in p.mappings.ml_test_score]
            score = 0.0
            for p in mapped:
                st = states[p.id]
                if st in SATISFIED:
                    score = max(score, 1.0 if p.level >= 2 else 0.5)
                elif st is State.PARTIAL:
                    score = max(score, 0.5)
            if not mapped or all(states[p.id] is State.UNKNOWN for p in mapped):
                undetermined.append(test)
            sums[section] += score
            items.append(LensItem(key=test, value=score, practices=[p.id for p in mapped]))
    final = min(sums.values())
    items += [LensItem(key=f"{s} total", value=v) for s, v in sums.items()]
    return Lens(
        framework="ML Test Score",
        result=f"{final:g}",
        items=items,
        undetermined=undetermined,
        rule="per test 0 / 0.5 manual / 1 automated; final = min of the four section sums",
    )


def marvelous(a: Assessment, cat: Catalogue) -> Lens:
    states = _states(a)
    items, undetermined = [], []
    holds: dict[str, bool] = {}
    for key, title in MARVELOUS_SECTIONS.items():
        mapped = [p for p in cat.practices if key in p.mappings.marvelous]
        met = sum(states[p.id] in SATISFIED for p in mapped)
        holds[key] = bool(mapped) and met == len(mapped)
        if not mapped:
            undetermined.append(f"section {key}")
        undetermined += [p.id for p in mapped if states[p.id] is State.UNKNOWN]
        items.append(
            LensItem(
                key=f"{key}. {title}",
                value=f"{met}/{len(mapped)}",
                practices=[p.id for p in mapped],
            )
        )
    basic = all(holds[k] for k in ("1", "2", "3", "4"))
    return Lens(
        framework="Marvelous MLOps",
        result="basic bar met" if basic else "basic bar not met",
        items=items,
        undetermined=sorted(set(undetermined)),
        rule="a section holds when all practices mapped to it are satisfied; the basic "
        "bar is sections 1-4",
    )


LENSES = {"google": google, "azure": azure, "ml-test-score": ml_test_score, "marvelous": marvelous}


def render_lens(lens: Lens, fmt: str) -> str:
    if fmt == "json":
        return lens.model_dump_json(indent=2) + "\n"
    bullet = "- " if fmt == "markdown" else "  "
    lines = [
        f"{'## ' if fmt == 'markdown' else ''}{lens.framework}: {lens.result}",
        "",
        f"Rule: {lens.rule}.",
        "",
    ]
    for item in lens.items:
        value = (
            "yes"
            if item.value is True
            else "no"
            if item.value is False
            else f"{item.value:g}"
            if isinstance(item.value, float)
            else item.value
        )
        extra = f" ({item.note})" if item.note else ""
        lines.append(f"{bullet}{item.key}: {value}{extra}")
    lines += ["", "Could not determine: " + (", ".join(lens.undetermined) or "nothing")]
    return "\n".join(lines) + "\n"
