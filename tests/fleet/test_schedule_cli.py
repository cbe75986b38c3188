"""`mlkaizen fleet schedule add|list|remove`: the manifest's text kept (the file may go),
refused entries shown at `add`, and bad input as one line with exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlkaizen.cli import main
from mlkaizen.fleet import manifest as manifest_module
from mlkaizen.store import accounts, schedules
from mlkaizen.store.db import open_store


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_and_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    manifest = tmp_path / "repos.txt"
    text = "/srv/repos/churn\next::sh -c true\n/srv/repos/fraud\n"
    manifest.write_text(text)
    refused = manifest_module.read_manifest(str(manifest), text).problems
    assert len(refused) == 1

    code, out, err = run(capsys, "fleet", "schedule", "add", "nightly", str(manifest),
                         "--cron", "0 3 * * *", "--workers", "3", "--db", db)
    assert code == 0, err
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == f"mlkaizen: {refused[0]}"  # the refused entry, shown now
    assert re.fullmatch(
        r"mlkaizen: schedule nightly: 2 repositories on '0 3 \* \* \*' \(UTC\), first at "
        r"\d{4}-\d\d-\d\d 03:00 UTC; `mlkaizen serve` \(or Celery beat\) starts its runs",
        lines[1])
    assert len(lines) == 2
    manifest.unlink()  # the schedule keeps the text, not the file

    store = open_store(db)
    try:
        s = schedules.get(store, "nightly")
        assert s is not None and s.manifest == text and s.options["workers"] == 3
        next_at = s.next_at
    finally:
        store.close()

    code, out, err = run(capsys, "fleet", "schedule", "list", "--db", db)
    assert (code, err) == (0, "")
    assert out == (
        "name     org      cron       next (UTC)        last run  executor  state\n"
        f"nightly  default  0 3 * * *  {next_at:%Y-%m-%d %H:%M}  -         local ×3  on\n"
    )
    code, out, err = run(capsys, "fleet", "schedule", "list", "--db", db, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [{k: r[k] for k in ("name", "org", "cron", "enabled", "next_at", "last_run",
                               "executor", "workers")} for r in rows] == [
        {"name": "nightly", "org": "default", "cron": "0 3 * * *", "enabled": True,
         "next_at": next_at.isoformat(), "last_run": None, "executor": "local", "workers": 3}]

    code, out, err = run(capsys, "fleet", "schedule", "remove", "nightly", "--db", db)
    assert (code, out) == (0, "")
    assert err == "mlkaizen: removed the schedule nightly; the runs it started stay\n"
    code, out, err = run(capsys, "fleet", "schedule", "list", "--db", db)
    assert out == "no schedules (add one with `mlkaizen fleet schedule add`)\n"
    assert json.loads(run(capsys, "fleet", "schedule", "list", "--db", db, "-f", "json")[1]) == []
    # near miss: removed twice
    code, out, err = run(capsys, "fleet", "schedule", "remove", "nightly", "--db", db)
    assert (code, out) == (2, "")
    assert err == ("mlkaizen: error: no schedule named 'nightly' (see `mlkaizen fleet schedule "
                   "list`)\n")


def test_a_schedule_of_an_organisation(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    manifest = tmp_path / "repos.txt"
    manifest.write_text("/srv/repos/churn\n")
    store = open_store(db)
    try:
        acme, _ = accounts.ensure_org(store, "acme")
    finally:
        store.close()
    code, _, err = run(capsys, "fleet", "schedule", "add", "weekly", str(manifest), "--cron",
                       "0 4 * * 1", "--org", "acme", "--executor", "celery", "--db", db, "-q")
    assert (code, err) == (0, "")
    store = open_store(db)
    try:
        assert schedules.get(store, "weekly") is None  # not the default organisation's
        s = schedules.get(store, "weekly", acme.id)
        assert s is not None and s.options["executor"] == "celery"
    finally:
        store.close()
    code, out, _ = run(capsys, "fleet", "schedule", "list", "--db", db, "--org", "acme")
    assert out.splitlines()[1].split()[:2] == ["weekly", "acme"]
    code, out, _ = run(capsys, "fleet", "schedule", "list", "--db", db, "--org", "default")
    assert out == "no schedules (add one with `mlkaizen fleet schedule add`)\n"
    code, _, err = run(capsys, "fleet", "schedule", "remove", "weekly", "--db", db)
    assert code == 2  # near miss: it is acme's, not the default organisation's


@pytest.mark.parametrize(("args", "message"), [
    (["--cron", "0 3 * *"], "cron '0 3 * *': 4 fields; expected five fields in UTC: minute "
     'hour day-of-month month day-of-week, e.g. "0 3 * * *"'),
    (["--cron", "0 3 * * * *"], "cron '0 3 * * * *': 6 fields; expected five fields in UTC: "
     'minute hour day-of-month month day-of-week, e.g. "0 3 * * *"'),
    (["--cron", "0 3 * * 9"], "cron '0 3 * * 9': bad day-of-week; expected five fields in "
     'UTC: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"'),
    (["--cron", "0 3 * * *", "--executor", "spark"], "--executor 'spark': expected local or "
     "celery"),
    (["--cron", "0 3 * * *", "--org", "nowhere"], "no organisation 'nowhere' (`mlkaizen user "
     "add NAME --org nowhere` creates it)"),
])
def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               args: list[str], message: str) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    manifest = tmp_path / "repos.txt"
    manifest.write_text("/srv/repos/churn\n")
    code, out, err = run(capsys, "fleet", "schedule", "add", "nightly", str(manifest), *args,
                         "--db", db)
    assert (code, out, err) == (2, "", f"mlkaizen: error: {message}\n")
    store = open_store(db)
    try:
        assert schedules.schedules(store) == []
    finally:
        store.close()


def test_a_manifest_missing_or_naming_nothing(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    code, out, err = run(capsys, "fleet", "schedule", "add", "nightly",
                         str(tmp_path / "gone.txt"), "--cron", "0 3 * * *", "--db", db)
    assert (code, out) == (2, "")
    assert err.startswith("mlkaizen: error: ") and "no such manifest file" in err
    assert err.count("\n") == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    code, out, err = run(capsys, "fleet", "schedule", "add", "nightly", str(empty), "--cron",
                         "0 3 * * *", "--db", db)
    assert code == 2 and "the manifest names no repository to assess" in err
    assert err.count("\n") == 1
    code, out, err = run(capsys, "fleet", "schedule", "add", "bad name", str(empty), "--cron",
                         "0 3 * * *", "--db", db)
    assert code == 2 and err.startswith("mlkaizen: error: schedule name 'bad name': ")


def test_disable_and_enable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    manifest = tmp_path / "repos.txt"
    manifest.write_text("/srv/repos/churn\n")
    assert run(capsys, "fleet", "schedule", "add", "nightly", str(manifest), "--cron",
               "0 3 * * *", "--db", db, "-q")[0] == 0
    code, out, err = run(capsys, "fleet", "schedule", "disable", "nightly", "--db", db)
    assert (code, out) == (0, "")
    assert err == ("mlkaizen: schedule nightly is off (`mlkaizen fleet schedule enable "
                   "nightly` turns it back on)\n")
    assert run(capsys, "fleet", "schedule", "list", "--db", db)[1].splitlines()[1].endswith(
        "off")
    code, out, err = run(capsys, "fleet", "schedule", "enable", "nightly", "--db", db)
    assert code == 0 and re.fullmatch(
        r"mlkaizen: schedule nightly is on; next at \d{4}-\d\d-\d\d 03:00 UTC\n", err)
    assert run(capsys, "fleet", "schedule", "list", "--db", db)[1].splitlines()[1].endswith("on")
    code, out, err = run(capsys, "fleet", "schedule", "enable", "weekly", "--db", db)
    assert (code, err) == (2, "mlkaizen: error: no schedule named 'weekly' (see `mlkaizen "
                              "fleet schedule list`)\n")


def test_relative_paths_are_read_from_the_manifests_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlkaizen.fleet.schedule import tick
    from mlkaizen.store.fleet import jobs

    db = f"sqlite:///{tmp_path / 'store.db'}"
    lists = tmp_path / "lists"
    (lists / "churn").mkdir(parents=True)
    manifest = lists / "repos.txt"
    manifest.write_text("churn\n")
    assert run(capsys, "fleet", "schedule", "add", "nightly", str(manifest), "--cron",
               "0 3 * * *", "--db", db, "-q")[0] == 0
    manifest.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the server runs in another folder
    store = open_store(db)
    try:
        s = schedules.get(store, "nightly")
        assert s is not None
        (run_id,) = tick(store, lambda run_id: None, now=s.next_at)
        assert [j.entry["location"] for j in jobs(store, run_id)] == [str(lists / "churn")]
    finally:
        store.close()
