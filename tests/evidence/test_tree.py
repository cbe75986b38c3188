"""The repository view: listing, ignoring, symlinks, special files, limits, bad bytes."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo


def kinds(tree: RepoTree) -> set[str]:
    return {w.values["kind"] for w in tree.warnings}


def test_walk_honours_gitignore_and_prunes_vendored(make_repo: MakeRepo) -> None:
    root = make_repo({
        ".gitignore": "*.log\nbuild/\n!keep.log\n",
        "src/a.py": "", "run.log": "", "keep.log": "", "build/x.py": "",
        "node_modules/pkg/index.js": "", ".venv/lib/x.py": "",
        "sub/.gitignore": "secret.txt\n", "sub/secret.txt": "", "sub/ok.txt": "",
    })
    tree = RepoTree(root)
    assert tree.listing == "walk"
    assert tree.files == [".gitignore", "keep.log", "src/a.py", "sub/.gitignore", "sub/ok.txt"]


def test_git_listing_includes_untracked_but_not_ignored(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "*.log\n", "tracked.py": "", "run.log": ""}, git=True)
    (root / "untracked.py").write_text("")
    tree = RepoTree(root)
    assert tree.listing == "git"
    assert tree.files == [".gitignore", "tracked.py", "untracked.py"]


def test_git_listing_of_a_subfolder_is_relative_to_it(make_repo: MakeRepo) -> None:
    root = make_repo({"svc/a.py": "", "other/b.py": ""}, git=True)
    tree = RepoTree(root / "svc")
    assert tree.files == ["a.py"]


def test_symlinks_out_of_root_and_loops_are_not_followed(make_repo: MakeRepo,
                                                         tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = make_repo({"inside.txt": "ok"})
    (root / "to_outside.txt").symlink_to(outside)
    (root / "to_passwd").symlink_to("/etc/passwd")
    (root / "loop_a").symlink_to(root / "loop_b")
    (root / "loop_b").symlink_to(root / "loop_a")
    (root / "dangling").symlink_to(root / "missing")
    (root / "to_inside.txt").symlink_to(root / "inside.txt")
    (root / "up").symlink_to(tmp_path)
    tree = RepoTree(root)
    assert tree.files == ["inside.txt", "to_inside.txt"]
    assert {"symlink"} <= kinds(tree)
    assert tree.skipped["symlink_outside_root"] == 3  # file, /etc/passwd and the directory
    assert tree.skipped["broken_symlink"] == 3


def _swap_folder_for_link(folder: Path, target: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(target)


@pytest.mark.parametrize("git", [False, True])
def test_a_folder_swapped_for_a_link_after_the_listing_is_not_read_through(
    make_repo: MakeRepo, tmp_path: Path, git: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "dvc.yaml").write_text("secret: outside\n")
    (outside / "inner.yaml").write_text("secret: outside\n")
    root = make_repo({"cfg/dvc.yaml": "stages: {}\n", "keep/inner.yaml": "a: 1\n"}, git=git)
    tree = RepoTree(root)
    assert tree.files == ["cfg/dvc.yaml", "keep/inner.yaml"]
    _swap_folder_for_link(root / "cfg", outside)  # after the listing, before the read
    opened: list[str] = []
    real_open = os.open

    def spying(path: str, *args: object, **kwargs: object) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spying)
    (root / "keep" / "new").write_text("b: 2\n")
    os.replace(root / "keep" / "new", root / "keep" / "inner.yaml")  # a new file: read
    assert tree.text("cfg/dvc.yaml") is None
    assert tree.text("keep/inner.yaml") == "b: 2\n"
    assert tree.skipped["symlink_outside_root"] == 1
    assert [w.file for w in tree.warnings] == ["cfg/dvc.yaml"]
    assert tree.warnings[0].detail == "path leads outside the scanned root; not read"
    assert opened == [str(root / "keep" / "inner.yaml")]  # nothing outside is even opened


def test_a_file_replaced_by_a_link_after_the_listing_is_not_followed_out(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("token: abc\n")
    root = make_repo({"a.yaml": "a: 1\n", "b.yaml": "b: 1\n"})
    tree = RepoTree(root)
    (root / "a.yaml").unlink()
    (root / "a.yaml").symlink_to(secret)
    (root / "b.yaml").unlink()
    (root / "b.yaml").symlink_to(root / "c.yaml")  # a link inside the root is read
    (root / "c.yaml").write_text("c: 1\n")
    assert tree.text("a.yaml") is None
    assert tree.text("b.yaml") == "c: 1\n"
    assert tree.skipped["symlink_outside_root"] == 1


def test_a_listed_regular_file_is_read_without_resolving_its_path(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast way: opened, then checked to be the file listed; the slow way (resolving
    every folder of the path) only for files the listing did not see as regular files."""
    root = make_repo({"deep/er/still/a.py": "import os\n", "b.py": "x = 1\n"})
    (root / "link.py").symlink_to(root / "b.py")
    tree = RepoTree(root)
    resolved: list[str] = []
    real = os.path.realpath

    def counting(path: str, *args: object, **kwargs: object) -> str:
        resolved.append(os.path.relpath(path, root))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os.path, "realpath", counting)
    assert tree.text("deep/er/still/a.py") == "import os\n"
    assert tree.text("b.py") == "x = 1\n"
    assert resolved == []
    assert tree.text("link.py") == "x = 1\n"
    assert resolved == ["link.py"]


def test_fifo_and_socket_are_skipped_without_blocking(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": ""})
    os.mkfifo(root / "pipe.yaml")
    with tempfile.TemporaryDirectory() as short:  # socket paths must be short
        sock_path = Path(short) / "s.sock"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(sock_path))
        (root / "link.sock").symlink_to(sock_path)  # outside: also not followed
        tree = RepoTree(root)
        sock.close()
    assert tree.files == ["a.py"]
    assert "special" in kinds(tree)


def test_size_limit_is_reported_and_file_not_read(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": "x: 1\n" * 1000})
    tree = RepoTree(root, ScanLimits(max_file_bytes=100))
    assert tree.text("params.yaml") is None
    assert tree.skipped["too_large"] == 1
    warning = next(w for w in tree.warnings if w.values["kind"] == "limit")
    assert warning.file == "params.yaml" and "max_file_bytes" in warning.detail


def test_sparse_huge_file_is_not_read(make_repo: MakeRepo) -> None:
    root = make_repo({})
    with open(root / "big.py", "wb") as fh:
        fh.truncate(1 << 30)
    tree = RepoTree(root)
    assert tree.python("big.py") is None
    assert tree.bytes_read == 0


def test_undecodable_bytes_warn_with_line_and_keep_text(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": b"import mlflow\n# caf\xe9\nmlflow.log_metric('a', 1)\n"})
    tree = RepoTree(root)
    text = tree.text("train.py")
    assert text is not None and "mlflow.log_metric" in text
    warning = next(w for w in tree.warnings if w.values["kind"] == "encoding")
    assert warning.line == 2


def test_binary_files_are_skipped(make_repo: MakeRepo) -> None:
    root = make_repo({"model.py": b"\x00\x01binary"})
    tree = RepoTree(root)
    assert tree.text("model.py") is None
    assert tree.skipped["binary"] == 1


def test_each_file_is_read_once(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "import mlflow\n"})
    tree = RepoTree(root)
    tree.text("a.py")
    tree.python("a.py")
    tree.importing({"mlflow"})
    assert tree.files_read == 1


def test_malformed_files_become_parse_warnings(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.parse.dockerfile import parse_dockerfile
    from mlkaizen.evidence.parse.structured import load_json, load_toml
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    root = make_repo({
        "bad.yaml": "a: [1, 2\nb: c\n", "pyproject.toml": "[project\nname = 1\n",
        "d.json": '{"a": }', "Dockerfile": "FROM x\nBOGUS y\n", "nb.ipynb": "{not json",
        "broken.py": "def f(:\n",
    })
    tree = RepoTree(root)
    assert tree.parsed("bad.yaml", "yaml", load_yaml_documents) is None
    assert tree.parsed("pyproject.toml", "toml", load_toml) is None
    assert tree.parsed("d.json", "json", load_json) is None
    assert tree.parsed("Dockerfile", "dockerfile", parse_dockerfile) is None
    assert tree.python("nb.ipynb") is None
    assert tree.python("broken.py") is None
    lines = {w.file: w.line for w in tree.warnings if w.values["kind"] == "parse"}
    assert lines["bad.yaml"] == 2
    assert lines["pyproject.toml"] == 1
    assert lines["Dockerfile"] == 2
    assert lines["broken.py"] == 1
    assert set(lines) == {"bad.yaml", "pyproject.toml", "d.json", "Dockerfile", "nb.ipynb",
                          "broken.py"}


def test_missing_path_and_file_path_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(MLKaizenError, match="does not exist"):
        RepoTree(tmp_path / "nope")
    (tmp_path / "f").write_text("")
    with pytest.raises(MLKaizenError, match="not a directory"):
        RepoTree(tmp_path / "f")


def test_scan_never_writes_to_the_tree(make_repo: MakeRepo) -> None:
    from mlkaizen.api import assess

    root = make_repo({"a.py": "import mlflow\nmlflow.log_metric('a', 1)\n",
                      "dvc.yaml": "stages: {}\n", ".gitignore": "x\n"}, git=True)

    def snapshot() -> dict[str, str]:
        out = {}
        for dirpath, _, names in os.walk(root):
            for name in names:
                p = Path(dirpath) / name
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
        return out

    before = snapshot()
    assess(root)
    assert snapshot() == before


def test_unreadable_file_is_a_warning_not_a_crash() -> None:
    """Mode-000 file and folder. As root, the scan runs without the capabilities that let
    root read anything (``setpriv``), so the permission check is real."""
    base = Path(tempfile.mkdtemp(prefix="mlk-unreadable-"))
    try:
        base.chmod(0o755)
        (base / "params.yaml").write_text("a: 1\n")
        (base / "params.yaml").chmod(0o000)
        (base / "locked").mkdir()
        (base / "locked" / "x.py").write_text("")
        (base / "locked").chmod(0o000)
        code = ("import sys, json; from mlkaizen.evidence.tree import RepoTree; "
                "t = RepoTree(__import__('pathlib').Path(sys.argv[1])); t.text('params.yaml'); "
                "print(json.dumps(sorted({w.values['kind'] for w in t.warnings})))")
        prefix = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
        src = str(Path(__file__).resolve().parents[2] / "src")
        proc = subprocess.run([*prefix, sys.executable, "-c", code, str(base)],
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": src}, check=False)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == '["unreadable"]'
    finally:
        (base / "locked").chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def test_folder_ignored_by_the_enclosing_repo_is_walked(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "vendor/\n", "vendor/proj/train.py": ""}, git=True)
    tree = RepoTree(root / "vendor" / "proj")
    assert tree.listing == "walk" and tree.files == ["train.py"]


def test_deeper_gitignore_can_unignore(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "*.csv\n", "data/.gitignore": "!keep.csv\n",
                      "data/keep.csv": "", "data/drop.csv": ""})
    assert RepoTree(root).files == [".gitignore", "data/.gitignore", "data/keep.csv"]


def test_pathological_gitignore_patterns_stay_fast(make_repo: MakeRepo) -> None:
    import time

    long_name = "a" * 200
    root = make_repo({
        ".gitignore": "*a*a*a*a*a*a*a*a*b\n" + "**/" * 40 + "x\n" + "y" * 5000 + "\n",
        f"{long_name}/{long_name}.py": "",
    })
    start = time.perf_counter()
    tree = RepoTree(root)
    assert time.perf_counter() - start < 5
    assert f"{long_name}/{long_name}.py" in tree.files
    assert any("over 1000 characters" in w.detail for w in tree.warnings)


_SELECTION_FILES = [
    "a.yml", "b.YML", "c.yaml", ".yml", "dir.yml/inner", "dir.yml/inner.txt", "noext",
    "deep/x/y/z.Yml", "pkg.tar.gz", "pkg.gz", "train.py", "nb.IPYNB", "notebooks/a.ipynb",
    "weird.yml.bak", "docs/README.md", "Dockerfile", "infra/main.tf", "infra/main.tf.json",
    ".dvc/config", "sub/.dvc/config", "x.dvc/config.bak", "İ.yml",
    "ops/grafana/provisioning/a.yml", "grafana-x/provisioning", "data/README.md",
    "datasets/README", "a/data/README.rst", "x/a[b", "conf/x.yml", "b", "z", "a*b",
]


@pytest.mark.parametrize("suffixes", [
    (".yml",), (".yml", ".yaml"), (".py", ".ipynb"), (".gz",), (".tar.gz",), ("dockerfile",),
    (".YML",), (".tf", ".json"), (".md", ".rst"), (".nothing",), (".yml", ".yml"),
])
def test_with_suffix_by_extension_index_selects_what_endswith_does(
    tmp_path: Path, suffixes: tuple[str, ...]
) -> None:
    for rel in _SELECTION_FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    tree = RepoTree(tmp_path)
    wanted = tuple(s.lower() for s in suffixes)
    assert tree.with_suffix(*suffixes) == [f for f in tree.files if f.lower().endswith(wanted)]


@pytest.mark.parametrize("patterns", [
    (".dvc/config", "*/.dvc/config"), ("*.tf",), ("infra/*",), ("*.[ty]ml",), ("*.y?l",),
    ("*",), ("*/inner*",), ("*config*",), ("notebooks/[ab].ipynb", "*.md"), ("*]",),
    ("*.YML",), ("*.yml",), ("*/inner.txt", "*.py"), ("x.dvc/config.bak",), ("*/z.Yml",),
    ("*.gz", "*/.dvc/config"), ("Dockerfile",), ("*/",),
    ("*grafana*/provisioning/*",), ("data/README*", "*/data/README*", "datasets/README*"),
    ("*[!x]ml",), ("*a[b",), ("*in?er*",), ("*x.dvc*",), ("*[/]provisioning*",),
    ("*con[f]/*.yml", "*[]*"), ("*.y?l", "*data*"), ("[*ab*]",), ("[?xyz?]",),
    ("*.[!*conf*]ml",), ("*a[*]b",),
])
def test_glob_prefilter_selects_what_the_pattern_does(tmp_path: Path,
                                                      patterns: tuple[str, ...]) -> None:
    import fnmatch
    import re

    for rel in _SELECTION_FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    tree = RepoTree(tmp_path)
    match = re.compile("|".join(fnmatch.translate(p) for p in patterns)).match
    assert tree.glob(*patterns) == [f for f in tree.files if match(f)]


def test_a_sub_project_keeps_a_path_listed_twice_in_its_globs(tmp_path: Path) -> None:
    """A sub-project sees the repository's shared files beside its own: a root
    ``.dvc/config`` and ``proj/.dvc/config`` are both ``.dvc/config`` there."""
    import fnmatch
    import re

    from mlkaizen.evidence.tree import SubTree

    for rel in (".dvc/config", "proj/.dvc/config", "proj/params.yaml", "params.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    sub = SubTree(RepoTree(tmp_path), "proj", [".dvc/config", "params.yaml"])
    for patterns in ((".dvc/config", "*/.dvc/config"), ("*.yaml",), ("params.yaml",)):
        match = re.compile("|".join(fnmatch.translate(p) for p in patterns)).match
        expected = [f for f in sub.files if match(f)]
        assert len(expected) == 2, patterns
        assert sub.glob(*patterns) == expected, patterns


_GLOB_CHARS = "ab/.*?[]!-"


@settings(max_examples=1500, deadline=None)
@given(st.text(_GLOB_CHARS, max_size=8), st.lists(st.text("ab/.[]!-*?", max_size=8),
                                                   min_size=1, max_size=5))
def test_a_match_always_holds_the_patterns_literal_piece(pattern: str,
                                                         paths: list[str]) -> None:
    """The glob prefilter never hides a match: whatever ``fnmatch`` matches contains the
    pattern's longest bracket-free piece."""
    import fnmatch
    import re

    from mlkaizen.evidence.tree import _literal_piece

    match = re.compile(fnmatch.translate(pattern)).match
    piece = _literal_piece(pattern)
    filled = pattern.replace("*", "ab/").replace("?", "a")  # a path it likely matches
    for path in [*paths, pattern, filled]:
        if match(path):
            assert piece in path, (pattern, path, piece)


@settings(max_examples=1500, deadline=None)
@given(st.text("aJINjtmplK2.\u0130\u212a\u03a3/", max_size=12))
def test_the_template_name_prefilter_never_misses_a_template(name: str) -> None:
    """Lower-casing the end of a name gives the end of the lower-cased name (a letter never
    shrinks when lower-cased): testing the end alone finds every template."""
    from mlkaizen.evidence.tree import TEMPLATE_SUFFIXES

    longest = max(map(len, TEMPLATE_SUFFIXES))
    assert name[-longest:].lower().endswith(TEMPLATE_SUFFIXES) == any(
        name.lower().endswith(s) for s in TEMPLATE_SUFFIXES
    )
