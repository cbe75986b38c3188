"""The rough edges a new user hits: help, version, paths, messages, confirmations, exit codes,
lenses in every format, links, counts and names in reports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.engine.model import SCHEMA_VERSION
from mlkaizen.report import RenderContext, get_renderer
from mlkaizen.report.mapping import Row, render_map
from tests.conftest import EXAMPLE, ROOT, MakeRepo

COMPANIES = ROOT / "examples" / "companies"


def cli(*args: str, cwd: Path | None = None, columns: int = 80,
        stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, cwd=cwd, check=False, env=env, input=stdin)


# --- --version, help -----------------------------------------------------------------------


def test_version() -> None:
    from mlkaizen import __version__

    proc = cli("--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"mlkaizen {__version__}\n", "")


def test_help_shows_every_summary_whole() -> None:
    from mlkaizen.cli import app
    from typer.main import get_command

    proc = cli("--help", columns=80)
    assert proc.returncode == 0
    commands = proc.stdout.split("Commands:", 1)[1]
    assert "..." not in commands
    flat = " ".join(proc.stdout.split())
    group = get_command(app)
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        first = " ".join((cmd.help or "").split("\n\n")[0].split())
        assert first and first in flat, name
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80


def test_option_placeholders_are_words_not_python_types() -> None:
    text = cli("assess", "--help").stdout
    assert "list[Path]" not in text and "<str>" not in text and "<int>" not in text
    assert "--answers FILE|DIR" in text and "--catalogue ID|FILE" in text


@pytest.mark.parametrize("command", ["assess", "badge", "fix", "explain", "target", "survey",
                                     "baseline save"])
def test_every_repository_command_takes_a_positional_path(command: str) -> None:
    text = cli(*command.split(), "--help").stdout
    assert re.search(r"^Usage: mlkaizen [a-z ]+\[OPTIONS\].*PATH", text, re.M), text
    assert "--path" not in text  # the old spelling is accepted but no longer shown


def test_fix_and_explain_take_path_positionally_and_still_accept_path_option(
        example_copy: Path) -> None:
    listed = cli("fix", "--list", str(example_copy))
    assert listed.returncode == 0, listed.stderr
    assert "model.ct-triggers" in listed.stdout
    assert cli("fix", "--list", "--path", str(example_copy)).stdout == listed.stdout
    assert cli("fix", str(example_copy)).stdout == listed.stdout  # a folder, not a practice
    stage = cli("explain", "--stage", str(example_copy))
    assert stage.returncode == 0 and "churn-prediction: Manual MLOps" in stage.stdout
    assert cli("explain", "--stage", "--path", str(example_copy)).stdout == stage.stdout
    both = cli("fix", "--list", str(example_copy), "--path", "/elsewhere")
    assert both.returncode == 2 and "give the repository once" in both.stderr


# --- messages and exit codes -------------------------------------------------------------


def test_bad_choice_is_one_line_without_pydantic_wording() -> None:
    proc = cli("assess", ".", "-f", "pdf")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("mlkaizen: error: ")
    assert "'pdf' is not one of" in proc.stderr and "Value error" not in proc.stderr
    assert "mlkaizen assess --help" in proc.stderr


def test_unknown_catalogue_id_is_named_as_such() -> None:
    proc = cli("assess", str(EXAMPLE), "--catalogue", "nope")
    assert proc.returncode == 2
    assert "unknown catalogue id 'nope'" in proc.stderr and "ad-hoc-to-kaizen" in proc.stderr
    missing = cli("assess", str(EXAMPLE), "--catalogue", "nope.yaml")  # a file name: a file
    assert missing.returncode == 2 and "nope.yaml: catalogue file not found" in missing.stderr


def test_config_errors_name_no_python_class(make_repo: MakeRepo) -> None:
    root = make_repo({".mlkaizen.yaml": "limits: [1]\n"})
    proc = cli("assess", str(root))
    assert proc.returncode == 2
    assert "limits: Input should be a valid dictionary" in proc.stderr
    assert "instance of" not in proc.stderr and "Limits" not in proc.stderr


def test_a_non_table_tool_section_is_an_input_error(make_repo: MakeRepo) -> None:
    root = make_repo({"cfg.toml": "[tool]\nmlkaizen = 3\n"})
    proc = cli("assess", str(root), "--config", str(root / "cfg.toml"))
    assert proc.returncode == 2 and "[tool.mlkaizen] must be a table" in proc.stderr


def test_internal_error_exits_3_with_one_line_and_a_hint(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import mlkaizen.api
    from mlkaizen.cli import main

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(mlkaizen.api, "assess", broken)
    monkeypatch.delenv("MLKAIZEN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["badge", str(EXAMPLE)])
    err = capsys.readouterr().err
    assert exit_.value.code == 3
    assert err.count("\n") == 1, err
    assert err.startswith("mlkaizen: internal error: RuntimeError: boom second line")
    assert "report" in err


def test_usage_error_still_exits_2_and_no_command_shows_help() -> None:
    assert cli("nope").returncode == 2
    bare = cli()
    assert bare.returncode == 0 and "Usage: mlkaizen" in bare.stdout


# --- written files: confirmation, -q, missing folders -----------------------------------


def test_badge_and_report_confirm_on_stderr_and_quiet_suppresses(tmp_path: Path) -> None:
    badge = tmp_path / "b.svg"
    proc = cli("badge", str(EXAMPLE), "-o", str(badge))
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr == f"mlkaizen: wrote {badge} (badge: Manual MLOps)\n"
    report = tmp_path / "r.json"
    proc = cli("assess", str(EXAMPLE), "-f", "json", "-o", str(report))
    assert proc.stdout == "" and proc.stderr == f"mlkaizen: wrote {report} (json)\n"
    quiet = cli("assess", str(EXAMPLE), "-f", "json", "-o", str(report), "-q")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    printed = cli("assess", str(EXAMPLE), "-f", "json")  # to stdout: nothing to confirm
    assert printed.stderr == ""


def test_report_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.json"
    proc = cli("assess", str(EXAMPLE), "-f", "json", "-o", str(target))
    assert proc.returncode == 2
    assert f"{target}: cannot write: its folder does not exist" in proc.stderr
    assert not (tmp_path / "missing").exists()


# --- lenses in every format -------------------------------------------------------------


def test_lens_honours_html_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "lens.html"
    proc = cli("assess", str(EXAMPLE), "--lens", "google", "-f", "html", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<h1>Google MLOps level" in html
    assert "<table>" in html and "Could not determine" in html
    md = cli("assess", str(EXAMPLE), "--lens", "google", "-f", "markdown").stdout
    assert md.startswith("## Google MLOps level")


def test_lens_refuses_sarif_before_scanning() -> None:
    proc = cli("assess", "/definitely/not/here", "--lens", "google", "-f", "sarif")
    assert proc.returncode == 2
    assert "--lens cannot be rendered as sarif" in proc.stderr


# --- reports: counts, links, map ---------------------------------------------------------


@pytest.mark.parametrize(("fmt", "one", "many"), [
    ("terminal", "Roadmap (1 step):", "Roadmap (2 steps):"),
    ("markdown", "### Roadmap (1 step)", "### Roadmap (2 steps)"),
])
def test_roadmap_count_agrees_with_its_noun(fmt: str, one: str, many: str) -> None:
    a = assess(EXAMPLE)
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=EXAMPLE)
    single = a.model_copy(update={"roadmap": a.roadmap[:1]})
    double = a.model_copy(update={"roadmap": a.roadmap[:2]})
    assert one in get_renderer(fmt)(single, ctx)
    assert many in get_renderer(fmt)(double, ctx)


def test_answers_only_explanation_counts_the_respondents() -> None:
    proc = cli("assess", "--no-repo", "--answers", str(COMPANIES / "beta-bank"), "-f", "json")
    data = json.loads(proc.stdout)
    assert data["respondents"] == ["sara", "tom"]
    assert "from the answers of 2 respondents alone" in data["explanation"]
    single = json.loads(cli("assess", "--no-repo", "--answers",
                            str(COMPANIES / "acme-retail"), "-f", "json").stdout)
    assert "from the answers of 1 respondent alone" in single["explanation"]


def test_printed_markdown_links_are_relative_never_file_uris(tmp_path: Path) -> None:
    proc = cli("assess", str(EXAMPLE), "-f", "markdown", cwd=ROOT)
    assert proc.returncode == 0
    assert "file://" not in proc.stdout
    assert "](examples/churn-prediction/src/churn/train.py#L" in proc.stdout
    out = tmp_path / "r.md"
    cli("assess", str(EXAMPLE), "-f", "markdown", "-o", str(out))
    assert "file://" not in out.read_text()


def test_map_never_cuts_subject_names() -> None:
    a = assess(EXAMPLE)
    name = "a-subject-name-well-over-twenty-characters"
    cat = load_catalogue()
    wide = render_map([Row(name, a, None)], cat, "terminal")
    assert name in wide and "…" not in wide
    narrow = render_map([Row(name, a, None)], cat, "terminal", width=100)
    assert max(len(line) for line in narrow.splitlines()) <= 100
    assert "…" not in narrow
    assert name in narrow.splitlines()  # whole, on a line of its own (one block a subject)


def test_readme_states_the_current_json_schema_version() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"(schema version `{SCHEMA_VERSION}`" in readme


def test_tests_and_ci_need_neither_npm_nor_a_fetch_script() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if "pytest" in line and "pip" in line]
    assert commands and all("npm" not in c and ".sh" not in c for c in commands)
    assert "npm" not in (ROOT / ".ci" / "run").read_text()
    schema = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
    assert json.loads(schema.read_text())["title"].startswith("Static Analysis Results Format")
    assert "sarif-schema-2.1.0.json" in (ROOT / "tests" / "data" / "README.md").read_text()


# --- detectors and explain wrap ----------------------------------------------------------


def test_detectors_wrap_whole_summaries_without_markup() -> None:
    from mlkaizen.evidence.detectors import REGISTRY

    proc = cli("detectors", columns=80)
    assert proc.returncode == 0
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert "``" not in proc.stdout
    flat = " ".join(proc.stdout.split())
    doc = REGISTRY["container_image_defined"].doc
    assert "(a Dockerfile/Containerfile with a `FROM`)." in flat and "``FROM``" in doc
    from mlkaizen.textfmt import summary

    alert = summary(REGISTRY["alert_rules_defined"].doc)
    assert alert.endswith(".") and alert in flat  # the whole first paragraph, not one line


def test_explain_wraps_and_shows_code_plainly() -> None:
    for item in ("container_image_defined", "model.ct-triggers"):
        proc = cli("explain", item, columns=60)
        assert proc.returncode == 0, proc.stderr
        assert max(len(line) for line in proc.stdout.splitlines()) <= 60, proc.stdout
        assert "``" not in proc.stdout
    flat = " ".join(cli("explain", "model.ct-triggers").stdout.split())
    assert "training_in_pipeline: An orchestrated pipeline contains a model training step." in flat
