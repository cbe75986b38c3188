"""Where every report says evidence is: one path relative to the repository's root and a
line, the same in every format, also under ``--scope``; links that stay in the repository
(or under ``--link-base``); each SARIF result and each piece of evidence once."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import jsonschema

from mlkaizen import assess
from mlkaizen.api import assess_with_projects
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.report import RenderContext, get_renderer
from tests.conftest import MakeRepo

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
BASE = "https://git.example/acme/monorepo/blob/abc123/"

# a DVC project whose model report runs in two CI systems: in each, one job evaluates the
# model, compares it with main and publishes a CML report (three findings at one line)
CML_REPO = {
    "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [src/train.py]\n"
    "    outs: [model.pkl]\n  evaluate:\n    cmd: python src/evaluate.py model.pkl\n"
    "    deps: [model.pkl]\n    metrics: [eval/metrics.json]\n",
    "src/train.py": "from sklearn.linear_model import LogisticRegression\n"
    "LogisticRegression().fit([[0]], [0])\n",
    "src/evaluate.py": "import json\nfrom sklearn.metrics import roc_auc_score\n"
    "json.dump({'auc': roc_auc_score([0, 1], [0, 1])}, open('eval/metrics.json', 'w'))\n",
    ".gitlab-ci.yml": "report:\n  image: dvcorg/cml:0-dvc3-base1\n  script:\n"
    "    - dvc pull eval\n    - dvc exp diff main --md > report.md\n"
    "    - cml comment create report.md\n",
    ".github/workflows/cml.yaml": "name: CML Report\non: pull_request\njobs:\n  run:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - uses: iterative/setup-cml@v2\n"
    "      - name: Report\n        run: |\n          dvc pull eval\n"
    "          dvc exp diff main --md > report.md\n          cml comment create report.md\n",
}


def render(fmt: str, root: Path, **kwargs: object) -> str:
    a = kwargs.pop("assessment", None) or assess(root)
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=root, **kwargs)  # type: ignore[arg-type]
    return get_renderer(fmt)(a, ctx)  # type: ignore[arg-type]


def locations(sarif: dict[str, object]) -> list[tuple[str, str, int]]:
    out = []
    for r in sarif["runs"][0]["results"]:  # type: ignore[index]
        where = r["locations"][0]["physicalLocation"]
        out.append((r["ruleId"], where["artifactLocation"]["uri"], where["region"]["startLine"]))
    return out


def validate(log: dict[str, object]) -> None:
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)


def test_sarif_has_one_result_per_rule_and_location(make_repo: MakeRepo) -> None:
    root = make_repo(CML_REPO)
    log = json.loads(render("sarif", root))
    validate(log)
    where = locations(log)
    assert [k for k, n in Counter(where).items() if n > 1] == []
    gate = {
        (uri, line): r["message"]["text"]
        for r, (rule, uri, line) in zip(log["runs"][0]["results"], where, strict=True)
        if rule == "model.validation-gate"
    }
    assert sorted(gate) == [(".github/workflows/cml.yaml", 7), (".github/workflows/cml.yaml", 8),
                            (".gitlab-ci.yml", 2)]
    # each location says what was seen there, not what was seen at the first one
    assert gate[(".gitlab-ci.yml", 2)].startswith(
        "An automated gate validates models before promotion: partial (gitlab-ci job 'report' "
        "evaluates a model; gitlab-ci job 'report' publishes a CML report; gitlab-ci job "
        "'report' compares with a baseline). Fix: ")
    assert "github-actions" not in gate[(".gitlab-ci.yml", 2)]
    assert gate[(".github/workflows/cml.yaml", 7)].startswith(
        "An automated gate validates models before promotion: partial (github-actions job 'run' "
        "publishes a CML report). Fix: ")
    assert "gitlab-ci" not in gate[(".github/workflows/cml.yaml", 8)]


def test_json_evidence_is_listed_once(make_repo: MakeRepo) -> None:
    """Seeds set without a parameters file: the seed finding is both a sign of partial use
    and one of the two conditions of full use; it is evidence once."""
    root = make_repo({
        "src/train.py": "import random\nfrom sklearn.linear_model import LogisticRegression\n"
        "random.seed(0)\nLogisticRegression().fit([[0]], [0])\n",
        "requirements.txt": "scikit-learn==1.5.0\npandas\n",
    })
    data = json.loads(render("json", root))
    for p in data["practices"]:
        keys = [json.dumps(e, sort_keys=True) for e in p["evidence"]]
        assert len(keys) == len(set(keys)), p["id"]
    by_id = {p["id"]: p for p in data["practices"]}
    seeds = by_id["model.reproducible-training"]
    assert seeds["state"] == "partial"
    assert [(e["detector"], e["file"], e["line"]) for e in seeds["evidence"]] == [
        ("random_seeds_set", "src/train.py", 3)]
    pinned = by_id["operations.reproducible-environment"]
    assert [(e["detector"], e["file"], e["line"]) for e in pinned["evidence"]] == [
        ("dependencies_pinned", "requirements.txt", 1)]


def test_html_links_stay_inside_the_repository(example_copy: Path, tmp_path: Path) -> None:
    """A report saved outside the repository links repository paths, never ``../..`` up to
    the assessor's home, nor an absolute path."""
    out = tmp_path / "reports" / "today" / "report.html"
    page = render("html", example_copy, out=out)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs
    for href in hrefs:
        if href.startswith("#"):
            continue  # a place in the page
        path = href.partition("#")[0]
        assert not path.startswith("/") and ":" not in path, href
        assert ".." not in path.split("/"), href
        assert (example_copy / path).is_file(), href
    assert str(tmp_path) not in page and tmp_path.name not in page
    md = render("markdown", example_copy, out=out)
    assert "](../" not in md and "](/" not in md
    assert "[`src/churn/train.py:31`](src/churn/train.py#L31)" in md


def test_a_sub_folder_names_its_repository_without_the_assessors_path(tmp_path: Path) -> None:
    repo = tmp_path / "home" / "someone" / "monorepo"
    (repo / ".git").mkdir(parents=True)
    (repo / "services" / "churn").mkdir(parents=True)
    (repo / "services" / "churn" / "train.py").write_text("import sklearn\n")
    sub = repo / "services" / "churn"
    for fmt in ("html", "markdown", "terminal", "sarif"):  # the JSON names its subject's path
        assert str(tmp_path) not in render(fmt, sub), fmt
    data = json.loads(render("json", sub))
    assert str(tmp_path) not in json.dumps([data["practices"], data["findings"]])
    notes = [p.note for p in assess(sub).practices if p.id == "organization.version-control"]
    assert notes == ["version control: ../../.git"]


def test_html_shows_a_practices_evidence_once(example_copy: Path) -> None:
    """A practice's note that is its first evidence's detail is not printed again."""
    page = render("html", example_copy)
    row = page.split('<tr id="organization.code-ownership">', 1)[1].split("</tr>", 1)[0]
    assert row.count("4 ownership rules") == 1
    assert '<td><a href=".github/CODEOWNERS#L1">.github/CODEOWNERS:1</a> 4 ownership rules' in row
    vcs = page.split('<tr id="organization.version-control">', 1)[1].split("</tr>", 1)[0]
    assert vcs.count("version control: .git") == 1


MONOREPO = {
    "credit-scorer/pyproject.toml": "[project]\nname = 'credit-scorer'\n",
    "credit-scorer/src/train.py": "import mlflow\nfrom sklearn.linear_model import "
    "LogisticRegression\nmlflow.log_metric('auc', 0.9)\nLogisticRegression().fit([[0]], [0])\n",
    "credit-scorer/tests/test_train.py": "def test_train():\n    assert True\n",
    "fraud/pyproject.toml": "[project]\nname = 'fraud'\n",
    "fraud/train.py": "import torch\ntorch.nn.Linear(1, 1)\n",
    # the scope's CI, by a paths filter and by its working directory
    ".github/workflows/credit.yml": "on:\n  push:\n    paths: ['credit-scorer/**']\njobs:\n"
    "  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    "      - run: pytest tests\n        working-directory: credit-scorer\n",
    ".github/workflows/credit-nightly.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
    "jobs:\n  train:\n    runs-on: ubuntu-latest\n    defaults:\n      run:\n"
    "        working-directory: ./credit-scorer/src\n    steps:\n      - run: pip install mlflow\n"
    "      - run: python train.py\n",
    # another sub-project's CI: not the scope's
    ".github/workflows/fraud.yml": "on:\n  push:\n    paths: ['fraud/**', 'credit-scorer-v2/**']\n"
    "jobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n"
    "        working-directory: fraud\n",
    ".github/workflows/fraud-deploy.yml": "on: workflow_dispatch\njobs:\n  deploy:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - run: pip install -r requirements.txt\n"
    "      - run: python deploy.py\n        working-directory: fraud\n",
    # the repository's own: for every folder
    ".github/workflows/lint.yml": "on: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: ruff check .\n",
    ".github/workflows/deps.yml": "on:\n  push:\n    paths: ['requirements.txt', '**/*.toml']\n"
    "jobs:\n  audit:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip-audit\n"
    "        working-directory: fraud\n",
}
SCOPE_CI = {".github/workflows/credit.yml", ".github/workflows/credit-nightly.yml",
            ".github/workflows/lint.yml", ".github/workflows/deps.yml"}


def test_scope_keeps_the_root_ci_that_concerns_it(make_repo: MakeRepo) -> None:
    root = make_repo(MONOREPO)
    a = assess(root, scope="credit-scorer")
    ci = {f.file for f in a.findings if f.file and f.file.startswith(".github/")}
    assert ci == SCOPE_CI
    scheduled = a.practice("model.ct-triggers")
    assert scheduled is not None
    assert {e.file for e in scheduled.evidence} >= {".github/workflows/credit-nightly.yml"}
    # every other finding is the scope's, under its repository path
    assert {f.file.split("/")[0] for f in a.findings if f.file} == {"credit-scorer", ".github"}
    # the scope's 3 files and the 4 workflows that concern it are listed; the 2 other
    # workflows were read too, to tell
    assert a.scan is not None and (a.scan.files_listed, a.scan.files_read) == (7, 9)
    # ./credit-scorer/ and credit-scorer/ name the same scope
    again = assess(root, scope="./credit-scorer/")
    assert again.subject.scope == "credit-scorer" and again.findings == a.findings


def test_which_root_ci_concerns_a_folder(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.projects import shared_with

    root = make_repo(MONOREPO)
    tree = RepoTree(root)
    shared = sorted(f for f in tree.files if f.startswith(".github/"))
    assert set(shared_with(tree, "credit-scorer", shared)) == SCOPE_CI
    assert set(shared_with(tree, "fraud", shared)) == {
        ".github/workflows/fraud.yml", ".github/workflows/fraud-deploy.yml",
        ".github/workflows/lint.yml", ".github/workflows/deps.yml"}
    # a folder inside a named one, and one holding it, are concerned; a name that merely
    # starts the same (credit-scorer-v2) is another folder
    assert ".github/workflows/credit.yml" in shared_with(tree, "credit-scorer/src", shared)
    assert ".github/workflows/credit-nightly.yml" not in shared_with(tree, "fraud", shared)
    assert ".github/workflows/fraud.yml" not in shared_with(tree, "credit-scorer", shared)


def test_sub_projects_get_the_root_ci_that_concerns_them(make_repo: MakeRepo) -> None:
    _, parts = assess_with_projects(make_repo(MONOREPO))
    seen = {
        path: {f.file for f in part.findings if f.file and f.file.startswith(".github/")}
        for path, part in parts
    }
    assert seen == {"credit-scorer": SCOPE_CI, "fraud": {
        ".github/workflows/fraud.yml", ".github/workflows/fraud-deploy.yml",
        ".github/workflows/lint.yml", ".github/workflows/deps.yml"}}


def test_every_format_agrees_on_locations_under_a_scope(make_repo: MakeRepo) -> None:
    root = make_repo(MONOREPO)
    a = assess(root, scope="credit-scorer")
    tracking = a.practice("model.experiment-tracking")
    assert tracking is not None
    assert [(e.file, e.line) for e in tracking.evidence] == [("credit-scorer/src/train.py", 3)]
    data = json.loads(render("json", root, assessment=a))
    evidence = {(e["file"], e["line"]) for p in data["practices"] for e in p["evidence"]
                if e["file"] and e["line"]}
    assert ("credit-scorer/src/train.py", 3) in evidence
    found = {(f["file"], f["line"]) for f in data["findings"] if f["file"] and f["line"]}
    sarif = json.loads(render("sarif", root, assessment=a, link_base=BASE))
    validate(sarif)
    assert {(uri, line) for _, uri, line in locations(sarif)} <= evidence
    for fmt in ("html", "markdown"):
        text = render(fmt, root, assessment=a, link_base=BASE)
        assert f"{BASE}credit-scorer/src/train.py#L3" in text, fmt
        links = re.findall(re.escape(BASE) + r"([^)\"#]+)#L(\d+)", text)
        assert links, fmt
        assert {(f, int(n)) for f, n in links} <= evidence | found, fmt
        assert f"{BASE}src/train.py" not in text, fmt


def test_a_sub_folder_is_located_in_its_repository(make_repo: MakeRepo) -> None:
    """``cd repo/ml && mlkaizen assess``: paths, links and SARIF locations are the
    repository's (``ml/train.py``), as its URL and code scanning resolve them."""
    from tests.test_cli import cli

    files = {"ml/train.py": "import mlflow\nmlflow.log_metric('auc', 0.9)\n", "README.md": "# x\n"}
    root = make_repo(files, git=True)

    def tracked(proc_stdout: str) -> list[tuple[str, int]]:
        data = json.loads(proc_stdout)
        p = next(p for p in data["practices"] if p["id"] == "model.experiment-tracking")
        return [(e["file"], e["line"]) for e in p["evidence"]]

    assert tracked(cli("assess", str(root / "ml"), "-f", "json").stdout) == [("ml/train.py", 2)]
    md = cli("assess", "-f", "markdown", "--link-base", BASE, cwd=root / "ml")
    assert md.returncode == 0, md.stderr
    assert f"({BASE}ml/train.py#L2)" in md.stdout and f"{BASE}train.py" not in md.stdout
    # near misses: the repository's top is its own prefix; a folder outside git has none
    assert tracked(cli("assess", str(root), "-f", "json").stdout) == [("ml/train.py", 2)]
    plain = make_repo(files)
    assert tracked(cli("assess", str(plain / "ml"), "-f", "json").stdout) == [("train.py", 2)]


def test_projects_of_a_scope_are_listed_with_their_repository_paths(make_repo: MakeRepo) -> None:
    from tests.test_cli import cli

    project = {"pyproject.toml": "[project]\nname = 'p'\n",
               "train.py": "import torch\ntorch.nn.Linear(1, 1)\n"}
    root = make_repo({f"apps/{name}/{f}": text for name in ("credit", "fraud")
                      for f, text in project.items()})
    for scope in ("apps", "./apps/"):
        listed = cli("assess", str(root), "--scope", scope, "--projects")
        assert listed.returncode == 0, listed.stderr
        assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == [
            "apps/credit", "apps/fraud"]
