"""Notebooks with IPython syntax: magics, shell escapes, help and cell magics.

Each code cell is parsed as Python after IPython-only lines become harmless statements on the
same line; the shell they run is kept for the detectors that read commands.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.parse.ipython import transform_cell
from mlkaizen.evidence.parse.notebook import parse_notebook
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo


def notebook(*cells: str, markdown_first: bool = True) -> str:
    """An nbformat-4 notebook, pretty-printed like Jupyter writes it (one source line per
    JSON line), with a markdown cell first so cell numbers and code-cell numbers differ."""
    items = [{"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]}] * markdown_first
    for cell in cells:
        items.append({
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream",
                         "text": ['"source": not a key\n']}],
            "source": cell.splitlines(keepends=True),
        })
    return json.dumps({"cells": items, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1) + "\n"


# ------------------------------------------------------------------ the rewrite, line by line
@pytest.mark.parametrize(("line", "python", "shell"), [
    ("!pip install mlflow==2.9", "pass", ["pip install mlflow==2.9"]),
    ("!!ls data", "pass", ["ls data"]),
    ("files = !ls data/raw", "files = None", ["ls data/raw"]),
    ("out = %sx gcloud ai models list", "out = None", ["gcloud ai models list"]),
    ("%load_ext autoreload", "pass", []),
    ("%matplotlib inline", "pass", []),
    ("%pip install -q dvc", "pass", ["pip install -q dvc"]),
    ("%conda install -y pandas", "pass", ["conda install -y pandas"]),
    ("%system az ml job create -f job.yml", "pass", ["az ml job create -f job.yml"]),
    # the working folder a notebook moves to (the jobs it then runs live there)
    ("%cd beam_training", "pass", ["cd beam_training"]),
    ("%cdx beam_training", "pass", []),
    ("mlflow.log_metric?", "pass", []),
    ("??mlflow.start_run", "pass", []),
    ("/print a b", "pass", []),
    (",f a b", "pass", []),
    ("x = 1  # 100%", "x = 1  # 100%", []),
    ("ok = a != b", "ok = a != b", []),
    ("y = x % 2", "y = x % 2", []),
])
def test_line_rewrites(line: str, python: str, shell: list[str]) -> None:
    code = transform_cell(line)
    assert code.python == [python]
    assert [c for _, c in code.shell] == shell


def test_lines_keep_their_numbers_and_indentation() -> None:
    code = transform_cell("import os\nif True:\n    !dvc push\n    %time f()\nx = 1\n")
    assert code.python == ["import os", "if True:", "    pass", "    pass", "x = 1"]
    assert code.shell == [(3, "dvc push")]


def test_continued_shell_escape_is_one_command() -> None:
    code = transform_cell("!gcloud functions deploy f \\\n    --region=eu \\\n    --runtime=py\nx = 1")
    assert code.python == ["pass", "", "", "x = 1"]
    assert code.shell == [(1, "gcloud functions deploy f --region=eu --runtime=py")]


def test_strings_and_brackets_spanning_lines_are_not_rewritten() -> None:
    source = 's = """\n!not a shell line\n%d items\n"""\nt = (1,\n%2)\n!echo done'
    code = transform_cell(source)
    assert code.python == ['s = """', "!not a shell line", "%d items", '"""', "t = (1,", "%2)",
                           "pass"]
    assert code.shell == [(7, "echo done")]


@pytest.mark.parametrize(("cell", "python", "shell", "writes"), [
    ("%%bash\ndvc repro\n# comment\naz ml job create \\\n  -f job.yml\n",
     ["", "", "", "", ""], [(2, "dvc repro"), (4, "az ml job create -f job.yml")], []),
    ("%%sh\nmlflow run .\n", ["", ""], [(2, "mlflow run .")], []),
    ("%%script bash\ngcloud ai endpoints list\n", ["", ""], [(2, "gcloud ai endpoints list")], []),
    ("%%script python\nimport os\n", ["", ""], [], []),
    ("%%time\nimport mlflow\n!ls\n", ["", "import mlflow", "pass"], [(3, "ls")], []),
    ("%%capture\nx = 1\n", ["", "x = 1"], [], []),
    ("%%writefile src/train.py\nimport mlflow\nmlflow.autolog()\n",
     ["", "import mlflow", "mlflow.autolog()"], [], []),
    ("%%writefile -a run.sh\ndvc push\n", ["", ""], [(2, "dvc push")], []),
    ("%%writefile conda.yml\nname: env\ndependencies: [mlflow]\n", ["", "", ""], [],
     [("conda.yml", 2, "name: env\ndependencies: [mlflow]")]),
    ("%%html\n<b>import mlflow</b>\n", ["", ""], [], []),
    ("\n%%bash\nls\n", ["", "", ""], [(3, "ls")], []),
])
def test_cell_magics(cell: str, python: list[str], shell: list[tuple[int, str]],
                     writes: list[tuple[str, int, str]]) -> None:
    code = transform_cell(cell)
    assert (code.python, code.shell, code.writes) == (python, shell, writes)


# ------------------------------------------------------------------ whole notebooks
def test_a_cell_that_does_not_parse_is_skipped_alone(make_repo: MakeRepo) -> None:
    text = notebook("import mlflow\n", "def broken(:\n    pass\n",
                    "mlflow.log_metric('auc', 0.9)\n")
    root = make_repo({"nb.ipynb": text})
    tree = RepoTree(root)
    facts = tree.python("nb.ipynb")
    assert facts is not None
    assert [c.name for c in facts.calls] == ["mlflow.log_metric"]
    lines = text.splitlines()
    [warning] = tree.warnings
    assert warning.file == "nb.ipynb"
    assert warning.detail.startswith("notebook cell 3: Python syntax error")
    assert warning.detail.endswith("; cell skipped")
    assert "def broken(:" in lines[warning.line - 1]  # type: ignore[operator]
    finding = REGISTRY["experiment_tracking_used"].detect(tree)
    assert [(f.file, lines[f.line - 1].strip()) for f in finding] == [  # type: ignore[operator]
        ("nb.ipynb", '"mlflow.log_metric(\'auc\', 0.9)\\n"')
    ]


def test_imports_in_one_cell_resolve_calls_in_later_cells() -> None:
    facts = parse_notebook(notebook("import mlflow as mf\n", "%%time\nmf.log_param('a', 1)\n"))
    assert [c.name for c in facts.calls] == ["mlflow.log_param"]
    assert facts.skipped == []


def test_a_string_source_maps_every_line_to_its_json_line() -> None:
    text = json.dumps({"cells": [{"cell_type": "code", "source": "!ls\nimport os\n"}]})
    facts = parse_notebook(text)
    assert facts.imports == {"os": 1}
    assert facts.shell == [(1, "ls")]


def test_notebook_shell_is_read_by_command_detectors(make_repo: MakeRepo) -> None:
    text = notebook("import pandas\n", "!helm rollback churn 0\n")
    root = make_repo({"deploy.ipynb": text})
    tree = RepoTree(root)
    assert tree.shell_scripts() == ["deploy.ipynb"]
    [finding] = REGISTRY["rollback_supported"].detect(tree)
    assert finding.file == "deploy.ipynb"
    assert "helm rollback churn 0" in text.splitlines()[finding.line - 1]  # type: ignore[operator]


def test_notebook_without_shell_is_not_a_script(make_repo: MakeRepo) -> None:
    root = make_repo({"nb.ipynb": notebook("x = 100 % 7\n", "print('!')\n")})
    assert RepoTree(root).shell_scripts() == []


MAGIC_NOTEBOOKS = {
    "notebooks/01-train.ipynb": notebook(
        "%load_ext autoreload\n%autoreload 2\n!pip install -q mlflow scikit-learn\n",
        "import mlflow\nimport mlflow.sklearn\nimport numpy as np\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.dummy import DummyClassifier\nLogisticRegression?\n",
        "%%time\nnp.random.seed(0)\nwith mlflow.start_run():\n"
        "    model = LogisticRegression(random_state=0).fit(X, y)\n"
        "    baseline = DummyClassifier().fit(X, y)\n"
        "    mlflow.log_metric('auc', 0.9)\n"
        "    mlflow.sklearn.log_model(model, 'model', registered_model_name='churn')\n",
        "files = !ls data\n%matplotlib inline\n",
    ),
    "notebooks/02-release.ipynb": notebook(
        "%%bash\ndvc metrics diff main\nhelm rollback churn 0\n",
        "%%writefile src/drift.py\nfrom evidently import Report\n"
        "from evidently.presets import DataDriftPreset\nr = Report([DataDriftPreset()])\n",
        "from prometheus_client import Counter\nC = Counter('c', 'd')\n",
    ),
}
PLAIN_FILES = {
    "notebooks/train.py": (
        "import mlflow\nimport mlflow.sklearn\nimport numpy as np\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.dummy import DummyClassifier\n"
        "np.random.seed(0)\nwith mlflow.start_run():\n"
        "    model = LogisticRegression(random_state=0).fit(X, y)\n"
        "    baseline = DummyClassifier().fit(X, y)\n"
        "    mlflow.log_metric('auc', 0.9)\n"
        "    mlflow.sklearn.log_model(model, 'model', registered_model_name='churn')\n"
    ),
    "notebooks/release.sh": "pip install -q mlflow scikit-learn\ndvc metrics diff main\n"
                            "helm rollback churn 0\n",
    "notebooks/release.py": (
        "from evidently import Report\n"
        "from evidently.presets import DataDriftPreset\nr = Report([DataDriftPreset()])\n"
        "from prometheus_client import Counter\nC = Counter('c', 'd')\n"
    ),
}


def _findings(tree: RepoTree) -> set[tuple[str, str, str]]:
    """(detector, outcome, context) of every finding, files left out: they differ by design."""
    return {(f.detector, f.outcome.value, f.context.value)
            for det in REGISTRY.values() for f in det.detect(tree)}


def test_notebooks_with_magics_yield_the_findings_of_the_same_code_in_files(
    make_repo: MakeRepo,
) -> None:
    from_notebooks = RepoTree(make_repo(MAGIC_NOTEBOOKS))
    from_files = RepoTree(make_repo(PLAIN_FILES))
    expected = {
        ("baseline_comparison_present", "found", "project"),
        ("drift_detection_used", "found", "project"),
        ("experiment_tracking_used", "found", "project"),
        ("model_packaged", "found", "project"),
        ("model_registry_used", "found", "project"),
        ("random_seeds_set", "found", "project"),
        ("rollback_supported", "found", "project"),
        ("service_metrics_exported", "found", "project"),
        ("training_code_present", "found", "project"),
    }
    assert _findings(from_files) == expected
    assert _findings(from_notebooks) == expected
    assert from_notebooks.warnings == []


def test_walkthrough_notebook_cells_parse() -> None:
    """Cells shaped like those of a Vertex AI walkthrough notebook
    (GoogleCloudPlatform/mlops-with-vertex-ai), none of which parsed as plain Python."""
    text = notebook(
        "PROJECT = ''\nif PROJECT == '' or PROJECT is None:\n"
        "    shell_output = !gcloud config list --format 'value(core.project)' 2>/dev/null\n"
        "    PROJECT = shell_output[0]\n",
        'ENV_VARS=f"""\\\nPROJECT={PROJECT},\\\nREGION={REGION}\n"""\n\n!echo {ENV_VARS}\n',
        "!gcloud functions deploy {NAME} \\\n    --region={REGION} \\\n"
        "    --trigger-topic={TOPIC}\n",
        "from google.cloud import aiplatform as vertex_ai\n"
        "vertex_ai.init(project=PROJECT, location=REGION)\n",
    )
    facts = parse_notebook(text)
    assert facts.skipped == []
    assert [c for _, c in facts.shell] == [
        "gcloud config list --format 'value(core.project)' 2>/dev/null",
        "echo {ENV_VARS}",
        "gcloud functions deploy {NAME} --region={REGION} --trigger-topic={TOPIC}",
    ]
    assert [c.name for c in facts.calls] == ["google.cloud.aiplatform.init"]


_CELL_CHARS = list("ab_ =(){}!%?/,;#'\"\\\n\r\t\x0b\x0c\x1c\x85\u2028\u00a0")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CELL_CHARS), max_size=40))
def test_the_plain_python_shortcut_changes_no_cell(source: str) -> None:
    """A cell that cannot hold IPython-only syntax skips the line-by-line scan: the result is
    the scan's own, whatever the line breaks and white space."""
    from mlkaizen.evidence.parse import ipython

    fast = ipython.transform_cell(source)
    real = ipython._plain_python
    ipython._plain_python = lambda _source: False  # the scan, always
    try:
        slow = ipython.transform_cell(source)
    finally:
        ipython._plain_python = real
    assert fast == slow, repr(source)


@pytest.mark.parametrize("source, plain", [
    ("import os\nx = [1, 2]\nprint(x)\n", True),
    ("def f(a, b):\n    return a / b\n", True),
    ("x = 1\n  /f a\n", False),  # an auto-call, indented
    ("x = 1\x85,f a b\n", False),  # after a line break only splitlines knows
    ("!pip install x\n", False),
    ("x = 1 if a != b else 2\n", False),  # not IPython, but in doubt: scanned
    ("obj?\n", False),
])
def test_which_cells_take_the_shortcut(source: str, plain: bool) -> None:
    from mlkaizen.evidence.parse.ipython import _plain_python

    assert _plain_python(source) is plain


def test_a_notebooks_facts_then_import_prepass_read_its_json_once(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a parsing worker asks for them: the second reuses the first's cells."""
    from mlkaizen.evidence.parse import notebook as nb

    nb._rewritten_cells.cache_clear()
    reads: list[int] = []
    real = nb.load_json

    def counting(text: str) -> object:
        reads.append(len(text))
        return real(text)

    monkeypatch.setattr(nb, "load_json", counting)
    text = notebook("import pandas as pd\n!pip install x\n", "df = pd.read_csv('a.csv')\n")
    facts = nb.parse_notebook(text)
    code, origin = nb.notebook_code(text)
    assert len(reads) == 1
    assert list(facts.imports) == ["pandas"] and facts.shell == [(25, "pip install x")]
    assert code == "import pandas as pd\npass\ndf = pd.read_csv('a.csv')"
    assert origin == [24, 25, 42]
    nb.notebook_code(text.replace("a.csv", "b.csv"))  # another notebook: read
    assert len(reads) == 2
