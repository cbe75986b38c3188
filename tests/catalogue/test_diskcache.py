"""The built-in catalogue cached on disk by content: used when its content was parsed before,
ignored (and rewritten) when corrupt, never an error when the cache folder is unusable. Work
is counted (YAML parses), never timed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlkaizen import usercache
from mlkaizen.catalogue import loader
from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.formats import datacache as diskcache
from mlkaizen.formats import datafile
from mlkaizen.catalogue.loader import builtin_path, load_catalogue
from mlkaizen.evidence.detectors.vocabulary import vocabulary


@pytest.fixture
def parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A fresh cache folder and no in-process memo; yields the list of YAML parses made."""
    monkeypatch.setenv(usercache.ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "_LOADED", {})
    vocabulary()  # loaded once a process, before: only the catalogue's parses are counted
    seen: list[str] = []
    real = loader.load_yaml_mapping

    def counting(text: str, display: str) -> dict[str, object]:
        seen.append(display)
        return real(text, display)

    monkeypatch.setattr(loader, "load_yaml_mapping", counting)  # the catalogue's
    monkeypatch.setattr(datafile, "load_yaml_mapping", counting)  # the vocabulary's
    yield seen


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "catalogue").glob("*.json"))


def _reload() -> object:
    loader._LOADED.clear()
    return load_catalogue()


def test_second_load_reads_the_cache_not_the_yaml(parses: list[str], tmp_path: Path) -> None:
    first = load_catalogue()
    assert len(parses) == 1 and len(_entries(tmp_path)) == 1
    assert _reload() == first
    assert len(parses) == 1  # no second parse
    assert _entries(tmp_path)[0].name == diskcache.entry_name(builtin_path().read_bytes(), Catalogue)


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"id": "x"}', b"\xff\xfe\x00"])
def test_corrupt_or_truncated_entry_is_ignored_and_rewritten(
    parses: list[str], tmp_path: Path, content: bytes
) -> None:
    good = load_catalogue()
    entry = _entries(tmp_path)[0]
    whole = entry.read_bytes()
    entry.write_bytes(content or whole[: len(whole) // 2])
    assert _reload() == good
    assert len(parses) == 2
    assert entry.read_bytes() == whole  # rewritten
    assert _reload() == good and len(parses) == 2


def test_entry_failing_the_cross_check_is_not_used(parses: list[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    load_catalogue()
    monkeypatch.setattr(loader, "cross_check", lambda cat, detectors: None if len(parses) > 1
                        else ("unknown detector", ()))
    _reload()
    assert len(parses) == 2


def test_other_content_other_entry() -> None:
    text = builtin_path().read_bytes()
    assert diskcache.entry_name(text, Catalogue) != diskcache.entry_name(text + b"\n", Catalogue)
    assert diskcache.entry_name(text, Catalogue) == diskcache.entry_name(bytes(text), Catalogue)


def test_unusable_or_disabled_cache_folder(parses: list[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(usercache.ENV, str(blocker))  # mkdir fails whoever runs the tests
    good = load_catalogue()
    assert _reload() == good and len(parses) == 2
    assert blocker.read_text() == "not a folder"
    monkeypatch.setenv(usercache.ENV, "")  # switched off
    assert usercache.cache_dir() is None
    assert _reload() == good and len(parses) == 3
    assert usercache.write("catalogue", "x.json", b"{}") is False


def test_cache_folder_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(usercache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert usercache.cache_dir() == Path("/somewhere/mlkaizen")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/u")
    assert usercache.cache_dir() == Path("/home/u/.cache/mlkaizen")


def test_concurrent_writers_never_leave_half_an_entry(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(usercache.ENV, str(tmp_path))
    payloads = [bytes([65 + i]) * 200_000 for i in range(4)]
    seen: set[bytes] = set()

    def writer(data: bytes) -> None:
        for _ in range(25):
            assert usercache.write("k", "e", data)

    def reader() -> None:
        for _ in range(200):
            got = usercache.read("k", "e")
            if got is not None:
                seen.add(got)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen <= set(payloads)
    assert usercache.read("k", "e") in payloads
    assert os.listdir(tmp_path / "k") == ["e"]  # no temporary file left behind


def test_cli_with_a_corrupt_entry_and_two_runs_at_once(tmp_path: Path) -> None:
    env = {**os.environ, usercache.ENV: str(tmp_path / "cache")}
    repo = tmp_path / "empty"
    repo.mkdir()
    cmd = [sys.executable, "-m", "mlkaizen", "assess", str(repo), "-f", "json"]
    runs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    outs = [p.communicate() for p in runs]
    assert [p.returncode for p in runs] == [0, 0]
    assert outs[0][1] == outs[1][1] == b""
    (entry,) = (tmp_path / "cache" / "catalogue").iterdir()
    (words,) = (tmp_path / "cache" / "vocabulary").iterdir()
    for garbage in (entry, words):
        garbage.write_bytes(b"\x00garbage")
    again = subprocess.run(cmd, env=env, capture_output=True, check=False)
    assert (again.returncode, again.stderr) == (0, b"")
    assert again.stdout.split(b'"generated_at"')[0] == outs[0][0].split(b'"generated_at"')[0]


def test_the_tool_vocabulary_is_cached_by_content_too(parses: list[str], tmp_path: Path) -> None:
    from mlkaizen.evidence.detectors import vocabulary

    shutil.rmtree(tmp_path / "cache" / "vocabulary", ignore_errors=True)
    first = vocabulary._loaded.__wrapped__()[0]
    assert parses == ["<builtin>/vocabulary.yaml"]
    name = diskcache.entry_name(vocabulary.builtin_path().read_bytes(), vocabulary.VocabularyFile)
    assert name != diskcache.entry_name(  # not a catalogue
        vocabulary.builtin_path().read_bytes(), Catalogue)
    entry = tmp_path / "cache" / "vocabulary" / name
    assert entry.is_file()
    second = vocabulary._loaded.__wrapped__()[0]
    assert parses == ["<builtin>/vocabulary.yaml"]  # from the cache: no YAML parse
    assert (second.tools, second.step_patterns) == (first.tools, first.step_patterns)
    entry.write_bytes(b'{"tools": 3}')  # valid JSON, not a vocabulary: a miss, rewritten
    third = vocabulary._loaded.__wrapped__()[0]
    assert parses == ["<builtin>/vocabulary.yaml"] * 2
    assert third.data_suffixes == first.data_suffixes
    assert b'"step_kinds"' in entry.read_bytes()


def test_a_cached_vocabulary_does_not_compile_its_patterns_again(
    parses: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step-kind pattern is compiled to validate the file once, when the entry is
    written; read back, it is not (a fresh file always is)."""
    import re

    from mlkaizen.evidence.detectors import vocabulary

    shutil.rmtree(tmp_path / "cache" / "vocabulary", ignore_errors=True)
    # the built-in file's patterns (the stack packs' are compiled when the packs are loaded)
    builtin = vocabulary.load_vocabulary_file(vocabulary.builtin_path(), "vocabulary.yaml")
    compiled: list[str] = []
    real = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(vocabulary.re, "compile", counting)
    first = vocabulary._loaded.__wrapped__()[0]
    patterns = {p for ps in builtin.step_kinds.values() for p in ps}
    assert {p for ps in first.step_patterns.values() for p in ps} > patterns
    assert len(patterns) > 50 and patterns <= set(compiled)
    compiled.clear()
    second = vocabulary._loaded.__wrapped__()[0]
    assert second.step_patterns == first.step_patterns
    assert patterns.isdisjoint(compiled)
    with pytest.raises(ValidationError, match="is not a regular expression"):
        vocabulary.VocabularyFile.model_validate({"step_kinds": {"train": ["(unclosed"]}})


def test_a_cached_vocabulary_whose_patterns_do_not_compile_is_a_miss(
    parses: list[str], tmp_path: Path
) -> None:
    """Read back without compiling each pattern, an entry is still checked as a whole:
    damaged (valid JSON, valid shape, a broken pattern), it is parsed again and rewritten."""
    from mlkaizen.evidence.detectors import vocabulary

    shutil.rmtree(tmp_path / "cache" / "vocabulary", ignore_errors=True)
    first = vocabulary._loaded.__wrapped__()[0]
    (entry,) = (tmp_path / "cache" / "vocabulary").iterdir()
    entry.write_text(json.dumps({"step_kinds": {"train": ["(unclosed"]}}))
    again = vocabulary._loaded.__wrapped__()[0]
    assert again.step_patterns == first.step_patterns
    assert parses == ["<builtin>/vocabulary.yaml"] * 2
    assert "(unclosed" not in entry.read_text()


def test_step_patterns_are_checked_alone_as_a_part_and_all_together() -> None:
    from mlkaizen.evidence.detectors.vocabulary import VocabularyFile, _combines

    with pytest.raises(ValidationError, match="is not a regular expression"):
        VocabularyFile.model_validate({"step_kinds": {"train": ["(?i)fit"]}})  # flags inside
    one = VocabularyFile.model_validate({"step_kinds": {"train": ["(?P<tool>fit)"]}})
    two = VocabularyFile.model_validate({"step_kinds": {"train": ["(?P<tool>train)"]}})
    assert _combines([one]) is None and _combines([two]) is None
    clash = _combines([one, two])
    assert clash is not None and clash.startswith("the train step patterns do not compile")
