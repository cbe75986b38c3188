"""Every command that takes a PATH stays inside the root it names: a link below the working
folder or a git repository on the way to PATH that leads out of it is refused, as `--scope`
refuses it; a link the user names outside both is followed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mlkaizen.cli import main
from tests.history.gitrepo import fingerprint

TRAIN = "import mlflow\nmlflow.log_metric('auc', 0.9)\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err


@pytest.fixture
def linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout (the working folder, a git repository) whose committed ``services`` is a
    link to a folder outside it; returns that outside folder."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (outside / "fraud").mkdir(parents=True)
    (outside / "fraud" / "train.py").write_text(TRAIN)
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "services").symlink_to("../outside")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("MLKAIZEN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    return outside


REFUSED = (
    "mlkaizen: error: services/fraud: services is a link that leads out of the working "
    "folder; not followed (give the folder it points to if you mean it)\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["assess", "services/fraud"],
        ["history", "services/fraud"],
        ["baseline", "save", "services/fraud"],
        ["fix", "data.versioned", "services/fraud"],
        ["fix", "data.versioned", "--path", "services/fraud"],
        ["fix", "--list", "services/fraud"],
        ["fix", "services/fraud"],
        ["badge", "services/fraud", "--out", "badge.svg"],
        ["map", "services/fraud"],
        ["target", "services/fraud"],
        ["survey", "services/fraud", "--respondent", "ann"],
        ["explain", "data.versioned", "services/fraud"],
        ["diff", "HEAD", "HEAD", "--path", "services/fraud"],
        ["log", "services/fraud"],
        ["plan", "list", "--path", "services/fraud"],
        ["plan", "stats", "--path", "services/fraud"],
        ["plan", "add", "data.versioned", "--owner", "ann", "--due", "2999-01-01",
         "--path", "services/fraud"],
    ],
)
def test_a_committed_link_in_path_is_refused_by_every_command(
    linked: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(linked)
    code, err = run(args, capsys)
    assert (code, err) == (2, REFUSED)
    assert fingerprint(linked) == before  # nothing written through the link
    assert not Path("badge.svg").exists()


def test_a_link_reached_through_dot_dot_is_refused(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["assess", "./services/../services/fraud"], capsys)
    assert code == 2
    assert err.startswith("mlkaizen: error: services/../services/fraud: services is a link")


def test_an_absolute_path_into_a_repository_is_refused_from_anywhere(
    linked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = tmp_path / "repo" / "services" / "fraud"
    code, err = run(["assess", str(target)], capsys)
    assert (code, err) == (
        2,
        f"mlkaizen: error: {target}: services is a link that leads out of its repository; "
        "not followed (give the folder it points to if you mean it)\n",
    )


def test_the_folder_a_link_points_to_is_assessed_when_named(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["assess", "../outside/fraud", "-f", "json"], capsys)
    assert (code, err) == (0, "")


def test_a_link_that_stays_inside_the_repository_is_followed(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("v2").mkdir()
    Path("v2/train.py").write_text(TRAIN)
    Path("current").symlink_to("v2")
    code, _ = run(["assess", "current", "-f", "json"], capsys)
    assert code == 0


def test_a_link_the_user_names_outside_any_repository_is_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, elsewhere = tmp_path / "data" / "v3", tmp_path / "elsewhere"
    data.mkdir(parents=True)
    (data / "train.py").write_text(TRAIN)
    elsewhere.mkdir()
    (tmp_path / "current").symlink_to(data)
    monkeypatch.chdir(elsewhere)
    code, err = run(["assess", str(tmp_path / "current"), "-f", "json"], capsys)
    assert (code, err) == (0, "")
    assert not os.path.lexists(tmp_path / ".git")  # outside any repository: the user's choice
