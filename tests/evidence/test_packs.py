"""Stack packs: every pack loads, has an extract of its own, and finds what the extract's
comments mark (``# expect: fact``) and nothing the near misses mark (``# ok: fact``), as
Semgrep tests its rules. Extracts live in ``tests/packs/<pack file name>/``; they are short
files written for these tests, never copied from a project."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.packs import builtin_folder, load_pack_file, packs
from mlkaizen.evidence.packs.schema import FACTS
from mlkaizen.evidence.scan import run_detectors
from mlkaizen.evidence.tree import RepoTree

EXTRACTS = Path(__file__).resolve().parents[1] / "packs"
PACK_FILES = sorted(p.stem for p in builtin_folder().glob("*.yaml"))
MARK = re.compile(r"\b(expect|ok)\"?\s*:\s*\"?([a-z][a-z0-9_]+)")


def marks(folder: Path) -> list[tuple[str, str, str]]:
    """(file, expect|ok, fact) for every mark in an extract folder."""
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        for line in path.read_text(encoding="utf-8").splitlines():
            out += [(rel, kind, fact) for kind, fact in MARK.findall(line)]
    return out


@cache
def findings_of(stack: str) -> tuple[Finding, ...]:
    tree = RepoTree(EXTRACTS / stack)
    return tuple(run_detectors(tree, REGISTRY.values()).findings)


def test_there_are_enough_stacks_and_every_pack_has_an_extract() -> None:
    assert len(packs()) >= 35
    assert sorted(p.name for p in EXTRACTS.iterdir() if p.is_dir()) == PACK_FILES
    for stack in PACK_FILES:
        kinds = {kind for _, kind, _ in marks(EXTRACTS / stack)}
        assert kinds == {"expect", "ok"}, f"{stack}: needs a positive case and a near miss"


def test_facts_are_registered_detectors() -> None:
    assert set(FACTS) <= set(REGISTRY)
    for stack in PACK_FILES:
        for _, _, fact in marks(EXTRACTS / stack):
            assert fact in REGISTRY, f"{stack}: {fact} is not a detector"


@pytest.mark.parametrize("stack", PACK_FILES)
def test_extract(stack: str) -> None:
    found = {
        (f.file, f.detector)
        for f in findings_of(stack)
        if f.outcome in (Outcome.FOUND, Outcome.PARTIAL)
    }
    for rel, kind, fact in marks(EXTRACTS / stack):
        if kind == "expect":
            assert (rel, fact) in found, f"{stack}/{rel}: {fact} not found"
        else:
            assert (rel, fact) not in found, f"{stack}/{rel}: {fact} found in a near miss"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\n", 1,
         "a pack needs at least one sign"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\npython:\n"
         "  - evidences: [model_servd]\n    modules: [x]\n", 6, "unknown fact"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\ncommands:\n"
         "  - pattern: '(unclosed'\n    step: [deploy]\n", 6, "is not a regular expression"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\nfiles:\n"
         "  - evidences: [infrastructure_as_code]\n    glob: ['../etc/*']\n", 7,
         "is not a repository-relative glob"),
        ("stack: X\ncategory: sorcery\nsummary: s\ndocs: https://x\n", 2, "Input should be"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\nconfig:\n"
         "  - evidences: [model_serving_present]\n", 6, "a config sign needs kind, api or keys"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\nrun: rm -rf /\n", 5,
         "Extra inputs are not permitted"),
        ("- a list\n", 1, "expected one YAML mapping"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\ncommands:\n"
         "  - pattern: '(?i)\\bbadtool deploy'\n    step: [deploy]\n", 6, "cannot be part of a step kind"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\ncommands:\n"
         "  - pattern: '(?P<tool>x) deploy'\n    step: [deploy]\n", 6, "a named group clashes"),
    ],
)
def test_a_bad_pack_is_refused_with_its_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(MLKaizenError) as err:
        load_pack_file(path, "bad.yaml")
    assert err.value.line == line and message in err.value.message, str(err.value)


def test_the_built_in_packs_validate_from_their_files() -> None:
    for stack in PACK_FILES:
        pack = load_pack_file(builtin_folder() / f"{stack}.yaml", stack)
        assert pack.evidences() or pack.steps(), stack


def test_stacks_json_lists_each_pack_with_what_it_evidences() -> None:
    from tests.test_cli import cli

    done = cli("stacks", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    builtin = [r for r in rows if r["source"].startswith("<builtin>/packs/")]
    assert len(builtin) == len(PACK_FILES) >= 35
    by_name = {r["name"]: r for r in rows}
    assert by_name["MLRun"]["evidences"] == [
        "experiment_tracking_used", "shared_tracking_server", "model_registry_used",
        "pipeline_defined",
        "model_serving_present", "drift_detection_used", "prediction_logging_present",
        "feature_store_used", "container_image_defined",
    ]
    assert by_name["Anyscale"]["steps"] == ["train", "deploy"]
    # the example plugin's pack (installed by the README's test command)
    assert by_name["Acme Serve"]["source"].endswith("acme-serve.yaml")
    text = cli("stacks")
    assert text.returncode == 0 and "MLRun" in text.stdout and "feature_store_used" in text.stdout
    bad = cli("stacks", "--format", "xml")
    assert bad.returncode == 2
    assert bad.stderr == "mlkaizen: error: --format 'xml': use text or json\n"


class _EntryPoint:
    def __init__(self, name: str, value: object) -> None:
        self.name, self.value, self._value = name, f"pkg:{name}", value

    def load(self) -> object:
        if isinstance(self._value, Exception):
            raise self._value
        return self._value


def _load_with(monkeypatch: pytest.MonkeyPatch, *points: _EntryPoint) -> object:
    import mlkaizen.evidence.packs as packs_module

    monkeypatch.setattr(packs_module, "installed_entry_points", lambda group: list(points))
    return packs_module.all_packs.__wrapped__()


def test_a_plugin_pack_adds_a_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "inhouse.yaml"
    good.write_text(
        "stack: In-house trainer\ncategory: ML platform\nsummary: s\ndocs: https://x\n"
        "commands:\n  - pattern: '\\binhouse-train\\b'\n    step: [train]\n",
        encoding="utf-8",
    )
    loaded = _load_with(monkeypatch, _EntryPoint("inhouse", str(tmp_path)))
    assert [p.stack for _, p in loaded][-1] == "In-house trainer"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("stack: MLflow\ncategory: serving\nsummary: s\ndocs: https://x\nfiles:\n"
         "  - evidences: [model_serving_present]\n    glob: ['*.x']\n",
         "stack 'MLflow' is already defined in <builtin>/packs/mlflow.yaml"),
        ("stack: X\ncategory: serving\nsummary: s\ndocs: https://x\npython:\n"
         "  - evidences: [nope]\n    modules: [x]\n", "unknown fact"),
    ],
)
def test_a_bad_plugin_pack_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(MLKaizenError) as err:
        _load_with(monkeypatch, _EntryPoint("bad", lambda: str(bad)))
    assert str(bad) in str(err.value) and message in str(err.value)


def test_a_broken_plugin_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MLKaizenError) as err:
        _load_with(monkeypatch, _EntryPoint("broken", ImportError("no module")))
    assert str(err.value) == (
        "stack pack plugin 'broken' (pkg:broken) failed to load: ImportError: no module"
    )


ADVERSARIAL = (
    "Numeric\n" + "Variable:$loss " * 2000,
    "AWS::\n" + "\n" * 50_000,
    '"Type"' + " " * 50_000,
    "$" + "a" * 50_000,
    " " * 50_000,
    "Variable: " * 10_000,
    "new " + "cloudwatch" * 5_000,
    "new " + "sagemaker" * 5_000,
    "new " + "a." * 20_000,
    "x" * 50_000 + "Microsoft.MachineLearningServices/workspaces/",
    # option lists a command pattern reads before its argument (each flag split two ways
    # by an ambiguous repeat would double the work)
    "aws s3 cp " + "--no-progress " * 60 + "./x y",
    "gcloud storage cp " + "--ab " * 60 + "x",
    "gsutil -m cp " + "-r " * 60 + "x",
    "zenml artifact-store register s " + "-f s3 " * 60 + "x",
    # a run of path segments, each of which could open a match that reads to the line's end
    '"/2.0/serving-endpoints/' * 5_000,
)


@pytest.mark.parametrize("stack", PACK_FILES)
def test_pack_patterns_are_linear_on_hostile_text(stack: str) -> None:
    # a pattern that backtracks on these (nested or adjacent unbounded repeats) would not
    # finish here; the linear ones take milliseconds
    pack = load_pack_file(builtin_folder() / f"{stack}.yaml", stack)
    patterns = [f.contains for f in pack.files if f.contains] + [c.pattern for c in pack.commands]
    for pattern in patterns:
        compiled = re.compile(pattern)
        for text in ADVERSARIAL:
            compiled.search(text)


@pytest.mark.parametrize("garbage", [b"[]", b"[{}]", b'{"packs": 1}', b"not json"])
def test_a_damaged_runtime_cache_entry_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes
) -> None:
    import mlkaizen.evidence.packs as packs_module

    monkeypatch.setenv("MLKAIZEN_CACHE_DIR", str(tmp_path))
    first = packs_module.runtime.__wrapped__()
    (entry,) = (tmp_path / "packs-runtime").iterdir()
    entry.write_bytes(garbage)
    again = packs_module.runtime.__wrapped__()
    assert again == first and len(again) >= 35


def test_a_plugin_pack_path_must_be_absolute(monkeypatch: pytest.MonkeyPatch) -> None:
    # a relative path would be read from the working folder: maybe the scanned repository
    with pytest.raises(MLKaizenError) as err:
        _load_with(monkeypatch, _EntryPoint("rel", "packs"))
    assert "'packs' is not an absolute path" in str(err.value)
