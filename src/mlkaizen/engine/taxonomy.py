"""The use-case taxonomy: requirements give a target stage (published rule); context facets
then adjust individual dimensions and practices (this project's extension).

Published rule (John, Holmström Olsson, Bosch 2025):

| needs regulatory compliance | needs operational excellence | target stage |
|---|---|---|
| no | no | Ad hoc (DataOps where data and collaboration matter) |
| yes | no | Manual MLOps |
| no | yes | Automated MLOps |
| yes | yes | Kaizen MLOps |

Facet rules (MLKaizen's extension, each with its reason; see :data:`FACET_RULES`):

* batch serving updated monthly or less often: progressive delivery does not apply;
* slowly changing data with quarterly or yearly updates: alert-triggered retraining does not
  apply;
* high decision criticality: Model and Operations & Infrastructure need at least level 2;
* ten or more models: Organization needs at least level 2 (self-service at scale);
* a team of one: code ownership and review do not apply.

Contradictions that make a profile invalid: highly volatile data with quarterly or yearly
updates; high-criticality decisions that need neither compliance nor operational excellence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
Level3 = Literal["low", "medium", "high"]
RARE = ("quarterly", "yearly")


class Profile(BaseModel):
    """Requirements and context facets of one ML use case."""

    model_config = ConfigDict(extra="forbid")

    needs_regulatory_compliance: bool
    needs_operational_excellence: bool
    data_and_collaboration_matter: bool = False
    deployment: Literal["cloud", "edge", "hybrid", "on-prem"] | None = None
    update_frequency: Frequency | None = None
    decision_criticality: Level3 | None = None
    data_volatility: Level3 | None = None
    models: int | None = Field(default=None, ge=1)
    team_size: int | None = Field(default=None, ge=1)
    serving: Literal["batch", "real-time"] | None = None
    # edge facets, read by `mlkaizen edge-advice`
    task: Literal["perception", "prediction", "control", "analytics"] | None = None
    retraining_data: Level3 | None = None
    edge_to_cloud_bandwidth: Level3 | None = None
    device_compute: Level3 | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.data_volatility == "high" and self.update_frequency in RARE:
            raise ValueError(
                "contradictory facets: data_volatility is high but the model is "
                f"updated {self.update_frequency}; volatile data needs frequent "
                "updates (or the volatility is lower than stated)"
            )
        if (
            self.decision_criticality == "high"
            and not self.needs_regulatory_compliance
            and not self.needs_operational_excellence
        ):
            raise ValueError(
                "contradictory facets: decisions are highly critical but the use "
                "case needs neither regulatory compliance nor operational "
                "excellence"
            )
        return self


@dataclass
class Target:
    stage_index: int
    cell: str
    levels: dict[str, int]
    not_applicable: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def target_stage_index(p: Profile) -> int:
    """1 Ad hoc, 2 DataOps, 3 Manual MLOps, 4 Automated MLOps, 5 Kaizen MLOps."""
    if p.needs_regulatory_compliance and p.needs_operational_excellence:
        return 5
    if p.needs_operational_excellence:
        return 4
    if p.needs_regulatory_compliance:
        return 3
    return 2 if p.data_and_collaboration_matter else 1


def derive_target(p: Profile, gates: dict[int, dict[str, int]], dims: list[str]) -> Target:
    """The target stage, per-dimension target levels and practices that do not apply."""
    index = target_stage_index(p)
    cell = (
        f"regulatory compliance {'needed' if p.needs_regulatory_compliance else 'not needed'}"
        f", operational excellence "
        f"{'needed' if p.needs_operational_excellence else 'not needed'}"
    )
    levels = {d: gates.get(index, {}).get(d, 0) for d in dims}
    t = Target(index, cell, levels)
    if p.serving == "batch" and p.update_frequency in ("monthly", *RARE):
        t.not_applicable["deployment.progressive-delivery"] = (
            f"batch scoring updated {p.update_frequency}: a canary has no live traffic to test"
        )
    if p.data_volatility == "low" and p.update_frequency in RARE:
        t.not_applicable["operations.alert-triggered-retraining"] = (
            "slowly changing data with rare updates: retraining is planned, not alert-driven"
        )
    if p.decision_criticality == "high":
        for d in ("model", "operations"):
            if levels.get(d, 0) < 2:
                levels[d] = 2
                t.reasons.append(
                    f"high decision criticality: {d} needs level 2 (automated "
                    "validation and monitoring)"
                )
    if p.models is not None and p.models >= 10 and levels.get("organization", 0) < 2:
        levels["organization"] = 2
        t.reasons.append(
            f"{p.models} models: organization needs level 2 (self-service, automated governance)"
        )
    if p.team_size == 1:
        for pid in ("organization.code-ownership", "organization.review-process"):
            t.not_applicable[pid] = "a team of one: nobody else to own or review"
    return t
