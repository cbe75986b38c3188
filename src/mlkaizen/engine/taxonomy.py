"""The published taxonomy rule: a use case's requirements give the stage it needs.

| needs regulatory compliance | needs operational excellence | target stage |
|---|---|---|
| no | no | Ad hoc (DataOps where data and collaboration matter) |
| yes | no | Manual MLOps |
| no | yes | Automated MLOps |
| yes | yes | Kaizen MLOps |

A profile file (``profile.yaml`` next to a subject's answers, or given explicitly) records
the requirements; the context facets are this project's extension (later releases).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from mlkaizen.errors import MLKaizenError


class Profile(BaseModel):
    model_config = ConfigDict(extra="allow")  # context facets are read by later extensions

    needs_regulatory_compliance: bool
    needs_operational_excellence: bool
    data_and_collaboration_matter: bool = False


def target_stage_index(p: Profile) -> int:
    """1 Ad hoc, 2 DataOps, 3 Manual MLOps, 4 Automated MLOps, 5 Kaizen MLOps."""
    if p.needs_regulatory_compliance and p.needs_operational_excellence:
        return 5
    if p.needs_operational_excellence:
        return 4
    if p.needs_regulatory_compliance:
        return 3
    return 2 if p.data_and_collaboration_matter else 1


def load_profile(path: Path) -> Profile:
    from mlkaizen.catalogue.loader import line_of, load_yaml_mapping

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MLKaizenError(f"cannot read profile ({exc})", str(path)) from None
    try:
        return Profile.model_validate(load_yaml_mapping(text, str(path)))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise MLKaizenError(
            f"{'.'.join(map(str, loc))}: {err['msg']}", str(path), line_of(text, loc)
        ) from None
