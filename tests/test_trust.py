"""Rules the scanned repository cannot choose: the catalogue it is judged by, and the files its
config may name; gates always say which catalogue they judged against."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlkaizen.api import assess_judged
from mlkaizen.catalogue.loader import builtin_path, load_catalogue
from mlkaizen.config import Config
from mlkaizen.errors import MLKaizenError
from mlkaizen.trust import MAX_REFERENCED_BYTES, choose_catalogue, read_inside

TRAIN = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"
BUILTIN = load_catalogue()
LABEL = f"catalogue {BUILTIN.id} {BUILTIN.version}"


def lenient() -> str:
    data = yaml.safe_load(builtin_path().read_text(encoding="utf-8"))
    for stage in data["stages"]:
        stage["requires"] = {}
    data["id"], data["version"] = "lenient", "9"
    return yaml.safe_dump(data, sort_keys=False)


def repo(tmp_path: Path, config: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "train.py").write_text(TRAIN)
    (root / ".mlkaizen.yaml").write_text(config)
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False)


# --------------------------------------------------------------------------- the policy
def test_a_catalogue_file_named_by_the_repository_is_refused(tmp_path: Path) -> None:
    root = repo(tmp_path, "scope: .\ncatalogue: rules.yaml\n", {"rules.yaml": lenient()})
    with pytest.raises(MLKaizenError) as err:
        assess_judged(root)
    assert err.value.path == str(root / ".mlkaizen.yaml") and err.value.line == 2
    assert err.value.message.startswith(
        "catalogue: 'rules.yaml' is not a built-in or installed catalogue id; a repository "
        "cannot choose the rules it is judged by (use --catalogue, or --allow-repo-catalogue")


def test_pyproject_config_is_the_repository_s_too(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.mlkaizen]\ncatalogue = "rules.yaml"\n')
    (root / "rules.yaml").write_text(lenient())
    with pytest.raises(MLKaizenError, match="cannot choose the rules"):
        assess_judged(root)


@pytest.mark.parametrize("name", [BUILTIN.id, "acme-mlops"])
def test_built_in_and_installed_ids_stay_allowed(tmp_path: Path, name: str) -> None:
    root = repo(tmp_path, f"catalogue: {name}\n")  # near miss: an id, not a file
    assessment, chosen = assess_judged(root)
    assert chosen.from_repository is None and chosen.catalogue.id == name
    assert assessment.catalogue["id"] == name
    assert not any(w.kind == "catalogue" for w in assessment.warnings)


def test_allowed_repository_catalogue_is_used_and_named(tmp_path: Path) -> None:
    root = repo(tmp_path, "catalogue: cfg/rules.yaml\n", {"cfg/rules.yaml": lenient()})
    assessment, chosen = assess_judged(root, allow_repo_catalogue=True)
    assert chosen.from_repository == "cfg/rules.yaml"
    assert chosen.label == ("catalogue lenient 9 from the repository's cfg/rules.yaml "
                            "(--allow-repo-catalogue)")
    assert {k: assessment.catalogue[k] for k in ("id", "version")} == {
        "id": "lenient", "version": "9"}
    assert [w.message for w in assessment.warnings if w.kind == "catalogue"] == [
        f"judged against the {chosen.label}"]


def test_the_caller_s_choice_wins_over_the_repository_s(tmp_path: Path) -> None:
    root = repo(tmp_path, "catalogue: rules.yaml\n", {"rules.yaml": lenient()})
    _, chosen = assess_judged(root, catalogue=BUILTIN.id)
    assert chosen.catalogue.id == BUILTIN.id and chosen.from_repository is None


def test_the_user_s_own_config_outside_the_tree_may_name_a_file(tmp_path: Path) -> None:
    root = repo(tmp_path, "")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "rules.yaml").write_text(lenient())
    config = Config(catalogue=str(mine / "rules.yaml"), source=str(mine / "config.yaml"))
    chosen = choose_catalogue(None, config, root)
    assert chosen.catalogue.id == "lenient" and chosen.from_repository is None


# --------------------------------------------------------------------------- read_inside
@pytest.mark.parametrize(("ref", "why"), [
    ("../x.yaml", "must be a relative path inside the repository (no '..')"),
    ("a/../../x.yaml", "must be a relative path inside the repository (no '..')"),
    ("/etc/passwd", "must be a relative path inside the repository"),
    ("/dev/zero", "must be a relative path inside the repository"),
    ("C:/x.yaml", "must be a relative path inside the repository"),
    ("", "must be a relative path inside the repository"),
    ("./.", "must be a relative path inside the repository (no '..')"),
    ("missing.yaml", "does not exist in the repository"),
    ("plain.yaml/x", "does not exist in the repository"),
    ("link/rules.yaml", "is reached through a symbolic link; links are not followed"),
    ("rules-link.yaml", "is reached through a symbolic link; links are not followed"),
    ("fifo.yaml", "is not a regular file"),
    ("folder", "is not a regular file"),
    ("big.yaml", f"is larger than {MAX_REFERENCED_BYTES:,} bytes"),
    ("latin1.yaml", "is not UTF-8 text"),
])
def test_read_inside_refuses(tmp_path: Path, ref: str, why: str) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "folder").mkdir(parents=True)
    outside.mkdir()
    (outside / "rules.yaml").write_text("x: 1\n")
    (root / "plain.yaml").write_text("x: 1\n")
    (root / "link").symlink_to(outside)
    (root / "rules-link.yaml").symlink_to(outside / "rules.yaml")
    os.mkfifo(root / "fifo.yaml")
    with open(root / "big.yaml", "wb") as fh:
        fh.truncate(MAX_REFERENCED_BYTES + 1)
    (root / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(MLKaizenError) as err:
        read_inside(root, ref, "catalogue", "cfg.yaml", 3)
    assert str(err.value) == f"cfg.yaml:3: catalogue: {ref!r} {why}"


def test_read_inside_reads_a_regular_file_at_the_limit(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.yaml").write_text("\ufeffa: 1\n")
    assert read_inside(tmp_path, "./sub/ok.yaml", "catalogue", "cfg") == "a: 1\n"
    (tmp_path / "edge.yaml").write_bytes(b"#" * MAX_REFERENCED_BYTES)
    assert len(read_inside(tmp_path, "edge.yaml", "catalogue", "cfg")) == MAX_REFERENCED_BYTES


# --------------------------------------------------------------------------- the CLI and gates
def test_cli_refuses_a_repository_catalogue_and_passes_the_gate_only_when_allowed(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, "catalogue: rules.yaml\n", {"rules.yaml": lenient()})
    refused = cli("assess", str(root), "--fail-under", "Kaizen MLOps")
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"mlkaizen: error: {root / '.mlkaizen.yaml'}:1: catalogue:")
    allowed = cli("assess", str(root), "--fail-under", "Kaizen MLOps", "--allow-repo-catalogue",
                  "-f", "json")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stderr == ("mlkaizen: gate passed [catalogue lenient 9 from the "
                              "repository's rules.yaml (--allow-repo-catalogue)]\n")


def test_gate_lines_name_the_catalogue(tmp_path: Path) -> None:
    root = repo(tmp_path, "not_applicable: {}\n")
    failed = cli("assess", str(root), "--fail-under", "Kaizen MLOps", "-f", "json")
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert lines and all(line.startswith("mlkaizen: gate failed: ") for line in lines)
    assert all(line.endswith(f" [{LABEL}]") for line in lines)
    passed = cli("assess", str(root), "--fail-under", "Ad hoc", "-f", "json")
    assert passed.returncode == 0 and passed.stderr == f"mlkaizen: gate passed [{LABEL}]\n"
    no_gate = cli("assess", str(root), "-f", "json")  # near miss: no gate asked, nothing said
    assert no_gate.returncode == 0 and no_gate.stderr == ""


@pytest.mark.parametrize("command", [["badge", "-o", "b.svg"], ["baseline", "save"]])
def test_badge_and_baseline_save_follow_the_same_rule(tmp_path: Path,
                                                     command: list[str]) -> None:
    root = repo(tmp_path, "catalogue: rules.yaml\n", {"rules.yaml": lenient()})
    out = [str(tmp_path / a) if a.endswith(".svg") else a for a in command[1:]]
    refused = cli(command[0], *([] if command[0] == "badge" else [command[1]]), str(root),
                  *(out if command[0] == "badge" else []))
    assert refused.returncode == 2 and "cannot choose the rules" in refused.stderr
    allowed = cli(command[0], *([] if command[0] == "badge" else [command[1]]), str(root),
                  *(out if command[0] == "badge" else []), "--allow-repo-catalogue")
    assert allowed.returncode == 0, allowed.stderr
