"""A SQLite store kept in the checkout (CI caches it there) is never reached through a link the
checkout committed: not on a folder of its path, not at the database, not at the files SQLite
keeps beside it. A path outside the working folder is the user's own, links and all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from mlkaizen.errors import MLKaizenError
from mlkaizen.store import open_store
from mlkaizen.store.db import SQLITE_FILES, sqlite_file
from tests.history.gitrepo import practice_history


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder of a CI job: the checked-out pull request."""
    root = tmp_path / "checkout"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the checkout with a file in it (the job's other state)."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "keep.txt").write_text("not the store's\n")
    return folder


def test_a_store_folder_linked_out_of_the_checkout_is_refused(checkout: Path,
                                                             elsewhere: Path) -> None:
    (checkout / ".mlkaizen").symlink_to(elsewhere)
    with pytest.raises(MLKaizenError) as caught:
        open_store("sqlite:///.mlkaizen/store.db")
    assert ("'.mlkaizen' is a symbolic link; refusing to write or read through it"
            in str(caught.value))
    assert _files(elsewhere) == {"keep.txt": b"not the store's\n"}  # no store.db, no -wal


@pytest.mark.parametrize("suffix", SQLITE_FILES)
@pytest.mark.parametrize("dangling", [False, True])
def test_a_link_at_the_database_or_beside_it_is_refused(checkout: Path, elsewhere: Path,
                                                        suffix: str, dangling: bool) -> None:
    (checkout / "state").mkdir()
    target = elsewhere / ("missing.db" if dangling else "keep.txt")
    (checkout / "state" / f"store.db{suffix}").symlink_to(target)
    with pytest.raises(MLKaizenError) as caught:
        open_store("sqlite:///state/store.db")
    message = str(caught.value)
    assert message.startswith("store sqlite:///state/store.db: state/store.db" + suffix + ": ")
    assert "is a symbolic link; refusing to write or read through it" in message
    assert "\n" not in message
    assert _files(elsewhere) == {"keep.txt": b"not the store's\n"}


def test_a_hard_link_or_a_fifo_where_the_database_goes_is_refused(checkout: Path,
                                                                  elsewhere: Path) -> None:
    os.link(elsewhere / "keep.txt", checkout / "store.db")
    with pytest.raises(MLKaizenError, match="has 2 hard links"):
        open_store("sqlite:///store.db")
    os.unlink(checkout / "store.db")
    os.mkfifo(checkout / "store.db-wal")
    with pytest.raises(MLKaizenError, match=r"store\.db-wal: is not a regular file"):
        open_store("sqlite:///store.db")
    assert _files(elsewhere) == {"keep.txt": b"not the store's\n"}


def test_the_environment_variable_is_checked_as_the_flag(checkout: Path, elsewhere: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (checkout / ".mlkaizen").symlink_to(elsewhere)
    monkeypatch.setenv("MLKAIZEN_DB", "sqlite:///.mlkaizen/store.db")
    with pytest.raises(MLKaizenError, match="symbolic link"):
        open_store()
    assert sorted(os.listdir(elsewhere)) == ["keep.txt"]


def test_a_real_folder_in_the_checkout_and_a_users_link_outside_it_are_used(
    checkout: Path, elsewhere: Path, tmp_path: Path
) -> None:
    store = open_store("sqlite:///.mlkaizen/store.db")  # created, folder and all
    with store.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        assert (checkout / ".mlkaizen" / "store.db").is_file()
        assert (checkout / ".mlkaizen" / "store.db-wal").is_file()
    store.close()
    link = tmp_path / "my-stores"  # outside the checkout: the user's own choice
    link.symlink_to(elsewhere)
    open_store(f"sqlite:///{link}/store.db").close()
    assert (elsewhere / "store.db").is_file()


def test_a_link_put_there_after_opening_is_refused_at_the_next_connection(
    checkout: Path, elsewhere: Path
) -> None:
    store = open_store("sqlite:///store.db")
    store.close()  # the last connection closed: SQLite removed its -wal and -shm
    assert not (checkout / "store.db-wal").exists()
    (checkout / "store.db-wal").symlink_to(elsewhere / "wal")
    with pytest.raises(MLKaizenError, match=r"store\.db-wal: is a symbolic link"), \
            store.session() as session:
        session.execute(text("SELECT 1"))
    assert sorted(os.listdir(elsewhere)) == ["keep.txt"]


def test_the_cli_refuses_a_linked_store_in_one_line_exit_2(checkout: Path,
                                                           elsewhere: Path) -> None:
    repo = checkout / "repo"
    practice_history(repo)
    (checkout / ".mlkaizen").symlink_to(elsewhere)
    proc = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "assess", "repo", "--save",
         "--db", "sqlite:///.mlkaizen/store.db"],
        capture_output=True, text=True, check=False, cwd=checkout)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "'.mlkaizen' is a symbolic link; refusing to write or read through it" in proc.stderr
    assert sorted(os.listdir(elsewhere)) == ["keep.txt"]


@pytest.mark.parametrize(("url", "file"), [
    ("sqlite:///rel/store.db", "rel/store.db"),
    ("sqlite:////abs/store.db?timeout=5", "/abs/store.db"),
    ("sqlite+pysqlite:///a.db", "a.db"),
    ("sqlite:///file:rel%20x.db?uri=true", "rel x.db"),
    ("sqlite:///file:///abs/y.db?uri=true", "/abs/y.db"),
    ("sqlite:///file://localhost/abs/z.db?uri=true", "/abs/z.db"),
    ("sqlite:///file:mem?mode=memory&uri=true", None),
    ("sqlite:///file:store.db", "file:store.db"),  # no uri=true: SQLite's very file name
    ("sqlite:///file:x.db?mode=ro", "file:x.db"),
    ("sqlite://", None),
    ("sqlite:///:memory:", None),
    ("postgresql+psycopg://u@host/store.db", None),
])
def test_the_database_file_of_a_url(url: str, file: str | None) -> None:
    assert sqlite_file(url) == file


def test_a_store_in_the_repository_is_checked_from_anywhere(tmp_path: Path, elsewhere: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".mlkaizen").symlink_to(elsewhere)
    monkeypatch.chdir(tmp_path / "elsewhere")  # the working folder is not above the repository
    url = f"sqlite:///{repo}/.mlkaizen/store.db"
    with pytest.raises(MLKaizenError, match=r"'\.mlkaizen' is a symbolic link"):
        open_store(url, root=repo)
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "log", str(repo), "--db", url],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "'.mlkaizen' is a symbolic link" in proc.stderr
    assert sorted(os.listdir(elsewhere)) == ["keep.txt"]
    open_store(url).close()  # the user's own path, when no repository is named: as given
    assert "store.db" in os.listdir(elsewhere)


def test_assess_save_checks_a_store_in_the_repository_from_anywhere(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("import sklearn\n")
    (repo / ".mlkaizen").symlink_to(elsewhere)
    monkeypatch.chdir(tmp_path / "elsewhere")
    url = f"sqlite:///{repo}/.mlkaizen/store.db"
    proc = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "assess", str(repo), "--save", "--db", url, "-q"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "'.mlkaizen' is a symbolic link" in proc.stderr
    assert sorted(os.listdir(elsewhere)) == ["keep.txt"]


@pytest.mark.parametrize("url", [
    "sqlite:///file:store.db",  # without uri=true SQLite opens the file named `file:store.db`
    "sqlite:///cachedir/../y.db",  # SQLite goes through `cachedir` before `..`
    "sqlite:///file:cachedir/../y.db?uri=true",
])
def test_the_file_sqlite_opens_is_the_file_checked(
    url: str, tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    (elsewhere / "deep").mkdir()
    checkout.mkdir()
    (checkout / "file:store.db").symlink_to(elsewhere / "victim.db")
    (checkout / "cachedir").symlink_to(elsewhere / "deep")
    monkeypatch.chdir(checkout)
    with pytest.raises(MLKaizenError):
        open_store(url)
    assert sorted(os.listdir(elsewhere)) == ["deep", "keep.txt"]
    assert os.listdir(elsewhere / "deep") == []
