"""The built-in catalogue's content, and every kind of bad catalogue with its path:line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from mlkaizen.catalogue.loader import builtin_path
from mlkaizen.catalogues import load_catalogue
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
        if p.absent_state == "unknown":
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


def _cell(data: dict, dim: str, level: int) -> dict:  # type: ignore[type-arg]
    return next(c for c in data["cells"] if c["dimension"] == dim and c["level"] == level)


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: _cell(d, "data", 1).update(core=["model.registry"]),
     "cell data/1: core practice 'model.registry' is not a practice of this cell"),
    (lambda d: _cell(d, "data", 1).update(core=["data.nope"]),
     "cell data/1: core practice 'data.nope' is not a practice of this cell"),
    (lambda d: _cell(d, "model", 1).update(quorum=5),
     "cell model/1: quorum 5 is larger than its 4 supporting practices"),
    (lambda d: d.update(cells=[c for c in d["cells"] if (c["dimension"], c["level"])
                               != ("deployment", 2)]),
     "level 2 of deployment has no core practice"),
    (lambda d: _cell(d, "data", 2).update(core=[]), "at least 1 item"),
    (lambda d: d["cells"].append(dict(_cell(d, "data", 1))), "cell data/1 is declared twice"),
    (lambda d: d.pop("cells"), "schema_version 2 needs `cells`"),
])
def test_bad_level_rule_reports_path_and_line(  # type: ignore[no-untyped-def]
        tmp_path: Path, mutate, message: str) -> None:
    path = _write_variant(tmp_path, mutate)
    with pytest.raises(MLKaizenError) as info:
        load_catalogue(path)
    assert message in info.value.message
    assert info.value.path == str(path) and info.value.line is not None


def test_every_cell_of_the_builtin_catalogue_has_a_core() -> None:
    cat = load_catalogue()
    assert cat.schema_version == 2
    for d in cat.dimensions:
        for level in (1, 2, 3):
            cell = cat.cell(d.id, level)
            assert cell is not None and cell.core, (d.id, level)
    # the papers' readings: tracked experiments and monitoring are what Manual MLOps needs
    assert "model.experiment-tracking" in cat.cell("model", 1).core_ids  # type: ignore[union-attr]
    assert "operations.monitoring" in cat.cell("operations", 1).core_ids  # type: ignore[union-attr]
    # paperwork never defines a level on its own
    for pid in ("organization.code-ownership", "model.model-card", "data.documented-sources"):
        p = cat.practice(pid)
        assert p is not None and cat.role(p) == "supporting" and p.absent_state == "unknown"


def test_a_catalogue_without_cells_keeps_the_old_rule(tmp_path: Path) -> None:
    def legacy(d: dict) -> None:  # type: ignore[type-arg]
        d.pop("cells")
        d["schema_version"] = 1
    cat = load_catalogue(_write_variant(tmp_path, legacy))
    cell = cat.cell("data", 1)
    assert cell is not None and cell.quorum == 0
    assert set(cell.core_ids) == {p.id for p in cat.practices
                                  if (p.dimension, p.level) == ("data", 1) and p.required}
