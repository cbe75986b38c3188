"""Edge-deployment advisor: five architectural alternatives, four deciding factors.

This is MLKaizen's reading of the thesis (John 2025): the five alternatives run from
centralised to decentralised, and task intent, the data retraining needs, the edge-to-cloud
data transfer and the device's compute and memory decide between them. The scores below are
this project's interpretation, kept here in one table so they can be reviewed and changed.
"""

from __future__ import annotations

from pydantic import BaseModel

from mlkaizen.engine.taxonomy import Profile

ALTERNATIVES: dict[str, tuple[str, str, list[str]]] = {
    # id: (name, trade-offs, practices it adds to the roadmap)
    "centralised": (
        "Centralised cloud: data goes to the cloud, which trains and infers",
        "simplest to operate and monitor; needs bandwidth and connectivity, adds "
        "latency, moves raw data off the device",
        ["edge-to-cloud data pipeline with retries and backpressure"],
    ),
    "cloud-train-edge-infer": (
        "Cloud training, edge inference",
        "low-latency, offline-capable inference; models must be shipped "
        "to and monitored on many devices",
        [
            "over-the-air model updates with staged rollout and rollback",
            "on-device monitoring of inputs, outputs and latency",
        ],
    ),
    "edge-fine-tuning": (
        "Cloud training, fine-tuning on the edge (transfer learning)",
        "adapts to each device's data with little transfer; devices need "
        "spare compute, and fine-tuned variants multiply",
        [
            "over-the-air model updates with staged rollout and rollback",
            "on-device monitoring of inputs, outputs and latency",
            "guardrails on on-device training (validation before use, reset)",
        ],
    ),
    "federated": (
        "Federated training with cloud aggregation",
        "raw data never leaves the device; aggregation, client drift and "
        "stragglers are hard to operate and debug",
        [
            "over-the-air model updates with staged rollout and rollback",
            "on-device monitoring of inputs, outputs and latency",
            "federated aggregation with client validation and secure aggregation",
        ],
    ),
    "decentralised": (
        "Fully decentralised training on the device",
        "autonomous and private; no global model, hard to compare, audit or improve across devices",
        [
            "guardrails on on-device training (validation before use, reset)",
            "on-device monitoring of inputs, outputs and latency",
        ],
    ),
}
ORDER = list(ALTERNATIVES)
# factor -> value -> scores in ORDER (0 poor fit, 1 workable, 2 good fit)
SCORES: dict[str, dict[str, list[int]]] = {
    "task": {
        "control": [0, 2, 2, 2, 2],
        "perception": [1, 2, 2, 1, 1],
        "prediction": [2, 2, 1, 1, 1],
        "analytics": [2, 1, 1, 1, 0],
    },
    "retraining_data": {"high": [2, 2, 1, 2, 0], "medium": [1, 1, 1, 1, 0], "low": [1, 1, 2, 1, 2]},
    "edge_to_cloud_bandwidth": {
        "high": [2, 2, 1, 1, 0],
        "medium": [1, 2, 2, 1, 1],
        "low": [0, 1, 2, 2, 2],
    },
    "device_compute": {"high": [1, 1, 2, 2, 2], "medium": [1, 2, 1, 1, 0], "low": [2, 1, 0, 0, 0]},
}
DEFAULTS = {
    "task": "prediction",
    "retraining_data": "medium",
    "edge_to_cloud_bandwidth": "medium",
    "device_compute": "medium",
}


class Option(BaseModel):
    id: str
    name: str
    score: int
    tradeoffs: str
    adds: list[str]


class Advice(BaseModel):
    recommended: str
    options: list[Option]
    factors: dict[str, str]
    assumed: list[str]
    note: str = ""


NOT_EDGE = ("cloud", "on-prem")


def advise(p: Profile) -> Advice:
    """The best-fitting alternative. A profile whose model runs only in the cloud or on
    premises gets the centralised set-up and no edge alternative: they do not apply."""
    if p.deployment in NOT_EDGE:
        name = ALTERNATIVES["centralised"][0]
        return Advice(
            recommended="centralised",
            options=[Option(id="centralised", name=name, score=0, tradeoffs="", adds=[])],
            factors={"deployment": p.deployment},
            assumed=[],
            note=f"the profile's deployment is {p.deployment}: the model does not run on edge "
            "devices, so no edge architecture applies; keep training and inference "
            "centralised",
        )
    factors: dict[str, str] = {}
    assumed = []
    for factor, default in DEFAULTS.items():
        value = getattr(p, factor)
        if value is None:
            assumed.append(f"{factor} not in the profile; assumed {default}")
            value = default
        factors[factor] = value
    totals = [sum(SCORES[f][v][i] for f, v in factors.items()) for i in range(len(ORDER))]
    options = [
        Option(
            id=key,
            name=ALTERNATIVES[key][0],
            score=totals[i],
            tradeoffs=ALTERNATIVES[key][1],
            adds=ALTERNATIVES[key][2],
        )
        for i, key in enumerate(ORDER)
    ]
    best = max(range(len(ORDER)), key=lambda i: (totals[i], -i))  # ties: the simpler one
    return Advice(recommended=ORDER[best], options=options, factors=factors, assumed=assumed)


def render_advice(a: Advice) -> str:
    best = next(o for o in a.options if o.id == a.recommended)
    if a.note:
        return f"Recommended: {best.name}\n\nNo edge architecture: {a.note}.\n"
    lines = [
        f"Recommended: {best.name} (score {best.score} of 8)",
        "",
        "Factors: " + ", ".join(f"{k}={v}" for k, v in a.factors.items()),
    ]
    lines += [f"  ({x})" for x in a.assumed]
    lines += ["", "Alternatives, centralised to decentralised:"]
    lines += [
        f"  {'*' if o.id == a.recommended else ' '} {o.score}  {o.name}: {o.tradeoffs}"
        for o in a.options
    ]
    lines += ["", "Adds to the roadmap:"] + [f"  - {x}" for x in best.adds]
    return "\n".join(lines) + "\n"
