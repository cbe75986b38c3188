"""A project template's files (``train.py.tmpl``, ``dvc.yaml.j2``) are read as the files they
render, with directive-only lines blanked; findings point at the template file itself."""

from __future__ import annotations

from mlkaizen.api import assess
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

TRAIN = (
    "import mlflow\n"
    "{{- if (eq .input_include_models_in_unity_catalog \"yes\") }}\n"
    "mlflow.set_registry_uri('databricks-uc')\n"
    "{{end -}}\n"
    "mlflow.set_experiment('/dev-{{template `experiment_base_name` .}}')\n"
    "with mlflow.start_run():\n"
    "    mlflow.log_metric('auc', 0.9)\n"
)


def test_template_files_are_listed_as_what_they_render(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({
        "template/{{.root}}/train.py.tmpl": TRAIN,
        "template/{{.root}}/params.yaml.j2": "seed: {{ seed }}\n",
        "notes.tmpl": "no extension once rendered: left as it is\n",
        "app.py": "x = 1\n", "app.py.tmpl": "x = {{ value }}\n",  # the real file wins
    }))
    assert tree.files == ["app.py", "app.py.tmpl", "notes.tmpl",
                          "template/{{.root}}/params.yaml", "template/{{.root}}/train.py"]
    text = tree.text("template/{{.root}}/train.py")
    assert text is not None and text.splitlines()[1] == "" and text.splitlines()[3] == ""
    assert tree.python("template/{{.root}}/train.py") is not None
    assert text.splitlines()[4] == "mlflow.set_experiment('/dev-tmpl')"  # expressions: a word
    assert tree.yaml("template/{{.root}}/params.yaml") == [{"seed": "tmpl"}]


def test_findings_point_at_the_template_file(make_repo: MakeRepo) -> None:
    a = assess(make_repo({"template/{{.root}}/train.py.tmpl": TRAIN}))
    tracking = a.practice("model.experiment-tracking")
    assert tracking is not None and tracking.state.value == "met"
    assert [(e.file, e.line) for e in tracking.evidence][:1] == [
        ("template/{{.root}}/train.py.tmpl", 5)  # set_experiment, line numbers kept
    ]
