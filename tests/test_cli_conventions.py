"""The conventions a command-line user expects, on every command: ``-h``, ``-o -`` for
standard output, ``NO_COLOR``/``FORCE_COLOR`` and the terminal's width, ``-q``, counts that
agree with their noun, PATH as a positional argument, and one way of reading the repository's
config (the same flags and the same refusals)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.cli import main
from tests.conftest import EXAMPLE, committed_repo


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR", "TERM")}
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, cwd=cwd, check=False, env={**base, **(env or {})},
                          input=stdin)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``mlkaizen ARGS`` in this process: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def every_command() -> list[list[str]]:
    from typer.core import TyperGroup as Group
    from typer.main import get_command

    from mlkaizen.cli import load_app

    found: list[list[str]] = []

    def walk(group: Group, prefix: list[str]) -> None:
        for name, cmd in sorted(group.commands.items()):
            if isinstance(cmd, Group):
                found.append([*prefix, name])
                walk(cmd, [*prefix, name])
            elif not cmd.hidden:
                found.append([*prefix, name])

    walk(get_command(load_app()), [])  # type: ignore[arg-type]
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The bundled example, committed (history needs a commit)."""
    dest = tmp_path / "churn-prediction"
    shutil.copytree(EXAMPLE, dest)
    files = {str(p.relative_to(dest)): p.read_text() for p in dest.rglob("*") if p.is_file()}
    return committed_repo(dest, files)


# --- -h -----------------------------------------------------------------------------------


def test_every_command_is_listed() -> None:
    names = {" ".join(c) for c in every_command()}
    assert {"assess", "history", "plan", "plan add", "model docs", "baseline save", "diff",
            "survey", "map", "target"} <= names


@pytest.mark.parametrize("command", [[], *every_command()], ids=lambda c: " ".join(c) or "-")
def test_dash_h_is_help_on_every_command(command: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*command, "-h"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(" ".join(["Usage: mlkaizen", *command]).rstrip() + " ")
    assert "-h, --help" in out
    assert run([*command, "--help"], capsys)[1] == out


# --- -o - ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["assess", "{repo}", "-f", "json"], "{"),
        (["assess", "{repo}", "-f", "markdown"], "## MLKaizen"),
        (["badge", "{repo}"], "<svg"),
        (["map", "{repo}", "-f", "csv"], "subject,"),
        (["history", "{repo}", "-f", "json"], "{"),
        (["baseline", "save", "{repo}"], "{"),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else "",
)
def test_dash_out_is_standard_output(args: list[str], start: str, repo: Path,
                                     tmp_path: Path) -> None:
    here = tmp_path / "here"
    here.mkdir()
    argv = [a.replace("{repo}", str(repo)) for a in args]
    proc = cli(*argv, "-o", "-", cwd=here)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(start), proc.stdout[:200]
    assert "wrote" not in proc.stderr
    assert list(here.iterdir()) == []  # no file named "-"
    assert not (repo / "-").exists()


def test_dash_out_is_standard_output_for_the_stored_baseline_too(repo: Path,
                                                                 tmp_path: Path) -> None:
    proc = cli("baseline", "save", str(repo), "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0
    assert '"baseline_version": 1' in proc.stdout
    assert not (repo / ".mlkaizen" / "baseline.json").exists()  # printed, not written


def test_a_real_file_is_still_written_and_confirmed(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = cli("assess", str(repo), "-f", "json", "-o", str(out))
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr == f"mlkaizen: wrote {out} (json)\n"
    assert out.read_text().startswith("{")


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["survey", "{repo}", "--respondent", "ann"],
         "the survey saves its answers file after every answer"),
        (["profile"], "the profile's questions are asked on standard output"),
    ],
    ids=["survey", "profile"],
)
def test_dash_out_is_refused_where_a_file_is_needed(args: list[str], why: str, repo: Path,
                                                    tmp_path: Path) -> None:
    proc = cli(*[a.replace("{repo}", str(repo)) for a in args], "-o", "-", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"mlkaizen: error: --out -: {why}; give a file name\n"
    assert not (tmp_path / "-").exists()


def test_dash_out_is_no_folder_named_dash_for_the_generated_reference(tmp_path: Path) -> None:
    proc = cli("model", "docs", "--out", "-", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("mlkaizen: error: --out -: the reference is several files; give a "
                           "folder name\n")
    assert list(tmp_path.iterdir()) == []
    named = cli("model", "docs", "--out", "ref", "-q", cwd=tmp_path)
    assert named.returncode == 0 and (tmp_path / "ref" / "model.md").is_file()


# --- colour and width ---------------------------------------------------------------------

ESC = "\x1b["


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_no_colour_in_a_pipe_by_default(repo: Path) -> None:
    proc = cli("assess", str(repo))
    assert proc.returncode == 0 and ESC not in proc.stdout


def test_force_color_colours_a_pipe(repo: Path) -> None:
    proc = cli("assess", str(repo), env={"FORCE_COLOR": "1"})
    assert proc.returncode == 0 and ESC in proc.stdout


@pytest.mark.parametrize("env", [{"FORCE_COLOR": "1", "NO_COLOR": "1"}, {"NO_COLOR": "1"},
                                 {"FORCE_COLOR": "1", "TERM": "dumb"}])
def test_no_color_wins(repo: Path, env: dict[str, str]) -> None:
    proc = cli("assess", str(repo), env=env)
    assert proc.returncode == 0 and ESC not in proc.stdout


def test_colour_never_reaches_a_file_or_another_format(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    assert cli("assess", str(repo), "-o", str(out), env={"FORCE_COLOR": "1"}).returncode == 0
    assert ESC not in out.read_text()
    proc = cli("assess", str(repo), "-f", "markdown", env={"FORCE_COLOR": "1"})
    assert ESC not in proc.stdout


@pytest.mark.parametrize("out", [False, True])
def test_the_map_table_is_plain_whatever_force_color_says(repo: Path, tmp_path: Path,
                                                          out: bool) -> None:
    # the map's table is never coloured: FORCE_COLOR once gave it bold escape codes, in a
    # file too
    where = tmp_path / "map.txt"
    proc = cli("map", str(repo), *(("-o", str(where)) if out else ()),
               env={"FORCE_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    text = where.read_text() if out else proc.stdout
    assert "Subject" in text and ESC not in text


@pytest.mark.parametrize(("columns", "low", "high"),
                         [("100", 81, 100), ("30", 50, 60), ("500", 101, 120), ("", 70, 80),
                          ("wide", 70, 80)])
def test_the_terminal_report_takes_the_width_it_is_given(
        repo: Path, columns: str, low: int, high: int) -> None:
    proc = cli("assess", str(repo), env={"COLUMNS": columns} if columns else {})
    assert proc.returncode == 0
    assert low <= widest(proc.stdout) <= high


@pytest.mark.parametrize("out", [[], ["-o", "-"]])
def test_the_map_takes_the_width_it_is_given(repo: Path, out: list[str]) -> None:
    wide = cli("map", str(repo), *out)
    assert wide.returncode == 0 and widest(wide.stdout) > 100  # a table, as wide as it needs
    narrow = cli("map", str(repo), *out, env={"COLUMNS": "80"})
    assert narrow.returncode == 0
    assert widest(narrow.stdout) <= 80
    assert "Operations & Infrastructure" in narrow.stdout  # labels whole, never cut


def test_a_report_written_to_a_file_keeps_80_columns(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    assert cli("assess", str(repo), "-o", str(out), env={"COLUMNS": "120"}).returncode == 0
    assert 70 <= widest(out.read_text()) <= 80


# --- -q -----------------------------------------------------------------------------------


def test_history_takes_quiet(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.md"
    loud = cli("history", str(repo), "-f", "markdown", "-o", str(out))
    assert (loud.returncode, loud.stderr) == (0, f"mlkaizen: wrote {out} (markdown)\n")
    quiet = cli("history", str(repo), "-f", "markdown", "-o", str(out), "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert out.read_text().startswith("#")


# --- counts -------------------------------------------------------------------------------


def test_counted() -> None:
    from mlkaizen.textfmt import counted

    assert [counted(n, "point") for n in (0, 1, 2, 1500)] == [
        "0 points", "1 point", "2 points", "1,500 points"]
    assert counted(1, "dependency", "dependencies") == "1 dependency"
    assert counted(3, "dependency", "dependencies") == "3 dependencies"


def test_history_of_one_commit_says_1_point(repo: Path) -> None:
    proc = cli("history", str(repo))
    assert proc.returncode == 0
    first = proc.stdout.splitlines()[0]
    assert re.search(r"\(1 point, \d{4}-\d\d-\d\d \.\. ", first), first


# --- one way of reading the repository's config -------------------------------------------

BUILT_IN = Path(__file__).resolve().parents[1] / "src" / "mlkaizen" / "catalogue"
COMPANY = Path(__file__).resolve().parents[1] / "examples" / "companies" / "acme-retail"
RENAMED = "Hand-run MLOps"  # the team catalogue's name for stage 3
REFUSAL = (
    "mlkaizen: error: {repo}/.mlkaizen.yaml:1: catalogue: 'rules/team.yaml' is not a built-in or "
    "installed catalogue id; a repository cannot choose the rules it is judged by (use "
    "--catalogue, or --allow-repo-catalogue to trust the repository's catalogue file)\n"
)

# every command that reads a repository; "{repo}" is its folder. True: its output names the
# stage, so the team catalogue's stage name shows it was judged by that catalogue
READERS = {
    "assess": (["assess", "{repo}"], True),
    "badge": (["badge", "{repo}", "-o", "-"], True),
    "baseline save": (["baseline", "save", "{repo}", "-o", "-"], True),
    "explain --stage": (["explain", "--stage", "{repo}"], True),
    "explain --weights": (["explain", "--weights", "{repo}"], True),
    "target": (["target", "{repo}"], True),
    "map": (["map", "{repo}"], True),
    "history": (["history", "{repo}"], True),
    "diff": (["diff", "HEAD", "HEAD", "{repo}"], True),
    "survey": (["survey", "{repo}", "--answers", "{answers}"], False),
    "fix --list": (["fix", "--list", "{repo}"], False),
}


def team_catalogue() -> str:
    text = (BUILT_IN / "ad-hoc-to-kaizen.yaml").read_text()
    renamed = text.replace("id: ad-hoc-to-kaizen", "id: team-rules", 1)
    renamed = renamed.replace("name: Manual MLOps", f"name: {RENAMED}", 1)
    assert renamed.count("team-rules") == 1 and RENAMED in renamed
    return renamed


@pytest.fixture(scope="module")
def ruled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example, committed with a config naming its own catalogue file (a stage renamed),
    a use-case profile, and an answers file for that catalogue outside it."""
    root = tmp_path_factory.mktemp("ruled")
    dest = root / "churn-prediction"
    shutil.copytree(EXAMPLE, dest)
    files = {str(p.relative_to(dest)): p.read_text() for p in dest.rglob("*") if p.is_file()}
    files.update({
        ".mlkaizen.yaml": "catalogue: rules/team.yaml\n",
        "rules/team.yaml": team_catalogue(),
        "profile.yaml": (COMPANY / "profile.yaml").read_text(),
    })
    committed_repo(dest, files)
    answers = root / "ines.yaml"
    answers.write_text((COMPANY / "ines.yaml").read_text().replace(
        "id: ad-hoc-to-kaizen", "id: team-rules"))
    user = root / "user.yaml"  # the user's own config, naming the same file: trusted
    user.write_text(f"catalogue: {dest / 'rules' / 'team.yaml'}\n")
    return {"repo": dest, "answers": answers, "user": user}


def argv(name: str, where: dict[str, Path]) -> list[str]:
    return [a.format(**{k: str(v) for k, v in where.items()}) for a in READERS[name][0]]


@pytest.mark.parametrize("name", READERS)
def test_every_reader_refuses_a_repository_catalogue_file_the_same_way(
        name: str, ruled: dict[str, Path]) -> None:
    proc = cli(*argv(name, ruled), cwd=ruled["repo"].parent)
    refusal = REFUSAL.replace("{repo}", str(ruled["repo"]))
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", refusal)


@pytest.mark.parametrize("name", READERS)
def test_every_reader_honours_the_repository_catalogue_once_allowed(
        name: str, ruled: dict[str, Path]) -> None:
    here = ruled["repo"].parent  # never the tests' folder: `-o -` was once a file named -
    allowed = cli(*argv(name, ruled), "--allow-repo-catalogue", cwd=here)
    assert allowed.returncode == 0, allowed.stderr
    named = cli(*argv(name, ruled), "--catalogue", str(ruled["repo"] / "rules" / "team.yaml"),
                cwd=here)
    assert named.returncode == 0, named.stderr
    if READERS[name][1]:
        assert RENAMED in allowed.stdout and RENAMED in named.stdout
        assert "Manual MLOps" not in allowed.stdout
    else:  # the same result as the user naming that catalogue
        assert allowed.stdout == named.stdout
    builtin = cli(*argv(name, ruled), "--catalogue", "ad-hoc-to-kaizen", cwd=here)  # near miss
    if name == "survey":  # answers for team-rules: refused against another catalogue
        assert builtin.returncode == 2 and "answers are for catalogue team-rules" in builtin.stderr
    else:
        assert builtin.returncode == 0, builtin.stderr
        assert RENAMED not in builtin.stdout


@pytest.mark.parametrize("name", READERS)
def test_every_reader_takes_the_users_config_file(name: str, ruled: dict[str, Path]) -> None:
    proc = cli(*argv(name, ruled), "--config", str(ruled["user"]), cwd=ruled["repo"].parent)
    assert proc.returncode == 0, proc.stderr
    if READERS[name][1]:
        assert RENAMED in proc.stdout


def test_map_refuses_subjects_judged_by_different_catalogues(ruled: dict[str, Path],
                                                             repo: Path) -> None:
    proc = cli("map", str(ruled["repo"]), str(repo), "--allow-repo-catalogue")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("mlkaizen: error: the subjects are judged by different "
                                  "catalogues (")
    assert proc.stderr.endswith("); give --catalogue to lay them out by one\n")
    both = cli("map", str(ruled["repo"]), str(repo), "--catalogue", "ad-hoc-to-kaizen")
    assert both.returncode == 0 and both.stdout.count("Manual MLOps") >= 2


# --- PATH positional ----------------------------------------------------------------------


@pytest.mark.parametrize("command", [["plan", "add"], ["plan", "list"], ["plan", "stats"],
                                     ["diff"], ["history"]])
def test_plan_diff_and_history_take_path_positionally(command: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*command, "-h"], capsys)
    assert code == 0
    assert re.search(r"^Usage: mlkaizen [a-z ]+\[OPTIONS\].* \[PATH\]", out, re.M), out
    assert "--path" not in out  # the old spelling is accepted but no longer shown


def test_plan_and_diff_read_the_repository_given_as_path(repo: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    added = cli("plan", "add", "model.ct-triggers", str(repo), "--owner", "ann",
                "--due", "2999-01-01", "--db", db)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("plan item #1: model.ct-triggers, owner ann, due 2999-01-01")
    listed = cli("plan", "list", str(repo), "--db", db)
    assert listed.returncode == 0 and "model.ct-triggers" in listed.stdout
    assert cli("plan", "list", "--path", str(repo), "--db", db).stdout == listed.stdout
    elsewhere = cli("plan", "list", str(tmp_path), "--db", db)  # near miss: another subject
    assert elsewhere.returncode == 0 and "no plan items" in elsewhere.stdout
    diff = cli("diff", "HEAD", "HEAD", str(repo))
    assert diff.returncode == 0 and "Manual MLOps" in diff.stdout
    assert cli("diff", "HEAD", "HEAD", "--path", str(repo)).stdout == diff.stdout
    both = cli("diff", "HEAD", "HEAD", str(repo), "--path", str(tmp_path))
    assert both.returncode == 2 and "give the repository once" in both.stderr


# --- history: one grammar of spans for --every and --since ----------------------------------


@pytest.mark.parametrize(("text", "days"), [("6m", 180), ("6mo", 180), ("6 months", 180),
                                            ("1 month", 30), ("2w", 14), ("2 weeks", 14),
                                            ("1y", 365), ("1 year", 365), ("10 days", 10)])
def test_every_and_since_take_the_same_spans(text: str, days: int) -> None:
    import datetime as dt

    from mlkaizen.history.timeline import parse_every, parse_when

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert parse_every(text) == f"{days}d"
    assert parse_when(text, now, "--since") == int(now.timestamp()) - days * 86_400


@pytest.mark.parametrize("text", ["6x", "6min", "6 mins", "m6", "6mon", "0m", "-6m"])
def test_a_span_near_miss_is_refused_in_one_line(text: str) -> None:
    from mlkaizen.errors import MLKaizenError
    from mlkaizen.history.timeline import parse_every

    with pytest.raises(MLKaizenError, match=r"^--every '.*': expected week, month, commit, a "
                                            r"number N > 0 or a span \(6m, 2w\)$"):
        parse_every(text)


def test_history_every_six_months(repo: Path) -> None:
    for every in ("6m", "6 months"):
        proc = cli("history", str(repo), "--every", every, "--since", "6 months")
        assert proc.returncode == 0, proc.stderr
        assert "(1 point, " in proc.stdout.splitlines()[0]
    bad = cli("history", str(repo), "--every", "6x")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("mlkaizen: error: --every '6x': expected")
