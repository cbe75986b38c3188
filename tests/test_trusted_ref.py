"""``assess --trusted-ref REF``: a pull request is judged by its base commit's rules (config,
exemptions, attestations, answers, baseline), read from git objects; its own changes to them
are listed in every report, never applied. The code is still scanned from the work tree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.catalogue.loader import load_catalogue
from tests.conftest import EXAMPLE

CATALOGUE = load_catalogue()
JUDGED = f"catalogue ad-hoc-to-kaizen {CATALOGUE.version}"
TRAIN = Path("src") / "churn" / "train.py"
ROLES = "organization.defined-roles"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        check=True, capture_output=True, text=True).stdout.strip()


def base_repo(tmp_path: Path, *, config: bool = True) -> tuple[Path, str]:
    """The example with its baseline committed on the base branch; the base commit's id."""
    repo = tmp_path / "churn"
    shutil.copytree(EXAMPLE, repo)
    if not config:
        (repo / ".mlkaizen.yaml").unlink()
    git(repo, "init", "-q", "-b", "main")
    assert cli("baseline", "save", str(repo)).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo, git(repo, "rev-parse", "HEAD")


def hostile_pull_request(repo: Path) -> None:
    """Loses the model registration, declares every practice not applicable, and rewrites
    the baseline to match: on its own rules it reaches Kaizen MLOps and loses nothing."""
    train = repo / TRAIN
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))
    (repo / ".mlkaizen.yaml").write_text("not_applicable:\n" + "".join(
        f"  {p.id}: {{reason: does not apply here}}\n" for p in CATALOGUE.practices))
    assert cli("baseline", "save", str(repo)).returncode == 0
    git(repo, "checkout", "-qb", "pr")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "everything is fine")


GATE = ("--fail-under", "Kaizen MLOps", "--fail-on-regression")


def test_without_trusted_ref_the_pull_requests_own_rules_judge_it(tmp_path: Path) -> None:
    """Today's behaviour for local use, unchanged: the repository's rules apply."""
    repo, _ = base_repo(tmp_path)
    hostile_pull_request(repo)
    proc = cli("assess", str(repo), *GATE, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"mlkaizen: gate passed [{JUDGED}]\n"
    data = json.loads(proc.stdout)
    assert data["stage"] == "Kaizen MLOps"
    assert [w for w in data["warnings"] if w["kind"] == "trusted-ref"] == []


def test_with_trusted_ref_the_base_commits_rules_judge_it(tmp_path: Path) -> None:
    repo, base = base_repo(tmp_path)
    hostile_pull_request(repo)
    proc = cli("assess", str(repo), *GATE, "--trusted-ref", base, "-f", "json")
    assert proc.returncode == 1, proc.stderr
    judged = f" [{JUDGED}, rules from {base[:12]}]"
    assert proc.stderr.splitlines() == [
        "mlkaizen: gate failed: stage Manual MLOps is below Kaizen MLOps" + judged,
        "mlkaizen: gate failed: model.registry was met, now unmet" + judged,
    ]
    data = json.loads(proc.stdout)
    assert data["stage"] == "Manual MLOps"
    assert data["baseline"]["lost"][0]["practice"] == "model.registry"
    assert [(w["file"], w["message"]) for w in data["warnings"] if w["kind"] == "trusted-ref"] == [
        (".mlkaizen.yaml", f".mlkaizen.yaml changed in this pull request: not applied (rules "
                           f"come from {base[:12]})"),
        (".mlkaizen/baseline.json", f".mlkaizen/baseline.json changed in this pull request: "
                                    f"not applied (rules come from {base[:12]})"),
    ]
    # the same run, named by branch: the label says which commit that was
    proc = cli("assess", str(repo), *GATE, "--trusted-ref", "main", "-f", "markdown")
    assert proc.returncode == 1
    assert (f"- .mlkaizen.yaml changed in this pull request: not applied (rules come from main "
            f"({base[:12]}))") in proc.stdout.splitlines()
    assert "### Not applied: changes to the rules" in proc.stdout
    terminal = cli("assess", str(repo), "--trusted-ref", "main")
    assert terminal.returncode == 0
    assert ".mlkaizen/baseline.json changed in this pull request:" in terminal.stdout


def test_a_pull_request_that_leaves_the_rules_alone_lists_nothing(tmp_path: Path) -> None:
    """Near miss: code changes only; the base's rules are the same as the work tree's."""
    repo, base = base_repo(tmp_path)
    (repo / "notes.md").write_text("# notes\n")
    proc = cli("assess", str(repo), "--fail-under", "Manual MLOps", "--fail-on-regression",
               "--trusted-ref", base, "-f", "markdown")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"mlkaizen: gate passed [{JUDGED}, rules from {base[:12]}]\n"
    assert "Not applied" not in proc.stdout and "### Since the baseline" in proc.stdout


def test_pyproject_attestations_and_exemptions_come_from_the_base(tmp_path: Path) -> None:
    """``[tool.mlkaizen]`` in pyproject.toml: the base's section judges; a change to the
    rest of pyproject.toml is no rules change."""
    repo, base = base_repo(tmp_path, config=False)
    pyproject = repo / "pyproject.toml"
    before = pyproject.read_text() if pyproject.exists() else ""
    pyproject.write_text(before + "\n[tool.mlkaizen.exempt.\"model.registry\"]\n"
                         "reason = \"later\"\nowner = \"me\"\nexpires = 2999-01-01\n")
    train = repo / TRAIN
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))
    own = cli("assess", str(repo), "--fail-on-regression", "-f", "json")
    assert own.returncode == 0, own.stderr  # exempt by its own rules
    proc = cli("assess", str(repo), "--fail-on-regression", "--trusted-ref", base, "-f", "json")
    assert proc.returncode == 1
    assert "model.registry was met, now unmet" in proc.stderr
    files = [w["file"] for w in json.loads(proc.stdout)["warnings"] if w["kind"] == "trusted-ref"]
    assert files == ["pyproject.toml"]
    # near miss: a change outside [tool.mlkaizen] is not a rules change
    pyproject.write_text(before + "\n[tool.other]\nx = 1\n")
    proc = cli("assess", str(repo), "--trusted-ref", base, "-f", "json")
    assert [w for w in json.loads(proc.stdout)["warnings"] if w["kind"] == "trusted-ref"] == []


def test_a_deleted_or_linked_baseline_in_the_pull_request_changes_nothing(
    tmp_path: Path
) -> None:
    repo, base = base_repo(tmp_path)
    baseline = repo / ".mlkaizen" / "baseline.json"
    baseline.unlink()
    baseline.symlink_to(repo / "nowhere.json")
    train = repo / TRAIN
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))
    proc = cli("assess", str(repo), "--fail-on-regression", "--trusted-ref", base)
    assert proc.returncode == 1
    assert "model.registry was met, now unmet" in proc.stderr


@pytest.mark.parametrize(("at_base", "message"), [
    ("absent", "baseline not found"),
    ("link", "baseline is a symbolic link in the trusted commit; refused"),
])
def test_a_base_without_a_usable_baseline_fails_the_regression_gate_closed(
    tmp_path: Path, at_base: str, message: str
) -> None:
    repo, _ = base_repo(tmp_path)
    baseline = repo / ".mlkaizen" / "baseline.json"
    good = baseline.read_text()
    baseline.unlink()
    if at_base == "link":
        baseline.symlink_to("../elsewhere.json")
        (repo / "elsewhere.json").write_text(good)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "no usable baseline")
    base = git(repo, "rev-parse", "HEAD")
    baseline.unlink(missing_ok=True)
    baseline.write_text(good)  # the pull request brings one back: not applied
    proc = cli("assess", str(repo), "--fail-on-regression", "--trusted-ref", base)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr
    assert proc.stderr.startswith(f"mlkaizen: error: .mlkaizen/baseline.json@{base[:12]}: ")
    # near miss: not asked for, the run goes on
    assert cli("assess", str(repo), "--trusted-ref", base).returncode == 0


def test_a_catalogue_file_the_config_names_is_still_refused(tmp_path: Path) -> None:
    repo, _ = base_repo(tmp_path)
    (repo / ".mlkaizen.yaml").write_text("catalogue: rules.yaml\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "own catalogue")
    proc = cli("assess", str(repo), "--trusted-ref", "HEAD")
    assert proc.returncode == 2
    assert "a repository cannot choose the rules it is judged by" in proc.stderr


def test_bad_refs_and_folders_are_one_line_exit_2(tmp_path: Path) -> None:
    repo, _ = base_repo(tmp_path)
    plain = tmp_path / "plain"
    shutil.copytree(EXAMPLE, plain)
    cases = [
        ((str(repo), "--trusted-ref", "no-such-branch"), "does not name a commit"),
        ((str(repo), "--trusted-ref", "0" * 40), "does not name a commit"),
        ((str(repo), "--trusted-ref", "--upload-pack=touch x"), "is not a commit name"),
        ((str(plain), "--trusted-ref", "main"), "needs a git repository"),
        (("--no-repo", "--answers", str(repo), "--trusted-ref", "main"), "needs a repository"),
    ]
    for args, message in cases:
        proc = cli("assess", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (repo / "x").exists()


def test_answers_inside_the_repository_come_from_the_base(tmp_path: Path) -> None:
    repo, base = base_repo(tmp_path)
    answers = repo / "answers"
    answers.mkdir()
    header = (f"catalogue: {{id: {CATALOGUE.id}, version: '{CATALOGUE.version}'}}\n"
              "respondent: ann\n")
    (answers / "ann.yaml").write_text(header + f"answers:\n  {ROLES}: no\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "answers")
    base = git(repo, "rev-parse", "HEAD")
    (answers / "ann.yaml").write_text(header + f"answers:\n  {ROLES}: yes\n")
    own = json.loads(cli("assess", str(repo), "--answers", str(answers), "-f", "json").stdout)
    proc = cli("assess", str(repo), "--answers", str(answers), "--trusted-ref", base,
               "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    state = {p["id"]: p["state"] for p in data["practices"]}
    assert {p["id"]: p["state"] for p in own["practices"]}[ROLES] == "met"
    assert state[ROLES] == "unmet"
    assert [w["file"] for w in data["warnings"] if w["kind"] == "trusted-ref"] == [
        "answers/ann.yaml"]


def test_a_saved_assessment_stores_the_base_commits_attestations(tmp_path: Path) -> None:
    from mlkaizen.store import open_store
    from mlkaizen.store.records import load_inputs

    repo, base = base_repo(tmp_path)
    config = repo / ".mlkaizen.yaml"
    config.write_text(config.read_text().replace("maria.lindqvist", "mallory"))
    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    proc = cli("assess", str(repo), "--trusted-ref", base, "--save", "--db", db, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    store = open_store(db)
    try:
        by = {a.respondent for a in load_inputs(store, 1).answers if a.kind == "attestation"}
    finally:
        store.close()
    assert "maria.lindqvist" in by and "mallory" not in by
    # near miss: without --trusted-ref the work tree's config is what was used and stored
    assert cli("assess", str(repo), "--save", "--db", db, "-f", "json").returncode == 0
    store = open_store(db)
    try:
        by = {a.respondent for a in load_inputs(store, 2).answers if a.kind == "attestation"}
    finally:
        store.close()
    assert "mallory" in by and "maria.lindqvist" not in by


def test_a_committed_bare_repository_is_not_taken_for_the_repository(tmp_path: Path) -> None:
    """The folder given is a bare repository the project committed (no .git): refused, its
    config never read."""
    source, _ = base_repo(tmp_path)
    bare = tmp_path / "vendored"
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True,
                   capture_output=True)
    proc = cli("assess", str(bare), "--trusted-ref", "main")
    assert proc.returncode == 2
    assert "needs a git repository" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_a_repository_catalogue_file_is_read_from_the_base(tmp_path: Path) -> None:
    """With --allow-repo-catalogue, the catalogue file the base's config names is the base's
    too; the pull request's edit of it is listed, not applied."""
    repo, _ = base_repo(tmp_path)
    builtin = Path(__file__).resolve().parents[1] / "src" / "mlkaizen" / "catalogue"
    shutil.copy(builtin / "ad-hoc-to-kaizen.yaml", repo / "rules.yaml")
    config = repo / ".mlkaizen.yaml"
    config.write_text("catalogue: rules.yaml\n" + config.read_text())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "own catalogue")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "rules.yaml").write_text("stages: []\n")  # the pull request's own rules
    own = cli("assess", str(repo), "--allow-repo-catalogue")
    assert own.returncode == 2  # near miss: without --trusted-ref its own file is read
    proc = cli("assess", str(repo), "--allow-repo-catalogue", "--trusted-ref", base,
               "--fail-under", "Manual MLOps", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (f"mlkaizen: gate passed [catalogue ad-hoc-to-kaizen "
                           f"{CATALOGUE.version} from the repository's rules.yaml at "
                           f"{base[:12]} (--allow-repo-catalogue), rules from {base[:12]}]\n")
    files = [w["file"] for w in json.loads(proc.stdout)["warnings"] if w["kind"] == "trusted-ref"]
    assert files == ["rules.yaml"]


def monorepo(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose project lies in a sub-folder, with rules kept elsewhere in it: a
    baseline, a config and a catalogue outside the scanned folder, all on the base branch."""
    repo = tmp_path / "mono"
    shutil.copytree(EXAMPLE, repo / "services" / "churn")
    (repo / "services" / "churn" / ".mlkaizen.yaml").unlink()
    (repo / "ci").mkdir()
    assert cli("baseline", "save", str(repo / "services" / "churn"), "-o",
               str(repo / "ci" / "churn.json")).returncode == 0
    (repo / "ci" / "churn.yaml").write_text("not_applicable: {}\n")
    shutil.copy(Path(CATALOGUE_FILE), repo / "ci" / "catalogue.yaml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo, git(repo, "rev-parse", "HEAD")


CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "src" / "mlkaizen" / "catalogue" / (
    "ad-hoc-to-kaizen.yaml")


def test_rules_named_elsewhere_in_the_repository_come_from_the_base(tmp_path: Path) -> None:
    # PATH is a sub-folder; --baseline and --config name files of the same repository
    # outside it: they are the repository's (the pull request's) files, so REF's are read
    repo, base = monorepo(tmp_path)
    project = repo / "services" / "churn"
    train = project / TRAIN
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))
    assert cli("baseline", "save", str(project), "-o", str(repo / "ci" / "churn.json")
               ).returncode == 0
    (repo / "ci" / "churn.yaml").write_text("not_applicable:\n" + "".join(
        f"  {p.id}: {{reason: does not apply here}}\n" for p in CATALOGUE.practices))
    git(repo, "checkout", "-qb", "pr")
    git(repo, "commit", "-qam", "pr")
    args = ("assess", "services/churn", "--baseline", "ci/churn.json", "--config",
            "ci/churn.yaml", "--trusted-ref", base, "-f", "json")
    proc = cli(*args, *GATE, cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert "model.registry" in proc.stderr
    changed = sorted(w["message"] for w in json.loads(proc.stdout)["warnings"]
                     if w["kind"] == "trusted-ref")
    label = base[:12]
    assert changed == [
        f"../../ci/churn.json changed in this pull request: not applied (rules come from {label})",
        f"../../ci/churn.yaml changed in this pull request: not applied (rules come from {label})",
    ]
    # near miss: the same files on the pull request's own rules pass, as before
    assert cli(*args[:6], *GATE, "-q", "-o", str(tmp_path / "r.md"), cwd=repo).returncode == 0


def test_a_catalogue_file_given_in_the_repository_comes_from_the_base(tmp_path: Path) -> None:
    repo, base = monorepo(tmp_path)
    catalogue = repo / "ci" / "catalogue.yaml"
    text = catalogue.read_text()
    loose = __import__("re").sub(r"requires: \{[^}]*\}", "requires: {}", text)
    assert loose != text
    catalogue.write_text(loose)
    git(repo, "checkout", "-qb", "pr")
    git(repo, "commit", "-qam", "pr")
    args = ("assess", "services/churn", "--catalogue", "ci/catalogue.yaml",
            "--fail-under", "Kaizen MLOps", "-f", "json")
    assert cli(*args, cwd=repo).returncode == 0  # the pull request's catalogue: no gate at all
    proc = cli(*args, "--trusted-ref", base, cwd=repo)
    assert proc.returncode == 1, proc.stderr
    changed = [w["message"] for w in json.loads(proc.stdout)["warnings"]
               if w["kind"] == "trusted-ref"]
    assert changed == [f"../../ci/catalogue.yaml changed in this pull request: not applied "
                       f"(rules come from {base[:12]})"]
    # a catalogue file outside the repository is the user's own, read as given
    own = tmp_path / "own.yaml"
    own.write_text(loose)
    assert cli("assess", "services/churn", "--catalogue", str(own), "--fail-under",
               "Kaizen MLOps", "--trusted-ref", base, "-q", "-o", str(tmp_path / "r.md"),
               cwd=repo).returncode == 0


def test_a_pyproject_nested_past_the_stack_is_no_internal_error(tmp_path: Path) -> None:
    repo, base = base_repo(tmp_path)
    git(repo, "checkout", "-qb", "pr")
    depth = 200_000
    (repo / "pyproject.toml").write_text("[tool.x]\na = " + "[" * depth + "]" * depth + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "deep")
    proc = cli("assess", str(repo), "--trusted-ref", base, "--fail-under", "Manual MLOps",
               "-q", "-o", str(tmp_path / "r.md"))
    assert proc.returncode == 0, proc.stderr  # the base's rules; the example is Manual MLOps
    assert "internal error" not in proc.stderr
    from mlkaizen.config import tool_section

    assert tool_section("[tool.mlkaizen]\na = " + "[" * depth + "]" * depth + "\n") is None
    assert tool_section("[tool.mlkaizen]\na = 1\n") == {"a": 1}  # near miss


def test_an_answers_file_with_a_space_is_named_whole(tmp_path: Path) -> None:
    repo, _ = base_repo(tmp_path)
    header = (f"catalogue: {{id: {CATALOGUE.id}, version: '{CATALOGUE.version}'}}\n"
              "respondent: ann\n")
    answers = repo / "my answers.yaml"
    answers.write_text(header + f"answers:\n  {ROLES}: no\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "answers")
    base = git(repo, "rev-parse", "HEAD")
    answers.write_text(header + f"answers:\n  {ROLES}: yes\n")
    proc = cli("assess", str(repo), "--answers", str(answers), "--trusted-ref", base,
               "-f", "json")
    assert proc.returncode == 0, proc.stderr
    changed = [(w["file"], w["message"]) for w in json.loads(proc.stdout)["warnings"]
               if w["kind"] == "trusted-ref"]
    assert changed == [("my answers.yaml", "my answers.yaml changed in this pull request: not "
                        f"applied (rules come from {base[:12]})")]


def test_a_repository_reached_through_the_users_link_is_still_judged_by_the_base(
    tmp_path: Path,
) -> None:
    # a CI workspace may be a link: the files named through it are still the repository's
    repo, base = base_repo(tmp_path)
    hostile_pull_request(repo)
    link = tmp_path / "workspace"
    link.symlink_to(repo)
    proc = cli("assess", str(link), *GATE, "--trusted-ref", base, "--config",
               str(link / ".mlkaizen.yaml"), "--baseline", str(link / ".mlkaizen" /
                                                               "baseline.json"), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    changed = sorted(w["file"] for w in json.loads(proc.stdout)["warnings"]
                     if w["kind"] == "trusted-ref")
    assert changed == [".mlkaizen.yaml", ".mlkaizen/baseline.json"]


def test_a_link_the_pull_request_commits_never_makes_a_rules_file_the_users(
    tmp_path: Path,
) -> None:
    # near miss of the above: resolving the folders must not follow a committed link out
    repo, base = base_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rules.yaml").write_text("not_applicable: {}\n")
    (repo / "ci").symlink_to(outside)
    git(repo, "checkout", "-qb", "pr")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    proc = cli("assess", str(repo), "--trusted-ref", base, "--config",
               str(repo / "ci" / "rules.yaml"), "-q", "-o", str(tmp_path / "r.md"))
    assert proc.returncode == 2, proc.stderr
    assert "config file not found in the trusted commit" in proc.stderr


@pytest.mark.parametrize("named", [False, True])
def test_a_bad_answers_file_of_the_base_is_named_as_the_base_holds_it(
    tmp_path: Path, named: bool
) -> None:
    """The answers read from the base are copied to a temporary folder to be read; an error
    in one once named that copy (``/tmp/mlkaizen-trusted-…/...``), a file that no longer
    exists, instead of the base's file."""
    repo, _ = base_repo(tmp_path)
    answers = repo / ".mlkaizen" / "answers" / "ann.yaml"
    answers.parent.mkdir(parents=True, exist_ok=True)
    answers.write_text(f"catalogue: {{id: {CATALOGUE.id}}}\nrespondent: ann\n"
                       "answers:\n  no.such-practice: yes\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "answers")
    base = git(repo, "rev-parse", "HEAD")
    given = ("--answers", str(answers.parent)) if named else ()
    proc = cli("assess", str(repo), "--trusted-ref", base, *given, "-f", "json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (f"mlkaizen: error: .mlkaizen/answers/ann.yaml@{base[:12]}:4: "
                           "answers: unknown practice 'no.such-practice' (see `mlkaizen model "
                           "show`)\n")
