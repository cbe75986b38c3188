"""SARIF 2.1.0: valid against the official schema, file-anchored results only, rule metadata
from the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.report import RenderContext, get_renderer
from tests.conftest import MakeRepo

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


def sarif_of(root: Path) -> dict[str, object]:
    a = assess(root)
    text = get_renderer("sarif")(a, RenderContext(catalogue=load_catalogue(), scan_root=root))
    data: dict[str, object] = json.loads(text)
    return data


def validate(log: dict[str, object]) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)


def test_example_sarif_is_valid_and_anchored(example_copy: Path) -> None:
    log = sarif_of(example_copy)
    validate(log)
    run = log["runs"][0]  # type: ignore[index]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert run["results"], "the example has partial practices with file evidence"
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert (example_copy / loc["artifactLocation"]["uri"]).is_file()
        assert loc["region"]["startLine"] >= 1
        rule = rules[result["ruleId"]]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert rule["help"]["text"]
    catalogue = {p.id: p for p in load_catalogue().practices}
    for rule_id, rule in rules.items():
        assert rule["shortDescription"]["text"] == catalogue[rule_id].title
        assert rule["help"]["text"] == catalogue[rule_id].remediation


def test_absences_do_not_flood_the_security_tab(make_repo: MakeRepo) -> None:
    """An empty repository misses almost everything, and none of it has a line to point at."""
    log = sarif_of(make_repo({"README.md": "# nothing here\n"}))
    validate(log)
    assert log["runs"][0]["results"] == []  # type: ignore[index]


def test_scan_warnings_with_lines_are_notes(make_repo: MakeRepo) -> None:
    log = sarif_of(make_repo({"dvc.yaml": "stages: [\n"}))
    validate(log)
    results = log["runs"][0]["results"]  # type: ignore[index]
    assert [r["ruleId"] for r in results] == ["mlkaizen.scan-warning"]
    assert results[0]["level"] == "note"
