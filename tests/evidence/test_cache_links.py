"""The user cache (parse entries, the catalogue, vocabulary and packs) may lie in the checkout
(a CI cache recipe sets ``XDG_CACHE_HOME`` there). A link the checkout committed on its way is
refused with one warning and the scan runs without a cache; the size sweep never removes a
file through a link; a FIFO, device or folder where an entry or the size marker should be is
a miss, never opened blocking; and a parse that ran out of memory is never kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen import api, usercache
from mlkaizen.errors import ParseError
from mlkaizen.evidence import factcache
from mlkaizen.evidence.parse import python_src
from mlkaizen.evidence.parse.python_src import parse_python
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import write_tree

TRAIN = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _objects(folder: Path, count: int = 40) -> dict[str, bytes]:
    """Files laid out as a git object folder (two hex digits, then the rest), all older than
    anything the cache writes: what the sweep would remove first."""
    for i in range(count):
        name = f"{i:040x}"
        path = folder / name[:2] / name[2:]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 2000)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    return _files(folder)


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder of a CI job, with the user cache set inside it."""
    root = write_tree(tmp_path / "checkout", {"train.py": TRAIN, "src/model.py": "import torch\n"})
    monkeypatch.chdir(root)
    monkeypatch.delenv(usercache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / ".cache"))
    return root


@pytest.mark.parametrize("linked", [".cache", ".cache/mlkaizen", ".cache/mlkaizen/facts"])
def test_a_cache_linked_out_of_the_checkout_is_refused_and_its_target_untouched(
    checkout: Path, tmp_path: Path, linked: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other-repo" / ".git" / "objects"  # what the sweep would empty
    before = _objects(other)
    below = {".cache": "mlkaizen/facts", ".cache/mlkaizen": "facts", ".cache/mlkaizen/facts": ""}
    target = other
    if below[linked]:  # the link leads to a folder where facts/ is the other's objects
        target = tmp_path / "elsewhere"
        (target / below[linked]).parent.mkdir(parents=True)
        (target / below[linked]).symlink_to(other)
    (checkout / linked).parent.mkdir(parents=True, exist_ok=True)
    (checkout / linked).symlink_to(target)
    problems: list[str] = []
    cache = factcache.configure(cap_bytes=1, on_problem=problems.append)
    assessment = api.assess(checkout)
    cache.sweep()
    assert assessment.scan is not None and assessment.scan.files_read >= 2
    assert _files(other) == before  # all 40 there, none added
    assert (cache.writes, cache.hits) == (0, 0)
    warned = capsys.readouterr().err.splitlines()
    assert problems == [] and len(warned) == 1  # one warning in all, from the first refusal
    assert warned[0].startswith(f"mlkaizen: warning: cache folder {checkout / '.cache'}")
    assert f"{Path(linked).name!r} is a symbolic link" in warned[0]
    assert warned[0].endswith("; the cache is not used")


def test_the_same_folders_without_a_link_are_used(checkout: Path) -> None:
    problems: list[str] = []
    usercache.configure(on_problem=problems.append)
    cache = factcache.configure(on_problem=problems.append)
    with cache.background_writes():
        api.assess(checkout)
    assert problems == [] and cache.writes == 2
    assert len(list((checkout / ".cache" / "mlkaizen" / "facts").rglob("*"))) == 4  # 2 + 2 folders
    assert usercache.write("catalogue", "a.json", b"{}")
    assert (checkout / ".cache" / "mlkaizen" / "catalogue" / "a.json").read_bytes() == b"{}"


def test_a_cache_outside_the_working_folder_is_reached_as_the_user_gave_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real-cache"
    real.mkdir()
    (tmp_path / "my-cache").symlink_to(real)
    monkeypatch.setenv(usercache.ENV, str(tmp_path / "my-cache"))
    monkeypatch.chdir(write_tree(tmp_path / "elsewhere", {"x.txt": "x\n"}))
    assert usercache.write("catalogue", "a.json", b"{}")
    assert usercache.read("catalogue", "a.json") == b"{}"
    assert (real / "catalogue" / "a.json").read_bytes() == b"{}"


def test_the_user_cache_in_the_checkout_behind_a_link_is_neither_read_nor_written(
    checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "catalogue").mkdir(parents=True)
    (elsewhere / "catalogue" / "a.json").write_bytes(b'{"planted": true}')
    (checkout / ".cache").mkdir()
    (checkout / ".cache" / "mlkaizen").symlink_to(elsewhere)
    assert usercache.read("catalogue", "a.json") is None
    assert not usercache.write("catalogue", "b.json", b"{}")
    assert _files(elsewhere) == {"catalogue/a.json": b'{"planted": true}'}
    warned = capsys.readouterr().err.splitlines()
    assert len(warned) == 1 and "'mlkaizen' is a symbolic link" in warned[0]


def test_the_sweep_removes_links_inside_the_cache_never_what_they_lead_to(tmp_path: Path
                                                                        ) -> None:
    folder = tmp_path / "cache" / "facts"
    victim = tmp_path / "victim"
    before = _objects(victim)
    (folder / "00").mkdir(parents=True)
    (folder / "01").symlink_to(victim / "00")  # a sub-folder that is a link: not looked into
    (folder / "00" / ("0" * 62)).symlink_to(victim / "00" / ("0" * 38))  # an entry that is one
    cache = factcache.FactCache(folder, cap_bytes=1)
    key = factcache.entry_key("notebook", factcache.text_digest("a"))
    cache.put(key, factcache.encode("notebook", "a"))
    cache.sweep()
    assert _files(victim) == before
    assert not os.path.lexists(folder / "00" / ("0" * 62))  # the link itself was removed
    assert (folder / "01").is_symlink()


def _fifo_or_folder(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "folder", "device link"])
def test_no_entry_is_read_from_a_fifo_a_folder_or_a_device(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder)
    key = factcache.entry_key("python", factcache.text_digest("x = 1\n"))
    _fifo_or_folder(folder / key[:2] / key[2:], kind)
    assert cache.get(key) is None and not cache.has(key)
    assert (cache.hits, cache.misses, cache.corrupt) == (0, 1, 0)
    _fifo_or_folder(tmp_path / "user" / "catalogue" / "a.json", kind)
    os.environ[usercache.ENV], saved = str(tmp_path / "user"), os.environ[usercache.ENV]
    try:
        assert usercache.read("catalogue", "a.json") is None
    finally:
        os.environ[usercache.ENV] = saved


@pytest.mark.parametrize("kind", ["fifo", "device link"])
def test_a_fifo_or_a_device_as_the_size_marker_is_measured_again(tmp_path: Path,
                                                                  kind: str) -> None:
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder, cap_bytes=100_000)
    _fifo_or_folder(folder / factcache.SIZE_FILE, kind)
    key = factcache.entry_key("notebook", factcache.text_digest("a"))
    cache.put(key, factcache.encode("notebook", "a"))
    cache.sweep()
    size = (folder / key[:2] / key[2:]).stat().st_size
    assert (folder / factcache.SIZE_FILE).read_text() == str(size)  # a regular file again


def test_an_entry_over_the_size_limit_is_neither_stored_nor_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factcache, "MAX_ENTRY_BYTES", 2000)
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder)
    big, small = (factcache.entry_key("notebook", factcache.text_digest(t)) for t in "ab")
    cache.put(big, factcache.encode("notebook", "x" * 2000))
    cache.put(small, factcache.encode("notebook", "x" * 1000))
    assert cache.writes == 1 and not (folder / big[:2] / big[2:]).exists()
    (folder / big[:2]).mkdir(exist_ok=True)
    (folder / big[:2] / big[2:]).write_bytes(factcache._wrap(big, "x" * 2000))
    assert cache.get(big) is None and cache.get(small) is not None


def test_entries_waiting_for_the_writer_are_bounded_and_let_go_once_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factcache, "QUEUE_MAX_BYTES", 3000)
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder)
    keys = [factcache.entry_key("notebook", factcache.text_digest(str(i))) for i in range(40)]
    held = []
    with cache.background_writes():
        for key in keys:
            cache.put(key, factcache.encode("notebook", "x" * 1000))
            held.append(len(cache._waiting))
    assert max(held) <= 2  # never more than 3,000 bytes of entries (about 1,100 each)
    assert cache._waiting == {} and cache.writes == 40
    assert all(cache.get(key) is not None for key in keys)


def test_a_parse_that_ran_out_of_memory_is_not_kept(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(usercache.ENV, str(tmp_path / "cache"))
    root = write_tree(tmp_path / "repo", {"train.py": TRAIN})
    real_ast = python_src.ast

    class Exhausted:  # the parser's ``ast`` module, whose parse runs out of memory
        def __getattr__(self, name: str) -> object:
            return getattr(real_ast, name)

        @staticmethod
        def parse(*args: object, **kwargs: object) -> object:
            raise MemoryError

    monkeypatch.setattr(python_src, "ast", Exhausted())
    cache = factcache.configure()
    tree = RepoTree(root)
    assert tree.parsed("train.py", "python", parse_python) is None
    assert [w.detail for w in tree.warnings] == [
        "python: Python file could not be parsed (MemoryError); file skipped by python detectors"]
    assert cache.writes == 0
    assert factcache._parse_one("python", TRAIN) is None  # nor from a worker process
    monkeypatch.setattr(python_src, "ast", real_ast)
    cache = factcache.configure()
    facts = RepoTree(root).parsed("train.py", "python", parse_python)
    assert facts is not None and "mlflow" in facts.imports
    assert (cache.hits, cache.writes) == (0, 1)


def test_a_syntax_error_is_still_kept() -> None:
    payload = factcache._parse_one("python", "def broken(:\n")
    assert payload is not None and '"error"' in payload


def _raised(inner: BaseException, chained: bool) -> ParseError:
    try:
        try:
            raise inner
        except type(inner):
            if chained:
                raise ParseError("could not be parsed") from inner
            raise ParseError("could not be parsed") from None
    except ParseError as exc:
        return exc
    raise AssertionError


@pytest.mark.parametrize("chained", [True, False])
def test_only_errors_of_the_text_alone_are_lasting(chained: bool) -> None:
    assert not factcache.lasting(_raised(MemoryError(), chained))
    assert not factcache.lasting(_raised(RecursionError(), chained))
    assert factcache.lasting(_raised(ValueError("null byte"), chained))
    assert factcache.lasting(ParseError("Python syntax error: x", 3))


def test_no_cache_neither_reads_nor_stores_anything(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": TRAIN})
    for flags, cached in ((["--no-cache"], False), ([], True)):
        folder = tmp_path / f"cache-{cached}"
        proc = subprocess.run(
            [sys.executable, "-m", "mlkaizen", "assess", str(root), "-f", "json",
             "-o", str(tmp_path / f"r-{cached}.json"), *flags],
            capture_output=True, text=True, check=False,
            env={**os.environ, usercache.ENV: str(folder)})
        assert proc.returncode in (0, 1), proc.stderr
        found = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
        assert found == (["catalogue", "facts", "packs-runtime", "vocabulary"] if cached else [])


def test_the_text_handed_to_a_worker_pool_is_bounded(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(usercache.ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(factcache, "POOL_MIN_FILES", 4)
    monkeypatch.setattr(factcache, "POOL_MIN_BYTES", 1)
    monkeypatch.setattr(factcache, "POOL_MAX_BYTES", 10 * 1000)
    monkeypatch.setattr(factcache, "POOL_FILES_PER_WORKER", 1)
    monkeypatch.setattr(factcache, "CGROUP_CPU_MAX", tmp_path / "absent")  # whatever the host
    body = "import mlflow\n" + "x = 1\n" * 164  # 1,000 characters
    root = write_tree(tmp_path / "repo", {f"m{i:02}.py": body + f"y = {i}\n" for i in range(40)})
    serial = factcache.configure(enabled=False)
    expected = api.assess(root).model_dump(exclude={"generated_at"})
    assert serial.pooled == 0
    pooled = factcache.configure(jobs=2)
    assert api.assess(root).model_dump(exclude={"generated_at"}) == expected
    assert pooled.pooled == 9  # 9 texts of 1,007 characters fit in 10,000; the rest in the scan
    assert pooled.writes == 40


def test_the_sweep_looks_at_a_bounded_number_of_files(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(factcache, "SWEEP_MAX_ENTRIES", 10)
    folder = tmp_path / "facts"
    cache = factcache.FactCache(folder, cap_bytes=1)
    for i in range(40):
        cache.put(factcache.entry_key("notebook", factcache.text_digest(str(i))),
                  factcache.encode("notebook", "x"))
    cache.sweep()
    left = [p for p in folder.rglob("*") if p.is_file() and p.name != factcache.SIZE_FILE]
    assert len(left) == 30  # the 10 files looked at were removed, no more
    assert (folder / factcache.SIZE_FILE).read_text() == "0"
