"""Fuzz every parser entry point with Hypothesis: arbitrary text, and structured documents
with mutations. A parser may return or raise its one documented error, nothing else.

The long run (over a million inputs) is ``python bench/fuzz.py``.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
import tomllib
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkaizen.evidence.parse.entrypoints import ENTRYPOINTS

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20))
keys = st.sampled_from(["on", "jobs", "steps", "run", "stages", "cmd", "outs", "attest",
                        "answer", "practices", "id", "dimension", "level", "schedule", "cron",
                        "script", "cells", "source", "cell_type", "<<", "name", "uses"]) | st.text(
    string.ascii_lowercase, min_size=1, max_size=8)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(keys, inner, max_size=5), max_leaves=25)
TOKENS = ["&a ", "*a", "<<: *a", "[", "]", "{", "}", "\\", '"', "'", "\n", "\t", ": ", "- ",
          "!!python/object:os.system", "%YAML 1.1\n", "---\n", "\x00", "\\\n", "import ", "(",
          "RUN ", "FROM ", "==", "@", ";", "\udcff", "**/", "!"]


def mutate(text: str, cuts: list[tuple[int, int, str]]) -> str:
    for pos, length, token in cuts:
        at = pos % (len(text) + 1)
        text = text[:at] + token + text[at + length % 4:]
    return text


mutations = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3),
                               st.sampled_from(TOKENS)), max_size=6)


def render(doc: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc)
    if fmt == "yaml":
        return yaml.safe_dump(doc)
    return "\n".join(f"{k} = {json.dumps(v)}" for k, v in (doc.items() if isinstance(doc, dict)
                                                           else {"v": doc}.items()))


def check(name: str, text: str) -> None:
    parse, allowed = ENTRYPOINTS[name]
    try:
        parse(text)
    except allowed:
        pass


FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("name", sorted(ENTRYPOINTS))
@FAST
@given(text=st.text(max_size=300))
def test_arbitrary_text(name: str, text: str) -> None:
    check(name, text)


@pytest.mark.parametrize("name", sorted(ENTRYPOINTS))
@FAST
@given(doc=documents, fmt=st.sampled_from(["json", "yaml", "toml"]), cuts=mutations)
def test_mutated_documents(name: str, doc: Any, fmt: str, cuts: list[tuple[int, int, str]]
                           ) -> None:
    check(name, mutate(render(doc, fmt), cuts))


def test_every_parser_is_fuzzed() -> None:
    assert {"yaml", "toml", "json", "notebook", "dockerfile", "ci", "requirements", "gitignore",
            "config", "catalogue", "python"} <= set(ENTRYPOINTS)


def test_mutate_is_deterministic_and_changes_text() -> None:
    assert mutate("abc", [(1, 1, "X")]) == "aXc"
    assert tomllib.loads(render({"a": 1}, "toml")) == {"a": 1}


def test_regression_yaml_with_unencodable_characters() -> None:
    """Found by the fuzzer: the C YAML reader raised UnicodeEncodeError on a lone surrogate."""
    from mlkaizen.evidence.parse import ParseError
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    with pytest.raises(ParseError, match="cannot be encoded"):
        load_yaml_documents("a: [1, \udcff]\n")


YAML_HOMES = [".github/workflows/ci.yml", ".gitlab-ci.yml", "azure-pipelines.yml", "dvc.yaml",
              "MLproject", "prefect.yaml", "environment.yml", "k8s/app.yaml", "artifacts.yaml",
              ".circleci/config.yml", "data/raw.csv.dvc", "monitoring/rules.yml",
              "pipeline.yml", "params.yaml"]
shaped = st.fixed_dictionaries(
    {}, optional={"apiVersion": st.sampled_from(["v1", "argoproj.io/v1alpha1", "openslo/v1"]),
                  "kind": st.sampled_from(["Workflow", "CronWorkflow", "InferenceService",
                                           "Rollout", "PrometheusRule", "VirtualService",
                                           "Deployment", "SeldonDeployment", "SLO"]),
                  "spec": documents, "jobs": documents, "stages": documents, "on": documents,
                  "groups": documents, "deployments": documents, "entry_points": documents,
                  "dependencies": documents, "artifacts": documents, "outs": documents,
                  "schedules": documents, "steps": documents, "type": st.just("pipeline"),
                  "$schema": st.just("azureml")})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(st.tuples(st.sampled_from(YAML_HOMES), shaped), min_size=1, max_size=5))
def test_detectors_survive_any_well_placed_document(tmp_path_factory: pytest.TempPathFactory,
                                                    docs: list[tuple[str, Any]]) -> None:
    """Valid YAML of the wrong shape in the places detectors look must never make a
    detector fail (which would turn its practices into unknowns)."""
    from mlkaizen.evidence.detectors import REGISTRY
    from mlkaizen.evidence.scan import run_detectors
    from mlkaizen.evidence.tree import RepoTree

    root = tmp_path_factory.mktemp("doc")
    for rel, doc in docs:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(doc))
    result = run_detectors(RepoTree(root), REGISTRY.values())
    failed = [w.detail for w in result.warnings if w.values.get("kind") == "detector"]
    assert failed == []
    assert result.detectors_run == set(REGISTRY)
