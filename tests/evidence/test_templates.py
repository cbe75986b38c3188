"""A project template's files (``train.py.tmpl``, ``dvc.yaml.j2``) are read as the files they
render, with directive-only lines blanked; findings point at the template file itself."""

from __future__ import annotations

import pytest

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


def test_control_actions_are_removed_as_the_patterns_did() -> None:
    from mlkaizen.evidence.tree import _strip_controls

    assert _strip_controls("a{% if x %}b{# note #}c{{ end }}d") == "abcd"
    assert _strip_controls("{%-%}{%%}{#x#}") == ""  # the close may follow the opener at once
    assert _strip_controls("{%}") == "{%}"  # a close needs two characters after the opener
    assert _strip_controls("{% x\n%}") == "{% x\n%}"  # never across lines
    assert _strip_controls("{% {# %} #}") == " #}"  # the first opener wins
    assert _strip_controls("{{ value }}") == "{{ value }}"  # an expression stays
    assert _strip_controls("{{-\n if x }}y") == "y"  # Go's spaces may hold a newline


def test_unclosed_openers_on_one_line_cost_linear_work() -> None:
    """Each opener of a long line without its close used to search to the end of the line:
    300 KB of ``{%`` took minutes. The work (characters searched) now grows with the text."""
    from mlkaizen.evidence.tree import _strip_controls

    for piece in ("{%", "{#", "{% {# %}", "{%a %}{#", "{{ if ", "{#{%{{"):
        work = []
        for n in (2_000, 8_000):
            count = [0]
            _strip_controls(piece * n, count)
            work.append(count[0])
        assert work[1] <= 4.2 * work[0], (piece, work)  # quadratic work would be 16 times
        assert work[1] <= 12 * len(piece) * 8_000, (piece, work)


def test_a_template_with_a_long_line_of_openers_is_still_read(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({"train.py.tmpl": "import mlflow\n# " + "{%" * 50_000 + "\n"}))
    text = tree.text("train.py")
    assert text is not None and text.startswith("import mlflow\n# {%{%")
    assert len(text) == len("import mlflow\n# ") + 100_001


JINJA_TRAIN = (
    "import mlflow\n"
    "{%- if use_registry %}\n"
    "from mlflow import register_model\n"
    "{%- endif %}\n"
    "def {{ product_name }}_train():\n"
    "    with mlflow.start_run():\n"
    "        mlflow.log_metric('auc', 0.9)\n"
)


@pytest.mark.parametrize(("files", "parsed"), [
    # a Copier template that keeps its files' suffixes: its sub-directory reads as rendered
    ({"copier.yml": "_subdirectory: template\n_templates_suffix: \"\"\n",
      "template/train.py": JINJA_TRAIN}, True),
    # without a sub-directory, the whole repository is the template
    ({"copier.yaml": "_templates_suffix: ''\n", "src/train.py": JINJA_TRAIN}, True),
    # a cookiecutter template's slug folder
    ({"cookiecutter.json": "{}\n", "{{cookiecutter.slug}}/train.py": JINJA_TRAIN}, True),
    # near misses: Copier's default suffix (only ``.jinja`` files are templates), a file
    # outside the template's sub-directory, no template at all
    ({"copier.yml": "_subdirectory: template\n", "template/train.py": JINJA_TRAIN}, False),
    ({"copier.yml": "_subdirectory: template\n_templates_suffix: \"\"\n",
      "tools/train.py": JINJA_TRAIN}, False),
    ({"train.py": JINJA_TRAIN}, False),
])
def test_a_project_template_keeping_its_suffixes_is_read_as_it_renders(
    make_repo: MakeRepo, files: dict[str, str], parsed: bool
) -> None:
    tree = RepoTree(make_repo(files))
    rel = next(k for k in files if k.endswith("train.py"))
    facts = tree.python(rel)
    assert (facts is not None) == parsed
    if facts is not None:
        assert "mlflow.log_metric" in {c.name for c in facts.calls}
        assert tree.text(rel).splitlines()[4] == "def tmpl_train():"  # type: ignore[union-attr]


ISVC_TEMPLATE = (
    "apiVersion: serving.kserve.io/v1beta1\n"
    "kind: InferenceService\n"
    "metadata:\n"
    "  name: {{ .Release.Name }}\n"
    "  namespace: {{ .Values.namespace }}\n"
    "spec:\n"
    "  predictor:\n"
    "    {{- if .Values.canary }}\n"
    "    canaryTrafficPercent: {{ .Values.canary }}\n"
    "    {{- end }}\n"
    "    model:\n"
    "      modelFormat: {name: sklearn}\n"
    "      storageUri: {{ .Values.modelUri | quote }}\n"
)


@pytest.mark.parametrize("chart", ["", "ranker/deploy/chart/"])
def test_a_helm_charts_templates_read_as_the_manifests_they_render(
    make_repo: MakeRepo, chart: str
) -> None:
    """A chart's ``templates/`` hold Kubernetes manifests with Go template actions; read
    raw, ``{{ .Values.x }}`` is a flow mapping that no YAML parser accepts. In a sub-project
    (a view of the tree) the chart is the same chart."""
    from mlkaizen.evidence.tree import SubTree

    root = make_repo({
        f"{chart}Chart.yaml": "apiVersion: v2\nname: ranker\nversion: 0.1.0\n",
        f"{chart}templates/isvc.yaml": ISVC_TEMPLATE,
        "notes/isvc.yaml": ISVC_TEMPLATE,  # outside a chart: not a template
    })
    tree = RepoTree(root)
    docs = tree.yaml(f"{chart}templates/isvc.yaml")
    assert docs is not None and docs[0]["kind"] == "InferenceService"
    assert docs[0]["metadata"] == {"name": "tmpl", "namespace": "tmpl"}
    assert tree.yaml("notes/isvc.yaml") is None
    if chart:
        sub = SubTree(tree, "ranker")
        got = sub.yaml("deploy/chart/templates/isvc.yaml")
        assert got is not None and got[0]["kind"] == "InferenceService"
    serving = assess(root).practice("deployment.serving-interface")
    assert serving is not None and serving.state.value == "met"
