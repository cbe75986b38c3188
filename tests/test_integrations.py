"""The integrations shipped in this repository, run for real on repositories the tests build:
the pre-commit hooks (with pre-commit from PyPI), the GitHub composite action's steps, and
the GitLab CI template's script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE
from tests.test_trusted_ref import hostile_pull_request

ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid",
                    *args], check=True, capture_output=True)


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "churn"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    subprocess.run([sys.executable, "-m", "mlkaizen", "baseline", "save", str(repo)], check=True,
                   capture_output=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    return repo


def break_registry(repo: Path) -> None:
    train = repo / "src" / "churn" / "train.py"
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}


# --------------------------------------------------------------------------- pre-commit
def test_pre_commit_hooks_run_for_real(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"mlkaizen-regression", "mlkaizen-gate"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
    repo = make_repo(tmp_path)
    # The published hooks install this package into pre-commit's own environment (network);
    # here the same hook definitions run against the installed package (no network).
    local = [{**h, "language": "system"} for h in hooks]
    local[1]["args"] = ["--fail-under", "Manual MLOps"]
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}))
    git(repo, "add", ".pre-commit-config.yaml")
    run_env = {**env(), "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=repo, text=True,
                              capture_output=True, env=run_env, check=False)

    ok = pre_commit()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "MLKaizen maturity regression gate" in ok.stdout and "Passed" in ok.stdout
    break_registry(repo)
    git(repo, "add", "src/churn/train.py")
    bad = pre_commit()
    assert bad.returncode == 1
    assert "model.registry was met, now unmet" in bad.stdout
    # a supporting practice: the level, so the stage gate, holds
    assert "stage DataOps is below Manual MLOps" not in bad.stdout
    git(repo, "rm", "-q", "src/churn/serve.py")  # no service, nothing monitored: a core gap
    worse = pre_commit()
    assert worse.returncode == 1
    assert "Operations & Infrastructure fell from level 1 to 0" in worse.stdout
    # the stage holds with the gap tolerated (a pipeline and CI tests: part of the next stage)
    assert "is below Manual MLOps" not in worse.stdout
    # no pipeline, CI or model gate either: nothing earns the gap any more
    git(repo, "rm", "-q", "dvc.yaml")
    git(repo, "rm", "-q", "-r", ".github")
    git(repo, "rm", "-q", "src/churn/evaluate.py")
    worst = pre_commit()
    assert worst.returncode == 1
    assert "stage Manual MLOps is below" not in worst.stdout  # DataOps now, but...
    assert "stage DataOps is below Manual MLOps" in worst.stdout


# --------------------------------------------------------------------------- GitHub Action
def run_action(repo: Path, tmp_path: Path, inputs: dict[str, str],
               extra_env: dict[str, str] | None = None) -> tuple[int, str, str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    # a default taken from the event (the pull request's base) is empty outside a pull request
    values = {name: re.sub(r"\$\{\{\s*github\.[^}]*\}\}", "", str(spec.get("default", "")))
              for name, spec in action["inputs"].items()}
    values.update(inputs)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    code = 0
    for step in action["runs"]["steps"]:
        if "run" not in step or step.get("id") == "install":  # installing needs the network
            continue
        step_env = {k: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}",
                              lambda m: values[m.group(1)], str(v))
                    for k, v in step.get("env", {}).items()}
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, text=True,
                              capture_output=True, check=False,
                              env={**env(), **(extra_env or {}), **step_env,
                                   "GITHUB_STEP_SUMMARY": str(summary),
                                   "GITHUB_OUTPUT": str(output)})
        code = code or proc.returncode
    return code, summary.read_text() if summary.exists() else "", (
        output.read_text() if output.exists() else "")


def test_action_passes_writes_summary_and_sarif(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    uploads = [s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    repo = make_repo(tmp_path)
    code, summary, output = run_action(repo, tmp_path, {"fail-on-regression": "true",
                                                        "sarif": "true"})
    assert code == 0
    assert "## MLKaizen: Manual MLOps" in summary and "### Since the baseline" in summary
    assert "stage=Manual MLOps" in output
    assert '"version": "2.1.0"' in (repo / "mlkaizen.sarif").read_text()


def test_action_fails_the_job_on_regression_and_threshold(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    break_registry(repo)
    code, summary, _ = run_action(repo, tmp_path, {"fail-on-regression": "true"})
    assert code == 1 and "**Lost:** `model.registry`" in summary
    code, _, _ = run_action(make_repo(tmp_path / "b"), tmp_path / "b",
                            {"fail-under": "Automated MLOps"})
    assert code == 1


def test_action_never_copies_a_committed_report_link_into_the_summary(tmp_path: Path) -> None:
    """A pull request commits ``mlkaizen-report.md`` as a link to a file on the runner and
    makes the run fail before any report is written: the summary must not show that file."""
    secret = tmp_path / "runner-secret.txt"
    secret.write_text("TOKEN=hunter2\n")
    repo = make_repo(tmp_path)
    (repo / "mlkaizen-report.md").symlink_to(secret)
    (repo / ".mlkaizen.yaml").write_text("catalogue: rules.yaml\n")  # refused: exit 2
    code, summary, output = run_action(repo, tmp_path, {})
    assert code == 2
    assert "hunter2" not in summary and summary == ""
    assert "hunter2" not in output
    assert secret.read_text() == "TOKEN=hunter2\n"


def test_action_summary_still_copies_its_own_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)  # near miss: a regular report file written by the step
    code, summary, output = run_action(repo, tmp_path, {})
    assert code == 0 and summary.startswith("## MLKaizen: Manual MLOps\n")
    assert "stage=Manual MLOps\n" in output


def plant_report_links(repo: Path, tmp_path: Path) -> list[Path]:
    """A pull request that commits links where the reports go, to files of the runner."""
    home = tmp_path / "runner-home"
    home.mkdir()
    victims = []
    for name in ("mlkaizen-report.md", "mlkaizen.sarif"):
        victim = home / (name + ".secret")
        victim.write_text("## MLKaizen: token=abc\n")
        (repo / name).symlink_to(victim)
        victims.append(victim)
    (repo / "mlkaizen-dangling.md").symlink_to(home / "never-created")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links")
    return victims


def test_action_never_writes_or_reads_through_committed_report_links(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    victims = plant_report_links(repo, tmp_path)
    code, summary, output = run_action(repo, tmp_path, {"sarif": "true"})
    assert code == 2
    assert [v.read_text() for v in victims] == ["## MLKaizen: token=abc\n"] * 2
    assert "token" not in summary and "token" not in output
    assert (repo / "mlkaizen-report.md").is_symlink() and (repo / "mlkaizen.sarif").is_symlink()
    # the same run on the same repository without the links passes: only the links are refused
    for name in ("mlkaizen-report.md", "mlkaizen.sarif"):
        (repo / name).unlink()
    clean = tmp_path / "clean"  # a fresh job summary
    clean.mkdir()
    code, summary, _ = run_action(repo, clean, {"sarif": "true"})
    assert code == 0 and "## MLKaizen: Manual MLOps" in summary


# --------------------------------------------------------------------------- GitLab
def run_gitlab(repo: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    job = yaml.safe_load((ROOT / "templates" / "mlkaizen.gitlab-ci.yml").read_text())[".mlkaizen"]
    assert any("pip install" in line for line in job["before_script"])
    script = "\n".join(job["script"])  # GitLab runs the lines in one shell; stop at a failure
    return subprocess.run(["sh", "-e", "-c", script], cwd=repo, text=True, capture_output=True,
                          check=False, env={**env(), **gitlab_variables(job, variables)})


def gitlab_variables(job: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """The job's variables as GitLab expands them (``$CI_...`` of a pipeline that is not a
    merge request's is empty), then the ones a test gives."""
    return {**{k: re.sub(r"\$(\w+)", lambda m: given.get(m.group(1), ""), str(v))
               for k, v in job["variables"].items()}, **given}


def test_gitlab_template_gates_and_keeps_reports(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    ok = run_gitlab(repo, {"MLKAIZEN_FAIL_UNDER": "Manual MLOps"})
    assert ok.returncode == 0, ok.stderr
    assert (repo / "mlkaizen-report.md").read_text().startswith("## MLKaizen: Manual MLOps")
    assert (repo / "mlkaizen.sarif").is_file()
    break_registry(repo)
    bad = run_gitlab(repo, {})
    assert bad.returncode == 1 and "model.registry was met, now unmet" in bad.stderr


def test_gitlab_template_never_writes_through_committed_report_links(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    victims = plant_report_links(repo, tmp_path)
    proc = run_gitlab(repo, {})
    assert proc.returncode == 2
    assert proc.stderr.startswith("mlkaizen: error: mlkaizen-report.md: is a symbolic link")
    assert [v.read_text() for v in victims] == ["## MLKaizen: token=abc\n"] * 2
    (repo / "mlkaizen-report.md").unlink()
    proc = run_gitlab(repo, {})
    assert proc.returncode == 2
    assert proc.stderr.startswith("mlkaizen: error: mlkaizen.sarif: is a symbolic link")
    assert [v.read_text() for v in victims] == ["## MLKaizen: token=abc\n"] * 2


# --------------------------------------------------------------------------- the checkout's code
# A pull request may commit modules Python would import from the working folder, PYTHONPATH or
# a site folder. Every shipped step runs, as written in its YAML, in a checkout that commits
# them; each writes a marker file when imported, so a marker proves the checkout's code ran.
HOSTILE = {
    "pip/__init__.py": "pip-init",
    "pip/__main__.py": "pip-main",
    "sitecustomize.py": "sitecustomize",
    "usercustomize.py": "usercustomize",
}


def plant_hostile_modules(repo: Path, markers: Path) -> None:
    markers.mkdir()
    for rel, name in HOSTILE.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(
            f"import pathlib\npathlib.Path({str(markers / name)!r}).write_text('ran')\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "modules Python would import")


def hostile_env(repo: Path) -> dict[str, str]:
    """What a job's environment could add: the checkout on PYTHONPATH, a startup file in it."""
    return {"PYTHONPATH": str(repo), "PYTHONSTARTUP": str(repo / "sitecustomize.py"),
            "PYTHONUSERBASE": str(repo)}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project as a wheel, built once without a build backend or the network."""
    import base64
    import hashlib
    import tomllib
    import zipfile

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    dist = f"mlkaizen-{version}.dist-info"
    files = {
        f"mlkaizen/{p.relative_to(ROOT / 'src' / 'mlkaizen').as_posix()}": p.read_bytes()
        for p in sorted((ROOT / "src" / "mlkaizen").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    files[f"{dist}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: mlkaizen\nVersion: {version}\n".encode())
    files[f"{dist}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    files[f"{dist}/entry_points.txt"] = b"[console_scripts]\nmlkaizen = mlkaizen.cli:main\n"
    def digest(data: bytes) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    record = [f"{name},sha256={digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{dist}/RECORD"] = ("\n".join([*record, f"{dist}/RECORD,,"]) + "\n").encode()
    out = tmp_path_factory.mktemp("wheel") / f"mlkaizen-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out


@pytest.fixture(scope="session")
def ci_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment the install steps install into (the runner's ``python``)."""
    venv = tmp_path_factory.mktemp("ci-python") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    return venv / "bin"


def install_env(ci_bin: Path, repo: Path) -> dict[str, str]:
    """The runner's ``python`` first on PATH; pip offline (a local wheel, no index, no config)."""
    return {**os.environ, **hostile_env(repo), "PATH": f"{ci_bin}:{os.environ.get('PATH', '')}",
            "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def action_install_step() -> tuple[str, dict[str, str]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    return step["run"], {k: str(v) for k, v in step.get("env", {}).items()}


def gitlab_install_lines() -> str:
    job = yaml.safe_load((ROOT / "templates" / "mlkaizen.gitlab-ci.yml").read_text())[".mlkaizen"]
    return "\n".join(job["before_script"])


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_install_step_never_runs_the_checkouts_code(
    ci: str, tmp_path: Path, wheel: Path, ci_python: Path
) -> None:
    repo = make_repo(tmp_path)
    markers = tmp_path / "markers"
    plant_hostile_modules(repo, markers)
    subprocess.run([str(ci_python / "python"), "-m", "pip", "uninstall", "-qy", "mlkaizen"],
                   capture_output=True, check=False, cwd=tmp_path)
    assert not (ci_python / "mlkaizen").exists()
    run_env = install_env(ci_python, repo)
    if ci == "github":
        script, step_env = action_install_step()
        assert step_env["MLKAIZEN_VERSION"] == "${{ inputs.version }}"
        run_env.update({"MLKAIZEN_VERSION": str(wheel), "ACTION_PATH": str(ROOT)})
        shell = ["bash", "-e", "-c", script]
    else:
        job = yaml.safe_load((ROOT / "templates" / "mlkaizen.gitlab-ci.yml").read_text())
        run_env.update(gitlab_variables(job[".mlkaizen"], {"MLKAIZEN_PIP": str(wheel)}))
        shell = ["sh", "-e", "-c", gitlab_install_lines()]
    proc = subprocess.run(shell, cwd=repo, env=run_env, text=True, capture_output=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in markers.iterdir()) == []
    assert (ci_python / "mlkaizen").is_file()  # the wheel was installed, by the real pip
    assert sorted((repo / "pip").iterdir()) == [repo / "pip" / "__init__.py",
                                                repo / "pip" / "__main__.py"]


def test_install_step_near_miss_the_old_command_runs_the_checkouts_pip(
    tmp_path: Path, wheel: Path, ci_python: Path
) -> None:
    """What the markers catch: ``python -m pip`` started in the checkout imports its pip."""
    repo = make_repo(tmp_path)
    markers = tmp_path / "markers"
    plant_hostile_modules(repo, markers)
    proc = subprocess.run(["bash", "-c", f'python -m pip install --quiet "{wheel}"'], cwd=repo,
                          env=install_env(ci_python, repo), text=True, capture_output=True,
                          check=False)
    assert proc.returncode == 0  # the checkout's pip ran instead, and "succeeded"
    assert sorted(p.name for p in markers.iterdir()) == ["pip-init", "pip-main", "sitecustomize"]


def test_action_and_gitlab_steps_never_run_the_checkouts_code(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    markers = tmp_path / "markers"
    plant_hostile_modules(repo, markers)
    code, summary, _ = run_action(repo, tmp_path, {"sarif": "true"}, hostile_env(repo))
    assert code == 0 and summary.startswith("## MLKaizen: Manual MLOps\n")
    proc = run_gitlab(repo, {**hostile_env(repo), "MLKAIZEN_FAIL_UNDER": "Manual MLOps"})
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in markers.iterdir()) == []


def test_the_installed_console_script_is_what_the_steps_run() -> None:
    """No shipped step starts Python on the checkout itself (``python -m mlkaizen`` would put
    the working folder first on sys.path)."""
    action = (ROOT / "action.yml").read_text()
    gitlab = (ROOT / "templates" / "mlkaizen.gitlab-ci.yml").read_text()
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for text in (action, gitlab):
        assert "python -m mlkaizen" not in text
        starts = re.findall(r"python\S* [^\n]*?-m \S+", text)
        assert starts == ["python -I -m pip"]
    assert all(h["entry"].startswith("mlkaizen ") for h in hooks)


def test_pre_commit_hooks_never_run_the_checkouts_code(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    repo = make_repo(tmp_path)
    markers = tmp_path / "markers"
    plant_hostile_modules(repo, markers)
    local = [{**h, "language": "system"} for h in hooks]
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}))
    git(repo, "add", ".pre-commit-config.yaml")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=repo, text=True,
                          capture_output=True, check=False,
                          env={**env(), "PRE_COMMIT_HOME": str(tmp_path / "pc-home")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.name for p in markers.iterdir()) == []


# --------------------------------------------------------------------------- the base's rules
def head(repo: Path) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_action_judges_a_pull_request_by_its_base(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    base = head(repo)
    hostile_pull_request(repo)
    gate = {"fail-under": "Kaizen MLOps", "fail-on-regression": "true"}
    code, summary, output = run_action(repo, tmp_path, {**gate, "trusted-ref": base})
    assert code == 1
    assert "### Not applied: changes to the rules" in summary
    assert (".mlkaizen.yaml changed in this pull request: not applied (rules come from "
            f"{base[:12]})") in summary
    assert "stage=Manual MLOps" in output
    # near miss: not a pull request (no base): the checkout's own rules, as before
    other = tmp_path / "push"
    other.mkdir()
    code, summary, output = run_action(repo, other, gate)
    assert code == 0 and "stage=Kaizen MLOps" in output


def test_gitlab_template_judges_a_merge_request_by_its_base(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    base = head(repo)
    hostile_pull_request(repo)
    proc = run_gitlab(repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
                             "MLKAIZEN_FAIL_UNDER": "Kaizen MLOps"})
    assert proc.returncode == 1
    assert "model.registry was met, now unmet" in proc.stderr
    assert "### Not applied: changes to the rules" in (repo / "mlkaizen-report.md").read_text()
    assert run_gitlab(repo, {"MLKAIZEN_FAIL_UNDER": "Kaizen MLOps"}).returncode == 0


def test_gitlab_template_keeps_the_regression_gate_when_the_branch_deletes_the_baseline(
    tmp_path: Path
) -> None:
    repo = make_repo(tmp_path)
    base = head(repo)
    break_registry(repo)
    (repo / ".mlkaizen" / "baseline.json").unlink()
    assert run_gitlab(repo, {}).returncode == 0  # without a base: no baseline, no gate
    proc = run_gitlab(repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base})
    assert proc.returncode == 1 and "model.registry was met, now unmet" in proc.stderr


def test_action_fetches_the_base_a_shallow_checkout_lacks(tmp_path: Path) -> None:
    upstream = make_repo(tmp_path)
    base = head(upstream)
    hostile_pull_request(upstream)
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "pr",
                    f"file://{upstream}", str(checkout)], check=True, capture_output=True)
    missing = subprocess.run(["git", "-C", str(checkout), "cat-file", "-e", f"{base}^{{commit}}"],
                             capture_output=True, check=False)
    assert missing.returncode != 0  # the base is not in the shallow checkout
    code, summary, _ = run_action(checkout, tmp_path, {"trusted-ref": base,
                                                       "fail-under": "Kaizen MLOps"})
    assert code == 1 and "### Not applied: changes to the rules" in summary


# ------------------------------------------------------------------ git in the pull request's folder
def plant_bare_repository(repo: Path, marker: Path) -> None:
    """The scanned sub-folder holds a bare repository whose config runs a command when git
    fetches through it (a pull request cannot commit a `.git`, but it can commit this)."""
    bare = repo / "services" / "fraud"
    for name in ("objects", "refs"):
        (bare / name).mkdir(parents=True)
        (bare / name / ".keep").write_text("")
    (bare / "HEAD").write_text("ref: refs/heads/main\n")
    (bare / "config").write_text(
        "[core]\n\tbare = true\n[remote \"origin\"]\n\turl = /nonexistent\n"
        f"\tuploadpack = touch {marker}; false\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")


def test_ci_steps_never_run_git_in_the_pull_requests_folders(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    marker = tmp_path / "PWNED"
    plant_bare_repository(repo, marker)
    missing = "0123456789abcdef0123456789abcdef01234567"  # not in the clone: it is fetched
    run_action(repo, tmp_path, {"path": "services/fraud", "trusted-ref": missing})
    assert not marker.exists()
    run_gitlab(repo, {"MLKAIZEN_PATH": "services/fraud", "MLKAIZEN_TRUSTED_REF": missing,
                      "MLKAIZEN_FAIL_ON_REGRESSION": "true"})
    assert not marker.exists()
    # near miss: the same git command run in the folder, as the steps once did, runs it
    subprocess.run(["git", "-C", "services/fraud", "fetch", "--quiet", "origin", "--", missing],
                   cwd=repo, capture_output=True, check=False, env=env())
    assert marker.exists()


def test_a_committed_report_is_never_shown_as_this_runs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "mlkaizen-report.md").write_text("## MLKaizen: Kaizen MLOps\n\nAll gates passed.\n")
    (repo / ".mlkaizen.yaml").write_text("not_applicable: 3\n")  # mlkaizen stops at once
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    code, summary, output = run_action(repo, tmp_path, {"fail-under": "Kaizen MLOps"})
    assert code == 2
    assert "All gates passed" not in summary and "stage=Kaizen MLOps" not in output
    assert "stage=\n" in output
