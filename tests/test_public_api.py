"""The curated public surface, the docs generated from metadata, and naming conventions."""

from __future__ import annotations

from pathlib import Path

import mlkaizen
from mlkaizen.docs import generated_docs
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.detectors.base import ID_RE

ROOT = Path(__file__).resolve().parents[1]


def test_public_api_is_curated_and_sorted() -> None:
    assert mlkaizen.__all__ == sorted(mlkaizen.__all__)
    assert set(mlkaizen.__all__) == {
        "Assessment", "Catalogue", "LiveOptions", "MLKaizenError", "MlflowOptions", "Practice",
        "PracticeResult", "Source", "State", "__version__", "assess", "load_catalogue"}
    for name in mlkaizen.__all__:
        assert getattr(mlkaizen, name) is not None


def test_assess_returns_a_typed_assessment(example_copy: Path) -> None:
    a = mlkaizen.assess(example_copy)
    assert isinstance(a, mlkaizen.Assessment)
    assert a.stage == "Manual MLOps" and a.schema_version == "1.7"
    assert a.subject.kind == "ml-project"


def test_generated_docs_are_fresh() -> None:
    for name, text in generated_docs(load_catalogue()).items():
        path = ROOT / "docs" / name
        assert path.read_text(encoding="utf-8") == text, (
            f"docs/{name} is stale: run `mlkaizen model docs`")


def test_detectors_are_documented_and_named_as_facts() -> None:
    for det in REGISTRY.values():
        assert ID_RE.match(det.id), det.id
        assert len(det.summary) > 20, det.id
        assert not det.id.startswith(("add_", "use_", "fix_")), det.id
    source = (ROOT / "src" / "mlkaizen" / "evidence" / "detectors")
    for module in source.glob("*.py"):
        assert len(module.read_text().splitlines()) <= 300, module.name


def test_every_detector_feeds_a_practice_or_the_report() -> None:
    used = {d for p in load_catalogue().practices for d in p.detectors_used}
    assert set(REGISTRY) - used == {"repo_is_ml_tool_source"}


def test_engine_and_evidence_do_not_import_each_other() -> None:
    src = ROOT / "src" / "mlkaizen"
    for path in (src / "evidence").rglob("*.py"):
        text = path.read_text()
        assert "mlkaizen.engine" not in text and "mlkaizen.report" not in text, path
    for path in (src / "engine").rglob("*.py"):
        text = path.read_text()
        assert "mlkaizen.evidence.tree" not in text and "mlkaizen.evidence.parse" not in text
    # that the engine opens no file is checked by behaviour: tests/engine/test_no_io.py


def test_every_detector_module_is_registered() -> None:
    from mlkaizen.evidence.detectors import MODULES

    folder = ROOT / "src" / "mlkaizen" / "evidence" / "detectors"
    with_detectors = {p.stem for p in folder.glob("*.py") if "DETECTORS = [" in p.read_text()}
    assert with_detectors == set(MODULES)
