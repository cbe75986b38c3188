"""The safe writer, the bounded reader, the quoting of names in generated files, and the
smaller guards (ASCII thresholds, plugins from the installed environment, a total parse
budget): exact behaviour, with the near misses that must still work."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.engine.compare import parse_threshold
from mlkaizen.errors import MLKaizenError
from mlkaizen.fixes import quoting
from mlkaizen.fsio.read import read_below, read_bytes, read_existing, read_text
from mlkaizen.fsio.write import write_text
from tests.conftest import MakeRepo


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


# --------------------------------------------------------------------------- writer
def test_writes_below_the_root_creating_folders(tmp_path: Path) -> None:
    write_text(tmp_path / "a" / "b" / "c.txt", "hé\n", root=tmp_path, inside=True)
    assert (tmp_path / "a" / "b" / "c.txt").read_text(encoding="utf-8") == "hé\n"
    assert leftovers(tmp_path) == []


def test_replaces_a_regular_file_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_text("old\n")
    target.chmod(0o750)
    write_text(target, "new\n", root=tmp_path)
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o750


@pytest.mark.parametrize("dangling", [True, False])
def test_refuses_a_link_at_the_target(tmp_path: Path, dangling: bool) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    victim = outside / "victim.txt"
    if not dangling:
        victim.write_text("keep\n")
    (root / "report.md").symlink_to(victim)
    with pytest.raises(MLKaizenError, match="is a symbolic link"):
        write_text(root / "report.md", "x", root=root)
    assert victim.exists() is not dangling and (dangling or victim.read_text() == "keep\n")
    assert leftovers(tmp_path) == []


def test_refuses_a_link_on_any_folder_of_the_path(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "a").mkdir(parents=True)
    outside.mkdir()
    (root / "a" / "b").symlink_to(outside)
    with pytest.raises(MLKaizenError, match="'b' is a symbolic link"):
        write_text(root / "a" / "b" / "c" / "x.json", "{}", root=root)
    assert list(outside.iterdir()) == []


def test_refuses_a_hard_link_and_special_files(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    os.link(outside, tmp_path / "linked.md")
    with pytest.raises(MLKaizenError, match="has 2 hard links"):
        write_text(tmp_path / "linked.md", "x", root=tmp_path)
    assert outside.read_text() == "keep\n"
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(MLKaizenError, match="not a regular file"):
        write_text(tmp_path / "fifo", "x", root=tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(MLKaizenError, match="is a directory where a file is expected"):
        write_text(tmp_path / "folder", "x", root=tmp_path)


def test_create_only_refuses_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("a: 1\n")
    with pytest.raises(MLKaizenError, match="exists"):
        write_text(tmp_path / "p.yaml", "b: 2\n", root=tmp_path, overwrite=False)
    assert (tmp_path / "p.yaml").read_text() == "a: 1\n"


def test_inside_refuses_a_path_that_leaves_the_root(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    with pytest.raises(MLKaizenError, match="outside the repository"):
        write_text(tmp_path / "repo" / ".." / "x", "x", root=tmp_path / "repo", inside=True)
    assert not (tmp_path / "x").exists()


def test_a_users_own_path_outside_the_repository_is_honoured(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    work, reports = tmp_path / "work", tmp_path / "reports"
    work.mkdir()
    reports.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "latest.md").symlink_to(reports / "report.md")  # the user's own link
    write_text(tmp_path / "latest.md", "r\n", root=work)
    assert (reports / "report.md").read_text() == "r\n"
    assert (tmp_path / "latest.md").is_symlink()


# --------------------------------------------------------------------------- reader
def test_reader_refuses_fifo_folder_and_size(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(MLKaizenError, match="config file is not a regular file"):
        read_bytes(tmp_path / "fifo", "config file")
    with pytest.raises(MLKaizenError, match="config file is a directory"):
        read_bytes(tmp_path, "config file")
    (tmp_path / "big").write_bytes(b"x" * 11)
    with pytest.raises(MLKaizenError, match="11 bytes, over the limit of 10"):
        read_bytes(tmp_path / "big", "config file", 10)
    assert read_bytes(tmp_path / "big", "config file", 11) == b"x" * 11
    with pytest.raises(MLKaizenError, match="config file not found"):
        read_bytes(tmp_path / "nope", "config file")


def test_reader_refuses_invalid_utf8_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"a: 1\nb: \xff\n")
    with pytest.raises(MLKaizenError) as info:
        read_text(tmp_path / "a.yaml", "profile")
    assert str(info.value) == f"{tmp_path / 'a.yaml'}:2: profile is not UTF-8 text"


def test_read_below_never_follows_links_and_never_calls_unreadable_absent(tmp_path: Path
                                                                          ) -> None:
    (tmp_path / "outside.txt").write_text("secret\n")
    root = tmp_path / "repo"
    (root / "d").mkdir(parents=True)
    (root / "d" / "ok.txt").write_text("fine\n")
    (root / "d" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (root / "bad.txt").write_bytes(b"\xff")
    assert read_below(root, "d/ok.txt") == "fine\n"
    assert read_below(root, "d/missing.txt") is None
    assert read_below(root, "missing/x.txt") is None
    with pytest.raises(MLKaizenError, match="symbolic link"):
        read_below(root, "d/link.txt")
    with pytest.raises(MLKaizenError, match="not UTF-8"):
        read_below(root, "bad.txt")


def test_read_existing_outside_the_anchors_follows_the_users_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "repo").mkdir()
    other = tmp_path.parent / f"{tmp_path.name}-answers.yaml"
    other.write_text("respondent: ann\n")
    try:
        assert read_existing(other, "answers file", tmp_path / "repo") == "respondent: ann\n"
    finally:
        other.unlink()
    assert read_existing(tmp_path / "repo" / "none.yaml", "answers", tmp_path / "repo") is None


# --------------------------------------------------------------------------- quoting
@pytest.mark.parametrize("name", ["train.py", "a b.py", "x$(touch PWNED).py", "it's.py", "ü.py"])
def test_shell_and_python_quoting_round_trip(name: str) -> None:
    import shlex

    assert shlex.split(quoting.sh(name, "script")) == [name]
    assert ast.literal_eval(quoting.py(name, "script")) == name
    doc = f'"""{quoting.py_doc(name + chr(34) * 3, "script")}"""'
    assert ast.literal_eval(doc) == name + '"""'


@pytest.mark.parametrize("name", ["a\nb", "a\rb", "a\x1bb", "a\u2028b", "a\udcffb", "a\u202eb"])
def test_control_characters_make_the_fix_refuse(name: str) -> None:
    with pytest.raises(MLKaizenError, match="contains a control character"):
        quoting.sh(name, "data folder")


def test_ci_expressions_are_refused_in_run_lines() -> None:
    with pytest.raises(MLKaizenError, match="CI expression"):
        quoting.sh("${{ secrets.TOKEN }}.py", "script")
    assert quoting.sh("${HOME}.py", "script") == "'${HOME}.py'"  # plain shell: quoted


@pytest.mark.parametrize(("ci", "name", "token", "label"), [
    ("azure-pipelines", "train$(Build.SourceVersionMessage).py", "$(", "Azure Pipelines"),
    ("azure-pipelines", "train$[variables.x].py", "$[", "Azure Pipelines"),
    ("azure-pipelines", "train${{ variables.x }}.py", "${{", "Azure Pipelines"),
    ("gitlab-ci", "train$[[ inputs.cmd ]].py", "$[[", "GitLab CI"),
    ("github-actions", "train${{ github.event.issue.title }}.py", "${{", "GitHub Actions"),
])
def test_what_each_ci_expands_is_refused_with_the_reason(
    ci: str, name: str, token: str, label: str
) -> None:
    for quote in (quoting.sh, quoting.ci_str):
        with pytest.raises(MLKaizenError) as caught:
            quote(name, "training script", ci)
        assert caught.value.message == (
            f"cannot write this fix safely: training script {name!r} contains the CI "
            f"expression `{token}`, which {label} expands before the shell runs; rename it or "
            "write the file by hand"
        )


@pytest.mark.parametrize(("ci", "name", "word"), [
    # near misses: what that CI leaves alone, POSIX-quoted for the shell
    ("azure-pipelines", "train$HOME.py", "'train$HOME.py'"),
    ("azure-pipelines", "train${HOME}.py", "'train${HOME}.py'"),
    ("azure-pipelines", "a (b) [c].py", "'a (b) [c].py'"),
    ("gitlab-ci", "train$(x).py", "'train$(x).py'"),
    ("gitlab-ci", "train$[x].py", "'train$[x].py'"),
    ("gitlab-ci", "train${{x}}.py", "'train${{x}}.py'"),
    ("github-actions", "train$(x)$[y].py", "'train$(x)$[y].py'"),
])
def test_what_a_ci_does_not_expand_is_only_quoted(ci: str, name: str, word: str) -> None:
    assert quoting.sh(name, "script", ci) == word


def test_identifiers_paths_and_markdown() -> None:
    assert quoting.identifier("pkg.serve", "module") == "pkg.serve"
    for bad in ("a-b", "class", "a;import os", "1x"):
        with pytest.raises(MLKaizenError, match="not a Python module name"):
            quoting.identifier(bad, "module")
    assert quoting.plain_path("requirements-dev.txt", "r") == "requirements-dev.txt"
    with pytest.raises(MLKaizenError, match="Dockerfile"):
        quoting.plain_path("$HOME/req.txt", "r")
    assert quoting.md_code("a`b", "x") == "``a`b``"
    assert quoting.md_code("`a", "x") == "`` `a ``"
    assert quoting.md_text("<img onerror=x>", "x") == r"\<img onerror=x\>"


# --------------------------------------------------------------------------- small guards
@pytest.mark.parametrize("spec", ["²", "1²", "data=²", "9" * 5000, "data=" + "1" * 5000])
def test_threshold_accepts_ascii_digits_only(spec: str) -> None:
    with pytest.raises(MLKaizenError, match="--fail-under"):
        parse_threshold(spec, ["A", "B", "C"], ["data"])


def test_threshold_near_misses_still_parse() -> None:
    assert parse_threshold("2", ["A", "B", "C"], ["data"]) == (2, {})
    assert parse_threshold(" data=3 ", ["A", "B", "C"], ["data"]) == (None, {"data": 3})


def test_plugins_never_come_from_the_working_folder(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from mlkaizen.entry_points import installed_entry_points

    dist = tmp_path / "evil-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[mlkaizen.detectors]\nevil = evil_mod\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", str(tmp_path), *sys.path])
    names = {ep.name for ep in installed_entry_points("mlkaizen.detectors")}
    assert names == {"acme"}  # the installed example plugin, not the planted one


def test_all_parses_share_one_budget(make_repo: MakeRepo) -> None:
    root = make_repo({f"m{i}.py": "import mlflow\nx = 1\n" for i in range(5)})
    a = assess(root, limits={"max_parse_seconds": 1e-9})
    assert a.scan is not None and a.scan.skipped.get("max_parse_seconds", 0) >= 4
    assert any("limit max_parse_seconds=1e-09 reached" in w.message for w in a.warnings)
    full = assess(root)
    assert full.scan is not None and "max_parse_seconds" not in full.scan.skipped


def test_devices_the_user_names_are_written_in_place(tmp_path: Path) -> None:
    write_text(Path("/dev/null"), "report\n", root=tmp_path)  # e.g. --out /dev/stdout
