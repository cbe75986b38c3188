"""The built-in catalogue's content, and every kind of bad catalogue with its path:line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from mlkaizen.catalogue.loader import builtin_path, load_catalogue
from mlkaizen.errors import MLKaizenError

DOMAIN_STAGES = ["Ad hoc", "DataOps", "Manual MLOps", "Automated MLOps", "Kaizen MLOps"]
DOMAIN_DIMENSIONS = ["Data", "Model", "Deployment", "Operations & Infrastructure",
                     "Organization"]


def test_builtin_catalogue_matches_the_domain() -> None:
    cat = load_catalogue()
    assert cat.id == "ad-hoc-to-kaizen" and cat.version
    assert [s.name for s in sorted(cat.stages, key=lambda s: s.index)] == DOMAIN_STAGES
    assert [d.name for d in cat.dimensions] == DOMAIN_DIMENSIONS
    assert [lv.value for lv in cat.levels] == [0, 1, 2, 3]
    gates = {s.name: s.requires for s in cat.stages}
    assert gates["DataOps"] == {"data": 1, "organization": 1}
    for name, level in (("Manual MLOps", 1), ("Automated MLOps", 2), ("Kaizen MLOps", 3)):
        assert gates[name] == {d.id: level for d in cat.dimensions}
    assert len(cat.practices) >= 45
    cells = Counter((p.dimension, p.level) for p in cat.practices)
    for d in cat.dimensions:
        for level in (1, 2, 3):
            assert cells[(d.id, level)] >= 3, (d.id, level)


def test_every_practice_is_complete() -> None:
    for p in load_catalogue().practices:
        assert p.detection or p.question, p.id
        assert p.remediation and p.rationale and p.effort
        if p.detection and p.detection.when_absent == "unknown":
            assert p.question, f"{p.id} can be unknown, so it needs a question"


def _write_variant(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(builtin_path().read_text())
    mutate(data)
    path = tmp_path / "cat.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def _practice_line(path: Path, pid: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1)
                if f"id: {pid}" in line)


@pytest.mark.parametrize(("mutate", "message", "practice", "offset"), [
    (lambda d: d["practices"][0].update(dimension="dataa"), "unknown dimension 'dataa'",
     "data.versioned", None),
    (lambda d: d["practices"][1].update(prerequisites=["data.nope"]),
     "prerequisite 'data.nope' is not a practice", "data.schema-declared", None),
    (lambda d: d["practices"][0].update(prerequisites=["data.orchestrated-ingestion"]),
     "prerequisite cycle", "data.orchestrated-ingestion", None),
    (lambda d: d["practices"][0].update(id="model.versioned"), "must start with its dimension",
     "model.versioned", None),
    (lambda d: d["practices"][0]["detection"].update(met_if_any=["no_such_detector"]),
     "unknown detector 'no_such_detector'", "data.versioned", None),
    (lambda d: d["practices"].append(dict(d["practices"][0])), "duplicate practice id",
     None, None),
    (lambda d: d["practices"][2].update(level=7), "less than or equal to 3",
     "data.documented-sources", None),
    (lambda d: d["practices"][2].update(colour="red"), "Extra inputs",
     "data.documented-sources", None),
])
def test_bad_catalogue_reports_path_and_line(  # type: ignore[no-untyped-def]
        tmp_path: Path, mutate, message: str, practice: str | None, offset: int | None) -> None:
    path = _write_variant(tmp_path, mutate)
    with pytest.raises(MLKaizenError) as info:
        load_catalogue(path)
    err = info.value
    assert message in err.message
    assert err.path == str(path)
    assert err.line is not None
    if practice is not None:
        start = _practice_line(path, practice)
        assert start - 1 <= err.line <= start + 40
    else:
        assert err.line > _practice_line(path, "organization.business-kpis")


def test_unknown_stage_dimension_and_malformed_yaml(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, lambda d: d["stages"][1]["requires"].update(ops=1))
    with pytest.raises(MLKaizenError, match="unknown dimension 'ops'"):
        load_catalogue(path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nstages: [\n")
    with pytest.raises(MLKaizenError) as info:
        load_catalogue(bad)
    assert info.value.line is not None and "invalid YAML" in info.value.message
    with pytest.raises(MLKaizenError, match="not found"):
        load_catalogue(tmp_path / "missing.yaml")
    top = tmp_path / "list.yaml"
    top.write_text("- 1\n")
    with pytest.raises(MLKaizenError, match="mapping"):
        load_catalogue(top)
