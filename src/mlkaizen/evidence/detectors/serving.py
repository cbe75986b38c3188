"""Model serving: a model behind an interface (an API, an app, a serving platform)."""

from __future__ import annotations

import posixpath
import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.containers import dockerfiles
from mlkaizen.evidence.detectors.documents import k8s_objects
from mlkaizen.evidence.detectors.libraries import MODEL_LOADING, MODEL_LOADS
from mlkaizen.evidence.detectors.pipeline_schedules import imported_files
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.serverless import function_handlers
from mlkaizen.evidence.detectors.text_search import search_files
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

WEB_APPS = (
    "fastapi.FastAPI",
    "flask.Flask",
    "starlette.applications.Starlette",
    "litestar.Litestar",
    "fastapi.APIRouter",
    "sanic.Sanic",
    "aiohttp.web.Application",
    # an interactive app people use the model through: a Gradio interface, a Streamlit page
    "gradio.Interface",
    "gradio.Blocks",
    "gradio.ChatInterface",
    "streamlit.",
)
_UI_APPS = frozenset({"gradio", "streamlit"})
# the words every call of MODEL_LOADS holds (a cheap test before the file is parsed)
_MAY_LOAD = re.compile(
    r"load|InferenceSession|pretrained|YOLO|RTDETR|KerasLayer|Llama|LLM\(|Interpreter|pipeline"
    r"|SentenceTransformer|Booster|CatBoost"
)
_MAX_IMPORTED = 50  # modules followed from an app's imports at the second step
SERVERS = vocabulary().tools["serving"]  # plugins' tools; the stack packs' come by themselves
SERVE_COMMAND = re.compile(
    r"(mlflow models serve|bentoml serve|torchserve --start|tritonserver|"
    r"torch-model-archiver|seldon-core-microservice|mlserver start|ludwig serve)"
)
# the same command started from Python: a string the command begins (``os.system(f"ludwig
# serve -m {model}")``; not ``pkill -f tritonserver``, nor ``pip install tritonserver-client``)
_RUNS_COMMANDS = ("os.system", "os.popen", "subprocess.", ".Popen")
_SERVE_FROM_PYTHON = re.compile(r"""\(\s*[fFrRbB]{0,2}["']\s*""" + SERVE_COMMAND.pattern)
_SERVING_KINDS = {
    "InferenceService": "KServe",
    "SeldonDeployment": "Seldon Core",
    "Model": "Seldon Core v2",
    "ServingRuntime": "KServe",
}


@detector("model_serving_present")
def model_serving_present(tree: RepoTree) -> list[Finding]:
    """The model is served behind an interface (an API or a serving platform).

    Evidence: a FastAPI/Flask/Starlette app that loads a model (``joblib.load``,
    ``torch.load``, ``mlflow.pyfunc.load_model``, ``InferenceSession``, a Lightning
    checkpoint, a TFLite interpreter...) in its own file, in a module of the repository it
    imports (two steps, a package's re-export costing none), or in code of its folder; a
    Gradio interface or a Streamlit page that loads one itself or through its imports; a
    serverless function in a module that loads a model (an AWS Lambda handler, a Google
    Cloud Function, an Azure Function);
    BentoML, Ray Serve, TorchServe, Triton, Seldon, KServe; ``mlflow models serve``,
    ``ludwig serve`` and the other model servers' commands, in scripts or started from
    Python code (``os.system``, ``subprocess``); cloud
    endpoints: SageMaker ``model.deploy(instance_type=...)``/``create_endpoint``, Vertex AI
    ``Endpoint.create``/``model.deploy(endpoint=...)``, Azure ML online and batch endpoints
    (SDK v1 ``Model.deploy``, SDK v2 entities, CLI v2 endpoint and deployment YAML),
    Databricks serving endpoints (SDK, MLflow deployments client, bundle resources).
    Not evidence: a web app that loads no model; a ``.deploy`` call without the platform's
    keywords (another library's ``deploy`` in a file that happens to import the SDK).
    """
    out = find_usage(tree, "model_serving_present", SERVERS)
    out += config_findings(tree, "model_serving_present")
    out.extend(web_apps_with_models(tree))
    out.extend(function_handlers(tree, MODEL_LOADING, MODEL_LOADS))
    for rel, doc in k8s_objects(tree):
        tool = _SERVING_KINDS.get(str(doc.get("kind")))
        if tool and (tool != "Seldon Core v2" or "seldon" in str(doc.get("apiVersion"))):
            out.append(
                tree.finding(
                    "model_serving_present",
                    rel,
                    getattr(doc, "line", 1),
                    f"{tool} {doc.get('kind')}",
                )
            )
    for rel in tree.named("bentofile.yaml"):
        out.append(tree.finding("model_serving_present", rel, 1, "BentoML bentofile"))
    for rel in tree.named("config.pbtxt"):
        text = tree.text(rel) or ""
        if "platform" in text or "backend" in text:
            out.append(tree.finding("model_serving_present", rel, 1, "Triton model config"))
    scripts = [*dockerfiles(tree), *tree.named("Makefile", "Procfile"), *tree.shell_scripts()]
    out += search_files(
        tree,
        "model_serving_present",
        scripts,
        SERVE_COMMAND,
        lambda m: f"serving command: {m.group(0)}",
        read=tree.shell_text,
    )
    return out + _servers_started_from_python(tree)


def _servers_started_from_python(tree: RepoTree) -> list[Finding]:
    """A model server that project code starts as a command (``os.system(f"ludwig serve -m
    {m}")``): read at the lines of real ``os.system``/``subprocess`` calls only (not a
    comment or a docstring that shows the command), the command the string starts with."""
    out: list[Finding] = []
    for rel in tree.with_suffix(".py"):
        text = tree.text(rel) or ""
        if is_test_path(rel) or not SERVE_COMMAND.search(text):
            continue
        facts = tree.python(rel)
        lines = text.split("\n")  # as the parser numbers lines
        for call in facts.find_calls(_RUNS_COMMANDS, include_decorators=False) if facts else []:
            command = next(
                (m.group(0) for a in call.str_args if (m := SERVE_COMMAND.match(a.lstrip()))),
                None,
            )
            if command is None:  # an f-string is no literal argument: read the call's line
                line = lines[call.line - 1] if call.line <= len(lines) else ""
                match = _SERVE_FROM_PYTHON.search(line)
                command = match.group(1) if match and "#" not in line[: match.start()] else None
            if command:
                detail = f"serving command: {command} (started from Python)"
                out.append(tree.finding("model_serving_present", rel, call.line, detail))
                break
    return out


def web_apps_with_models(tree: RepoTree) -> list[Finding]:
    roots = {n.split(".")[0] for n in WEB_APPS}
    apps: list[tuple[str, int, str]] = []
    for rel in tree.importing(roots):
        facts = tree.python(rel)
        calls = facts.find_calls(WEB_APPS, include_decorators=False) if facts else []
        if calls:
            apps.append((rel, calls[0].line, calls[0].name.split(".")[0]))
    if not apps:
        return []
    loaders: dict[str, str] = {}  # file -> "file:line" of its first model load
    for rel in tree.importing(MODEL_LOADING):
        if rel.endswith(".ipynb") or is_test_path(rel):
            continue
        text = tree.text(rel) or ""
        if not _MAY_LOAD.search(text):
            continue
        facts = tree.python(rel)
        calls = facts.find_calls(MODEL_LOADS, include_decorators=False) if facts else []
        if calls:
            loaders[rel] = f"{rel}:{calls[0].line}"
    out: list[Finding] = []
    for rel, line, framework in apps:
        where = (
            loaders.get(rel)
            or _imported_loader(tree, rel, loaders)
            # a page of widgets loads what it shows itself: a load beside it is no sign
            or (None if framework in _UI_APPS else _nearest(loaders, posixpath.dirname(rel)))
        )
        if where:
            out.append(
                tree.finding(
                    "model_serving_present",
                    rel,
                    line,
                    f"{framework} app serving a model loaded at {where}",
                    tool=framework,
                )
            )
    return out


def _imported_loader(tree: RepoTree, rel: str, loaders: dict[str, str]) -> str | None:
    """A model load in a module of the repository that the app imports (``from
    src.utils import load_model``), wherever that module lives, or in one that module
    imports in turn (the app's ``rag.py`` imports ``inference.py``, which loads the model):
    two steps at most."""
    seen, frontier = {rel}, [rel]
    for _ in range(2):
        step: list[str] = []
        for module in frontier:
            facts = tree.python(module)
            imported = imported_files(tree, module, facts.imports) if facts else []
            for f in _through_packages(tree, imported):
                if f in loaders:
                    return loaders[f]
                if f not in seen:
                    seen.add(f)
                    step.append(f)
        frontier = step[:_MAX_IMPORTED]
    return None


def _through_packages(tree: RepoTree, files: list[str]) -> list[str]:
    """``files`` with, after each package's ``__init__.py``, the modules of that package it
    imports: a name a package re-exports (``from pkg.runtime import load_model`` in
    ``pkg/__init__.py``) is defined there, so reaching it costs no further step."""
    out: list[str] = []
    for f in files:
        out.append(f)
        if f.endswith("/__init__.py"):
            facts = tree.python(f)
            package = posixpath.dirname(f) + "/"
            inner = imported_files(tree, f, facts.imports) if facts else []
            out += [m for m in inner if m.startswith(package) and m != f]
    return out


def _nearest(loaders: dict[str, str], folder: str) -> str | None:
    """A model load in the app's folder, its parent, or below it (in that order)."""
    by_dir: dict[str, str] = {}
    for file in sorted(loaders):
        by_dir.setdefault(posixpath.dirname(file), loaders[file])
    return (
        by_dir.get(folder)
        or by_dir.get(posixpath.dirname(folder))
        or next((v for k, v in by_dir.items() if k.startswith(folder + "/")), None)
    )


DETECTORS = [model_serving_present]
