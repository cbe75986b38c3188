"""The on-disk parse cache: same results with and without it, serial or in a pool; keys that
never serve one content's facts for another; entries that are only ever data."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen import api
from mlkaizen.evidence import factcache
from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.headings import headings_parser, markdown_headings, rst_headings
from mlkaizen.evidence.parse.notebook import parse_notebook
from mlkaizen.evidence.parse.python_src import parse_python
from mlkaizen.evidence.factcache import notebook_source as _notebook_source
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.report import get_renderer
from tests.conftest import EXAMPLE, write_tree
from tests.evidence.test_notebooks import notebook
from tests.history import gitrepo

HOSTILE_PY = '''"""Looks like code to run; the cache must only ever hold what it says."""
import os
import mlflow
__import__("os").system("touch /tmp/pwned")
mlflow.log_metric("loss\\ud800", 0.5, step=1)
if os.environ.get("X") == "1":
    raise SystemExit(3)
assert len(sys.argv) > 1
'''
BROKEN_PY = "import mlflow\n\ndef broken(:\n    mlflow.log_metric('a', 1)\n"
MAGIC_PY = "# Databricks notebook source\n%pip install mlflow\nimport mlflow\nmlflow.autolog()\n"
NB_GOOD = notebook("import mlflow\n%pip install -r requirements.txt\nmlflow.log_param('a', 1)\n",
                   "!dvc repro\n")
NB_BAD_CELL = notebook("import mlflow\n", "def oops(:\n", "mlflow.log_metric('a', 1)\n")


def real_shaped(root: Path) -> Path:
    """The bundled example project, with notebooks, a broken module, a notebook-in-disguise,
    a template and duplicated content added."""
    shutil.copytree(EXAMPLE, root)
    write_tree(root, {
        "notebooks/explore.ipynb": NB_GOOD,
        "notebooks/broken_cell.ipynb": NB_BAD_CELL,
        "notebooks/not_json.ipynb": "{ nope",
        "src/broken.py": BROKEN_PY,
        "src/databricks_job.py": MAGIC_PY,
        "src/hostile.py": HOSTILE_PY,
        "src/copy_a/__init__.py": "",
        "src/copy_b/__init__.py": "",
        "src/copy_b/train.py": HOSTILE_PY,  # same content, another path
        "template/train.py.tmpl": "import mlflow\nmlflow.log_metric('{{ .metric }}', 1)\n",
    })
    return root


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("MLKAIZEN_CACHE_DIR", str(folder))
    factcache.reset()
    return folder


def report(root: Path) -> str:
    """The JSON report of an in-process assessment under the configured cache."""
    return get_renderer("json")(api.assess(root), None)  # type: ignore[arg-type]


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "facts").rglob("*") if p.is_file())


# ------------------------------------------------------------------ codecs
@pytest.mark.parametrize("source", [HOSTILE_PY, MAGIC_PY, (EXAMPLE / "src").as_posix()])
def test_python_facts_round_trip_exactly(source: str) -> None:
    texts = (
        [p.read_text() for p in sorted(Path(source).rglob("*.py"))]
        if source.startswith("/") else [source]
    )
    assert texts
    for text in texts:
        facts = parse_python(text)
        value, error = factcache.decode("python", factcache.encode("python", facts))
        assert error is None
        assert value == facts
        assert type(value) is type(facts)


def test_notebook_facts_and_code_round_trip_exactly() -> None:
    for text in (NB_GOOD, NB_BAD_CELL):
        facts = parse_notebook(text)
        assert factcache.decode("notebook-facts", factcache.encode("notebook-facts", facts)) == (
            facts, None)
        code = _notebook_source(text)
        assert factcache.decode("notebook", factcache.encode("notebook", code)) == (code, None)
    assert parse_notebook(NB_BAD_CELL).skipped  # the replayed warning has something to say


def test_headings_round_trip_and_a_wrong_shape_is_refused() -> None:
    text = "# Project\n\n```\n# not a heading\n```\n## Model evaluation\n"
    found = markdown_headings(text)
    assert found == [("Project", 1), ("Model evaluation", 6)]
    assert factcache.decode("headings", factcache.encode("headings", found)) == (found, None)
    rst = rst_headings("Title\n=====\n")
    assert factcache.decode("headings", factcache.encode("headings", rst)) == (rst, None)
    for bad in ('{"value":[["a"]],"s":0}', '{"value":[["a","1"]],"s":0}', '{"value":{},"s":0}'):
        with pytest.raises(factcache.CorruptEntryError):
            factcache.decode("headings", bad)


def test_headings_are_cached_per_kind_of_document(cache_dir: Path) -> None:
    same = "Title\n=====\n# Also\n"  # the same text is two documents as .md and .rst
    root = write_tree(cache_dir.parent / "repo", {"README.md": same, "README.rst": same})
    cache = factcache.configure()
    md = RepoTree(root).parsed("README.md", "headings", headings_parser("README.md"))
    rst = RepoTree(root).parsed("README.rst", "headings", headings_parser("README.rst"))
    assert (md, rst) == ([("Title", 1), ("Also", 3)], [("Title", 1)])
    assert cache.writes == 2
    again = factcache.configure()
    assert RepoTree(root).parsed("README.rst", "headings", headings_parser("README.rst")) == rst
    assert (again.hits, again.writes) == (1, 0)
    # a parser a detector brings itself is never kept: its result may depend on more than text
    RepoTree(root).parsed("README.md", "headings", lambda text: [("x", 1)])
    assert again.writes == 0


def test_a_warm_run_loads_neither_the_markdown_nor_the_yaml_parser(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "README.md": "# Churn\n\n## Model evaluation\n\n## Model limitations\n",
        "train.py": "import mlflow\nmlflow.log_metric('auc', 1)\n",
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - run: pytest tests/\n",
    })
    env = {**os.environ, "MLKAIZEN_CACHE_DIR": str(tmp_path / "cache")}
    code = ("import json, sys\nfrom mlkaizen import api\nfrom mlkaizen.report import get_renderer\n"
            f"out = get_renderer('json')(api.assess({str(root)!r}), None)\n"
            "print(json.dumps([[m in sys.modules for m in ('markdown_it', 'yaml')], out]))")
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], env=env, text=True,
                                      capture_output=True, check=True).stdout)
            for _ in range(2)]
    assert [loaded for loaded, _ in runs] == [[True, True], [False, False]]
    assert runs[0][1] == runs[1][1]
    found = json.loads(runs[1][1])["findings"]
    card = [(f["file"], f["line"], f["detail"]) for f in found
            if f["detector"] == "model_card_present"]
    assert card == [("README.md", 3,
                     "model documentation: sections 'model evaluation', 'model limitations'")]
    assert [(f["detector"], f["file"]) for f in found if f["detector"] == "ci_configured"] == [
        ("ci_configured", ".github/workflows/ci.yml")]


YAML_TYPES = """\
name: train
on: [push]
when: 2025-03-04
stamp: 2025-03-04T10:11:12.5+02:00
blob: !!binary aGVsbG8=
ratio: .5
big: 123456789012345678901234567890
inf: .inf
empty: ~
flags: !!set {a, b}
ordered: !!omap [{x: 1}, {y: 2}]
1: int key
2025-01-01: date key
null: null key
steps:
  - run: pytest
    env: {A: "1", B: "caf\\u00e9"}
---
- just a list
- {nested: {deeper: [1, 2.5, true]}}
"""


def _lines(value: object) -> list[int]:
    from mlkaizen.evidence.parse.yamlfile import LineDict, walk

    return [n.line for n in walk(value) if isinstance(n, LineDict)]


def test_yaml_documents_round_trip_with_types_and_lines() -> None:
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    docs = load_yaml_documents(YAML_TYPES)
    again, error = factcache.decode("yaml", factcache.encode("yaml", docs))
    assert error is None
    assert again == docs
    assert _lines(again) == _lines(docs) and _lines(docs)[0] == 1
    assert [type(v) for v in again[0].values()] == [type(v) for v in docs[0].values()]
    assert [type(k) for k in again[0]] == [type(k) for k in docs[0]]


def test_yaml_with_aliases_is_parsed_but_not_cached(cache_dir: Path) -> None:
    shared = "base: &b {image: python}\njob1: *b\njob2: *b\n"
    root = write_tree(cache_dir.parent / "repo", {"a.yml": shared, "b.yml": YAML_TYPES})
    cache = factcache.configure()
    tree = RepoTree(root)
    docs = tree.yaml("a.yml")
    assert docs is not None and docs[0]["job1"] is docs[0]["job2"]
    assert tree.yaml("b.yml") is not None
    assert cache.writes == 1  # b.yml only
    with pytest.raises(TypeError):
        factcache.encode("yaml", docs)


def test_yaml_limits_are_part_of_the_key(cache_dir: Path) -> None:
    from mlkaizen.evidence.limits import ScanLimits

    root = write_tree(cache_dir.parent / "repo", {"ci.yml": YAML_TYPES})
    cache = factcache.configure()
    assert RepoTree(root).yaml("ci.yml") is not None
    first, again = RepoTree(root, ScanLimits(max_yaml_nodes=5)), RepoTree(
        root, ScanLimits(max_yaml_nodes=5))
    assert first.yaml("ci.yml") is None and again.yaml("ci.yml") is None  # over the limit
    assert first.warnings and first.warnings == again.warnings  # the same, from the cache
    assert (cache.writes, cache.hits) == (2, 1)


def test_a_parse_error_is_kept_as_its_message_and_line() -> None:
    payload = factcache.encode("python", error=ParseError("Python syntax error: x", 3))
    value, error = factcache.decode("python", payload)
    assert value is None and error is not None
    assert (error.message, error.line) == ("Python syntax error: x", 3)


@pytest.mark.parametrize("payload", [
    "", "{", "[]", '{"value": 1}', '{"value": {"imports": {}}}',
    '{"error": ["m"]}', '{"error": [1, 2]}',
    json.dumps({"value": {**json.loads(factcache.encode("python", parse_python("x=1")))["value"],
                          "calls": [["f", "1", [], [], []]]}}),
])
def test_a_payload_of_the_wrong_shape_is_refused(payload: str) -> None:
    with pytest.raises(factcache.CorruptEntryError):
        factcache.decode("python", payload)


# ------------------------------------------------------------------ keys
def test_keys_hash_every_byte_and_separate_kinds() -> None:
    a = "x = 1\n" * 10_000 + "a"
    b = "x = 1\n" * 10_000 + "b"
    da, db = factcache.text_digest(a), factcache.text_digest(b)
    assert factcache.entry_key("python", da) != factcache.entry_key("python", db)
    nb = factcache.text_digest(NB_GOOD)
    assert factcache.entry_key("notebook", nb) != factcache.entry_key("notebook-facts", nb)
    assert len({factcache.entry_key(k, da) for k in factcache.CODECS}) == len(factcache.CODECS)


def test_a_changed_parser_version_misses(cache_dir: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(cache_dir.parent / "repo", {"train.py": HOSTILE_PY})
    first = factcache.configure()
    RepoTree(root).python("train.py")
    assert (first.writes, first.hits) == (1, 0)
    again = factcache.configure()
    RepoTree(root).python("train.py")
    assert (again.hits, again.writes) == (1, 0)
    bumped = dataclasses.replace(factcache.CODECS["python"], version=2)
    monkeypatch.setitem(factcache.CODECS, "python", bumped)
    monkeypatch.setattr(factcache, "_fingerprints", {})
    after = factcache.configure()
    RepoTree(root).python("train.py")
    assert (after.hits, after.misses, after.writes) == (0, 1, 1)
    assert len(entries(cache_dir)) == 2


def test_same_text_parsed_as_two_kinds_makes_two_entries(cache_dir: Path) -> None:
    root = write_tree(cache_dir.parent / "repo", {"nb.ipynb": NB_GOOD})
    cache = factcache.configure()
    tree = RepoTree(root)
    tree.python("nb.ipynb")  # notebook facts
    tree.importing(["mlflow"])  # the notebook's code, for the import index
    assert cache.writes == 2
    assert len(entries(cache_dir)) == 2


# ------------------------------------------------------------------ whole assessments
def test_cold_warm_and_uncached_reports_are_identical(cache_dir: Path, tmp_path: Path) -> None:
    root = real_shaped(tmp_path / "churn")
    cold_cache = factcache.configure()
    cold = report(root)
    written = cold_cache.writes
    # src/copy_b/train.py has the content of src/hostile.py: parsed once, a hit the second time
    assert written > 10 and cold_cache.hits == 1
    assert len(entries(cache_dir)) == written
    warm_cache = factcache.configure()
    warm = report(root)
    assert (warm_cache.hits, warm_cache.writes, warm_cache.corrupt) == (written + 1, 0, 0)
    factcache.configure(enabled=False)
    uncached = report(root)
    assert cold == warm == uncached
    found = json.loads(cold)
    details = [w["message"] for w in found["warnings"]]
    assert any("notebook cell 3" in d for d in details)  # replayed from the cache when warm
    assert any(w["file"] == "src/broken.py" for w in found["warnings"])


def test_cli_reports_are_identical_cold_warm_no_cache_and_jobs(tmp_path: Path) -> None:
    root = real_shaped(tmp_path / "churn")
    env = {**os.environ, "MLKAIZEN_CACHE_DIR": str(tmp_path / "cli-cache")}
    outputs = []
    for n, flags in enumerate([[], [], ["--no-cache"], ["--jobs", "1"], ["--jobs", "2"]]):
        out = tmp_path / f"r{n}.json"
        proc = subprocess.run(
            [sys.executable, "-m", "mlkaizen", "assess", str(root), "-f", "json", "-o", str(out),
             *flags], capture_output=True, text=True, env=env, check=False)
        assert proc.returncode in (0, 1), proc.stderr
        assert "warning" not in proc.stderr
        outputs.append(out.read_bytes())
    assert len(set(outputs)) == 1
    assert list((tmp_path / "cli-cache" / "facts").rglob("*"))


def test_assess_parses_in_as_many_processes_as_usable_cores_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlkaizen.cli import main

    monkeypatch.setenv("MLKAIZEN_CACHE_DIR", str(tmp_path / "cache"))
    root = real_shaped(tmp_path / "churn")
    for flags, jobs in (([], factcache.usable_cores()), (["--jobs", "1"], 1),
                        (["-j", "3"], 3)):
        with pytest.raises(SystemExit):
            main(["assess", str(root), "-f", "json", "-o", str(tmp_path / "r.json"), *flags])
        assert factcache.current().jobs == jobs, flags
    factcache.reset()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity here")
def test_usable_cores_follow_the_cpu_affinity() -> None:
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
            "from mlkaizen.evidence.factcache import usable_cores; print(usable_cores())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == "1\n"


def test_corrupt_truncated_and_misplaced_entries_are_ignored_and_rewritten(
    cache_dir: Path, tmp_path: Path
) -> None:
    root = real_shaped(tmp_path / "churn")
    factcache.configure()
    expected = report(root)
    files = entries(cache_dir)
    good = {p: p.read_bytes() for p in files}
    truncated, garbage, misplaced, wrong_type = files[0], files[1], files[2], files[3]
    truncated.write_bytes(good[truncated][: len(good[truncated]) // 2])
    garbage.write_bytes(b"\x00\xff not an entry")
    misplaced.write_bytes(good[files[4]])  # a valid entry, under another key
    header, _, _ = good[wrong_type].partition(b"\n")
    fields = header.split(b" ")
    bad_body = b'{"value":{"imports":"no"}}'
    wrong_type.write_bytes(factcache._wrap(fields[2].decode(), bad_body.decode()))
    cache = factcache.configure()
    assert report(root) == expected
    assert cache.corrupt == 4
    assert cache.writes == 4
    assert cache.hits == len(files) - 4 + 1  # + the file whose content is another's
    assert {p: _without_time(p.read_bytes()) for p in entries(cache_dir)} == {
        p: _without_time(data) for p, data in good.items()}


def _without_time(entry: bytes) -> dict[str, object]:
    """An entry's payload without the seconds its parse took (they vary run to run)."""
    header, _, body = entry.partition(b"\n")
    assert header.startswith(factcache.FORMAT)
    payload = json.loads(body)
    del payload["s"]
    return payload


def test_an_unwritable_cache_gives_one_warning_and_the_same_report(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    root = real_shaped(tmp_path / "churn")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("MLKAIZEN_CACHE_DIR", str(blocker))
    problems: list[str] = []
    cache = factcache.configure(on_problem=problems.append)
    first = report(root)
    second = report(root)
    assert cache.writes == 0 and not cache.writable
    assert len(problems) == 1 and "cannot write the parse cache" in problems[0]
    factcache.configure(enabled=False)
    assert first == second == report(root)


def test_background_writes_are_read_back_at_once_and_on_disk_at_the_end(cache_dir: Path) -> None:
    cache = factcache.configure()
    keys = [factcache.entry_key("python", factcache.text_digest(f"x = {i}\n")) for i in range(40)]
    def writers() -> int:
        import threading

        return sum(t.name == "mlkaizen-cache-writer" for t in threading.enumerate())

    with cache.background_writes():
        assert writers() == 0  # none before the first entry (a worker pool may fork first)
        for i, key in enumerate(keys):
            cache.put(key, f'{{"value":{i},"s":0}}')
        assert writers() == 1
        assert cache.get(keys[7]) == '{"value":7,"s":0}'  # queued, read back from memory
        assert cache.hits == 1
    assert cache.writes == 40 and len(entries(cache_dir)) == 40
    assert writers() == 0
    again = factcache.configure()
    assert again.get(keys[39]) == '{"value":39,"s":0}' and again.hits == 1


def test_a_failed_background_write_is_reported_once_at_the_end(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("MLKAIZEN_CACHE_DIR", str(blocker))
    problems: list[str] = []
    cache = factcache.configure(on_problem=problems.append)
    key = factcache.entry_key("python", factcache.text_digest("x = 1\n"))
    with cache.background_writes():
        for _ in range(5):
            cache.put(key, '{"value":1,"s":0}')
        assert problems == []  # not while the scan goes on
    assert len(problems) == 1 and "cannot write the parse cache" in problems[0]
    assert (cache.writes, cache.writable) == (0, False)
    cache.put(key, '{"value":1,"s":0}')  # later puts are dropped, without a second warning
    assert len(problems) == 1


def test_the_size_cap_removes_the_least_recently_used(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder, cap_bytes=10_000)
    keys = [factcache.entry_key("notebook", factcache.text_digest(str(i))) for i in range(40)]
    for i, key in enumerate(keys):
        cache.put(key, factcache.encode("notebook", "x" * 900))
        path = folder / key[:2] / key[2:]
        os.utime(path, (1_000_000 + i, 1_000_000 + i))  # entry i used at second i
    sizes = {p: p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    assert len(sizes) == 40 and sum(sizes.values()) > 10_000
    cache.sweep()
    kept = [k for k in keys if (folder / k[:2] / k[2:]).exists()]
    size = next(iter(sizes.values()))
    assert sum((folder / k[:2] / k[2:]).stat().st_size for k in kept) <= 8_000
    assert len(kept) == 8_000 // size
    assert kept == keys[-len(kept):]  # the newest survive
    assert cache.get(kept[0]) is not None
    assert int((folder / ".size").read_text()) == len(kept) * size


def test_the_size_estimate_lists_the_folder_only_near_the_cap(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder, cap_bytes=100_000)
    first = factcache.entry_key("notebook", factcache.text_digest("a"))
    cache.put(first, factcache.encode("notebook", "a"))
    cache.sweep()  # no estimate yet: the folder is listed
    size = (folder / first[:2] / first[2:]).stat().st_size
    assert int((folder / ".size").read_text()) == size
    second = factcache.entry_key("notebook", factcache.text_digest("b"))
    cache.put(second, factcache.encode("notebook", "b"))
    (folder / ".size").write_text("1000")  # an estimate off the mark is only added to
    cache.sweep()
    assert int((folder / ".size").read_text()) == 1000 + size
    (folder / ".size").write_text("99999")  # near the cap: measured again, nothing removed
    cache.put(first, factcache.encode("notebook", "a"))
    cache.sweep()
    assert int((folder / ".size").read_text()) == 2 * size
    assert cache.get(first) is not None and cache.get(second) is not None


def _writer(folder: str, texts: list[str], rounds: int) -> None:
    cache = factcache.FactCache(Path(folder))
    for _ in range(rounds):
        for text in texts:
            key = factcache.entry_key("python", factcache.text_digest(text))
            cache.put(key, factcache.encode("python", parse_python(text)))
            cache.get(key)


def test_concurrent_writers_leave_a_readable_cache(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    texts = [f"import mlflow\nmlflow.log_metric('m{i}', {i})\n" * (i + 1) for i in range(30)]
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(folder), texts, 5)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert len(files) == len(texts)  # no temporary file left behind
    reader = factcache.FactCache(folder)
    for text in texts:
        payload = reader.get(factcache.entry_key("python", factcache.text_digest(text)))
        assert payload is not None
        assert factcache.decode("python", payload) == (parse_python(text), None)
    assert (reader.hits, reader.corrupt) == (len(texts), 0)


def test_entries_are_data_named_by_hex_digits_inside_the_cache(cache_dir: Path,
                                                               tmp_path: Path) -> None:
    root = real_shaped(tmp_path / "churn")
    factcache.configure()
    report(root)
    assert not Path("/tmp/pwned").exists()
    for path in (cache_dir).rglob("*"):
        rel = path.relative_to(cache_dir).parts
        if rel[0] != "facts":
            continue
        assert all(all(c in "0123456789abcdef" for c in part) for part in rel[1:])
        if path.is_file():
            header, _, body = path.read_bytes().partition(b"\n")
            assert header.startswith(factcache.FORMAT)
            json.loads(body)  # JSON, nothing else
    cache = factcache.FactCache(cache_dir / "facts")
    assert cache.get("../../etc/passwd") is None
    assert cache.get("a" * 63 + "/") is None


# ------------------------------------------------------------------ the pool
def _many_modules(root: Path, n: int) -> Path:
    files: dict[str, str | bytes] = {}
    for i in range(n):
        body = "".join(
            f"def step_{i}_{j}(x):\n    if x > {j}:\n        raise ValueError(x)\n"
            f"    return mlflow.log_metric('m{j}', x)\n" for j in range(40))
        files[f"pkg/mod_{i}.py"] = f"import mlflow\nimport pandas as pd\n{body}"
    files["pkg/bad.py"] = BROKEN_PY
    files["nb/explore.ipynb"] = NB_GOOD
    files["nb/broken_cell.ipynb"] = NB_BAD_CELL
    return write_tree(root, files)


def test_pool_and_serial_give_identical_reports(cache_dir: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(factcache, "POOL_MIN_FILES", 4)
    monkeypatch.setattr(factcache, "POOL_MIN_BYTES", 1)
    monkeypatch.setattr(factcache, "CGROUP_CPU_MAX", tmp_path / "absent")  # whatever the host
    root = real_shaped(tmp_path / "churn")
    _many_modules(root / "lib", 30)
    factcache.configure(enabled=False, jobs=1)
    serial = report(root)
    pooled_nocache = factcache.configure(enabled=False, jobs=2)
    assert report(root) == serial
    assert pooled_nocache.pooled > 30 and pooled_nocache.writes == 0
    pooled = factcache.configure(jobs=2)
    assert report(root) == serial
    assert pooled.pooled == pooled_nocache.pooled
    files = entries(cache_dir)
    yaml_files = {p for p in files if b'{"value":[' in p.read_bytes()}  # YAML: parsed serially
    assert pooled.writes == pooled.pooled + len(yaml_files) == len(files)
    warm = factcache.configure(jobs=2)
    assert report(root) == serial
    assert (warm.pooled, warm.writes, warm.misses) == (0, 0, 0)
    assert warm.hits > 30  # every parse asked for was stored by the pool


def test_a_small_tree_is_not_worth_a_pool(cache_dir: Path, tmp_path: Path) -> None:
    root = _many_modules(tmp_path / "small", 3)
    cache = factcache.configure(jobs=2)
    report(root)
    assert cache.pooled == 0 and cache.writes > 0


# ------------------------------------------------------------------ git commits
def test_history_and_work_tree_share_the_cache(cache_dir: Path, tmp_path: Path) -> None:
    from mlkaizen.history import replay

    root = tmp_path / "hist"
    gitrepo.practice_history(root)
    cold = factcache.configure()
    first = replay(root, every=1)
    assert cold.writes > 0 and cold.hits == 0
    warm = factcache.configure()
    second = replay(root, every=1)  # a new blob cache: as a second `mlkaizen history`
    assert (warm.writes, warm.hits) == (0, cold.writes)
    assert [p.model_dump() for p in first.points] == [p.model_dump() for p in second.points]
    assert {c.practice for c in first.changes} == {c.practice for c in second.changes} != set()
    work = factcache.configure()
    report(root)  # the checked-out head: its files were parsed at the last commit
    assert work.writes == 0 and work.hits > 0


def test_history_no_cache_flag_leaves_the_cache_alone(tmp_path: Path) -> None:
    root = tmp_path / "hist"
    gitrepo.practice_history(root)
    for flags, cached in (([], True), (["--no-cache"], False)):
        folder = tmp_path / f"cache-{cached}"
        proc = subprocess.run(
            [sys.executable, "-m", "mlkaizen", "history", str(root), "-f", "json", *flags],
            capture_output=True, text=True, check=False,
            env={**os.environ, "MLKAIZEN_CACHE_DIR": str(folder)})
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["points"]
        assert (folder / "facts").is_dir() is cached


def test_hits_spend_the_parse_budget_as_the_parses_did(cache_dir: Path) -> None:
    root = write_tree(cache_dir.parent / "repo",
                      {f"m{i}.py": HOSTILE_PY + f"x = {i}\n" for i in range(5)})
    factcache.configure()
    api.assess(root)  # every module in the cache, with the seconds its parse took
    skipped = []
    for enabled in (True, False):
        cache = factcache.configure(enabled=enabled)
        a = api.assess(root, limits={"max_parse_seconds": 1e-9})
        assert a.scan is not None
        skipped.append(a.scan.skipped.get("max_parse_seconds"))
        assert cache.writes == 0
    assert skipped == [4, 4]  # the first module is read (from the cache or parsed), no more
    with pytest.raises(factcache.CorruptEntryError):
        factcache.decode("notebook", '{"value": "x", "s": "slow"}')


def test_no_thread_to_be_had_means_writes_in_the_scan(cache_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    cache = factcache.configure()
    key = factcache.entry_key("python", factcache.text_digest("x = 1\n"))
    with cache.background_writes():
        cache.put(key, '{"value":1,"s":0}')
        assert len(entries(cache_dir)) == 1  # written at once
    with cache.background_writes():  # and the next scan is not stuck either
        cache.put(factcache.entry_key("python", factcache.text_digest("y = 2\n")),
                  '{"value":2,"s":0}')
    assert (cache.writes, len(entries(cache_dir))) == (2, 2)


def test_the_libyaml_fingerprint_counts_only_this_interpreters_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.machinery import EXTENSION_SUFFIXES

    package = tmp_path / "yaml"
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(factcache, "_origin", lambda name: str(package / "__init__.py"))
    (package / "_yaml.cpython-39-x86_64-linux-gnu.so").write_bytes(b"")  # a leftover
    (package / "_yaml.pyx").write_text("")
    assert factcache._yaml_versions().endswith("libyaml False")
    (package / ("_yaml" + EXTENSION_SUFFIXES[0])).write_bytes(b"")
    assert factcache._yaml_versions().endswith("libyaml True")


@pytest.mark.parametrize("content, quota", [
    ("200000 100000\n", 2), ("150000 100000\n", 2), ("50000 100000\n", 1),
    ("max 100000\n", None), ("", None), ("x y\n", None), ("100 0\n", None),
])
def test_a_container_cpu_quota_is_read_from_cpu_max(tmp_path: Path, content: str,
                                                   quota: int | None) -> None:
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text(content)
    assert factcache.cgroup_cpu_quota(cpu_max) == quota
    assert factcache.cgroup_cpu_quota(tmp_path / "absent") is None


def test_a_pool_stays_within_the_containers_cpu_quota(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    items: list[factcache.Item] = [(("python",), f"x = {i}\n") for i in range(64)]
    cpu_max = tmp_path / "cpu.max"
    monkeypatch.setattr(factcache, "CGROUP_CPU_MAX", cpu_max)
    cpu_max.write_text("100000 100000\n")  # one CPU: no pool, the scan parses them itself
    assert factcache.parse_in_pool(items, 4, 10.0) == [[None]] * 64
    cpu_max.write_text("200000 100000\n")  # two: a pool
    assert all(payload is not None for (payload,) in factcache.parse_in_pool(items, 4, 10.0))


def test_a_pool_starts_no_more_workers_than_its_files_keep_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factcache, "CGROUP_CPU_MAX", tmp_path / "absent")  # no quota here
    items: list[factcache.Item] = [(("python",), f"x = {i}\n") for i in range(20)]
    assert factcache.parse_in_pool(items, 8, 10.0) == [[None]] * 20  # one worker's worth
    parsed = factcache.parse_in_pool(items * 2, 8, 10.0)  # two workers' worth: parsed
    assert all(payload is not None for (payload,) in parsed)
