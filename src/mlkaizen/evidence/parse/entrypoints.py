"""Every parser entry point with the one exception type it may raise, for fuzzing.

Each entry takes raw text. A fuzzer (``tests/fuzz``, ``bench/fuzz.py``) feeds it arbitrary
input: returning, or raising the listed error, is correct; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.parse import ParseError


def _ci(text: str) -> Any:
    from mlkaizen.evidence.parse.ci import (
        azure_pipelines,
        generic_run_steps,
        github_actions,
        gitlab_ci,
    )
    from mlkaizen.evidence.parse.ci_more import (
        argo_workflow,
        buildkite,
        cloud_build,
        drone,
        jenkinsfile,
        tekton,
    )
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    def resolve(current: str, ref: str, chain: tuple[str, ...]) -> tuple[str, Any] | None:
        return (ref, doc) if len(chain) < 3 else None  # a template that is the document itself

    out: list[Any] = [jenkinsfile("Jenkinsfile", text)]
    for doc in load_yaml_documents(text):
        out += [
            github_actions("w.yml", doc),
            gitlab_ci(".gitlab-ci.yml", doc),
            azure_pipelines("azure-pipelines.yml", doc, resolve),
            generic_run_steps("circleci", "c.yml", doc),
            cloud_build("cloudbuild.yaml", doc),
            drone(".drone.yml", doc),
            buildkite(".buildkite/pipeline.yml", doc),
            tekton("t.yaml", doc),
            argo_workflow("w.yaml", doc),
        ]
    return out


def _gitignore(text: str) -> Any:
    from mlkaizen.evidence.ignore import IgnoreRules

    rules = IgnoreRules()
    problems = rules.add("", text)
    return problems, [
        rules.ignored(p, d) for p in ("a.py", "data/x.csv", "b/c/") for d in (False, True)
    ]


def _config(text: str) -> Any:
    import tempfile

    from mlkaizen.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, ".mlkaizen.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        return load_config(Path(tmp))


def _catalogue(text: str) -> Any:
    import tempfile

    from mlkaizen.catalogue.loader import load_catalogue

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "c.yaml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return load_catalogue(path)


def _yaml(text: str) -> Any:
    from mlkaizen.evidence.parse.yamlfile import mentions
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    docs = load_yaml_documents(text)
    return [mentions(d, "x") for d in docs]


def _lazy(module: str, name: str) -> Callable[[str], Any]:
    def call(text: str) -> Any:
        from importlib import import_module

        return getattr(import_module(module), name)(text)

    return call


ENTRYPOINTS: dict[str, tuple[Callable[[str], Any], tuple[type[Exception], ...]]] = {
    "yaml": (_yaml, (ParseError,)),
    "toml": (_lazy("mlkaizen.evidence.parse.structured", "load_toml"), (ParseError,)),
    "json": (_lazy("mlkaizen.evidence.parse.structured", "load_json"), (ParseError,)),
    "notebook": (_lazy("mlkaizen.evidence.parse.notebook", "parse_notebook"), (ParseError,)),
    "python": (_lazy("mlkaizen.evidence.parse.python_src", "parse_python"), (ParseError,)),
    "imports": (_lazy("mlkaizen.evidence.parse.python_src", "import_roots"), ()),
    "dockerfile": (_lazy("mlkaizen.evidence.parse.dockerfile", "parse_dockerfile"), (ParseError,)),
    "ci": (_ci, (ParseError,)),
    "requirements": (_lazy("mlkaizen.evidence.parse.requirements", "parse_requirements"), ()),
    "makefile": (_lazy("mlkaizen.evidence.parse.makefile", "parse_makefile"), ()),
    "gitignore": (_gitignore, ()),
    "config": (_config, (MLKaizenError,)),
    "catalogue": (_catalogue, (MLKaizenError,)),
}
