"""The detectors' vocabulary as data: validated with path:line, extended by plugins, and the
Python names detectors exposed before (TRACKERS, SERVERS, TRAIN...) still there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.detectors import step_kinds, vocabulary
from mlkaizen.evidence.detectors.data_validation import VALIDATION_TOOLS
from mlkaizen.evidence.detectors.data_versioning import DATA_SUFFIXES
from mlkaizen.evidence.detectors.registry import REGISTRIES
from mlkaizen.evidence.detectors.serving import SERVERS
from mlkaizen.evidence.detectors.stack_signs import python_signs
from mlkaizen.evidence.detectors.tracking import TRACKERS
from mlkaizen.evidence.detectors.usage import Signature


def test_python_names_are_built_from_the_data() -> None:
    vocab = vocabulary.vocabulary()
    # the vocabulary's tools are the plugins' now; the built-in tools are stack packs
    assert TRACKERS == vocab.tools["trackers"]
    assert REGISTRIES == vocab.tools["registries"]
    assert VALIDATION_TOOLS == vocab.tools["validation"]
    assert SERVERS == vocab.tools["serving"]
    trackers = python_signs("experiment_tracking_used")
    assert all(isinstance(s, Signature) for s in trackers)
    assert {s.tool for s in trackers} >= {"MLflow", "Weights & Biases", "DVCLive", "MLRun run tracking"}
    assert "parquet" in DATA_SUFFIXES and "png" not in DATA_SUFFIXES
    assert isinstance(step_kinds.TRAIN, re.Pattern)


def test_vocabulary_is_loaded_once() -> None:
    assert vocabulary.vocabulary() is vocabulary.vocabulary()


@pytest.mark.parametrize(("kind", "text", "hit"), [
    ("ingest", "python extract.py", True),
    ("ingest", "python featurize.py --extract-features", False),
    ("ingest", "-extract", False),
    ("ingest", "run --task=ingest", True),
    ("policy", "conftest test deploy/", True),
    ("policy", "pytest -p conftest", False),
    ("train", "python src/train.py", True),
    ("train", "mkdocs build", False),
])
def test_step_kinds(kind: str, text: str, hit: bool) -> None:
    assert bool(vocabulary.vocabulary().step_kind(kind).search(text)) is hit


@pytest.mark.parametrize(("body", "line", "message"), [
    ("tools:\n  trackers:\n    - tool: X\n      modules: ['not a module']\n", 4,
     "is not a dotted module name"),
    ("step_kinds:\n  train:\n    - '(unclosed'\n", 3, "is not a regular expression"),
    ("step_kinds:\n  shipping: ['x']\n", 2, "Input should be 'train', 'evaluate'"),
    ("tools:\n  loggers: []\n", 2, "Input should be 'trackers', 'registries'"),
    ("data_suffixes: [csv, '.CSV']\n", 1, "String should match pattern"),
    ("colour: blue\n", 1, "Extra inputs are not permitted"),
])
def test_invalid_vocabulary_is_reported_with_its_line(tmp_path: Path, body: str, line: int,
                                                      message: str) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(MLKaizenError) as err:
        vocabulary.load_vocabulary_file(path, "v.yaml")
    assert err.value.path == "v.yaml"
    assert err.value.line == line
    assert message in err.value.message


class _EntryPoint:
    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = f"pkg:{name}"
        self._value = value

    def load(self) -> Any:
        if isinstance(self._value, Exception):
            raise self._value
        return self._value


def test_plugins_extend_the_vocabulary_and_bad_ones_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "tools:\n  trackers:\n    - tool: Acme tracker\n      modules: [acme_track]\n"
        "      calls: [acme_track.log]\n"
        "data_suffixes: [sav]\nstep_kinds:\n  train: ['\\bacme-fit\\b']\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("data_suffixes: [1.5]\n", encoding="utf-8")
    points = [
        _EntryPoint("good", str(good)),
        _EntryPoint("bad", lambda: str(bad)),
        _EntryPoint("broken", ImportError("no module")),
    ]
    monkeypatch.setattr(vocabulary, "installed_entry_points", lambda group: points)
    vocab, problems = vocabulary._loaded.__wrapped__()
    assert vocab.tools["trackers"][-1] == Signature("Acme tracker", ("acme_track",),
                                                    ("acme_track.log",))
    assert "sav" in vocab.data_suffixes and "csv" in vocab.data_suffixes
    assert vocab.step_kind("train").search("acme-fit --epochs 3")
    assert vocab.step_kind("train").search("python train.py")
    assert len(problems) == 2
    assert problems[0].startswith("vocabulary plugin 'bad': ") and problems[0].endswith("skipped")
    assert "bad.yaml:1" in problems[0]
    assert problems[1] == (
        "vocabulary plugin 'broken' (pkg:broken) failed to load: ImportError: no module; skipped"
    )
