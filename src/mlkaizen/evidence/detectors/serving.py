"""Model serving and packaged model artifacts."""

from __future__ import annotations

import posixpath
import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.containers import dockerfiles
from mlkaizen.evidence.detectors.documents import k8s_objects
from mlkaizen.evidence.detectors.libraries import MODEL_LOADING, MODEL_LOADS
from mlkaizen.evidence.detectors.pipeline_schedules import imported_files
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.platform_packaging import PACKAGED as PLATFORM_PACKAGED
from mlkaizen.evidence.detectors.serverless import function_handlers
from mlkaizen.evidence.detectors.text_search import search_files
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.dockerfile import parse_dockerfile
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
)
_MAY_LOAD = re.compile(r"load|InferenceSession|pretrained|YOLO|RTDETR|KerasLayer|Llama|LLM\(")
_MAX_IMPORTED = 50  # modules followed from an app's imports at the second step
SERVERS = vocabulary().tools["serving"]  # plugins' tools; the stack packs' come by themselves
_SERVE_CMD = re.compile(
    r"(mlflow models serve|bentoml serve|torchserve --start|tritonserver|"
    r"torch-model-archiver|seldon-core-microservice|mlserver start)"
)
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
    ``torch.load``, ``mlflow.pyfunc.load_model``, ``InferenceSession``...) in its own file, in
    a module of the repository it imports (absolute imports), or in code of its folder; a
    serverless function in a module that loads a model (an AWS Lambda handler, a Google
    Cloud Function, an Azure Function);
    BentoML, Ray Serve, TorchServe, Triton, Seldon, KServe; ``mlflow models serve``; cloud
    endpoints: SageMaker ``model.deploy(instance_type=...)``/``create_endpoint``, Vertex AI
    ``Endpoint.create``/``model.deploy(endpoint=...)``, Azure ML online and batch endpoints
    (SDK v1 ``Model.deploy``, SDK v2 entities, CLI v2 endpoint and deployment YAML),
    Databricks serving endpoints (SDK, MLflow deployments client, bundle resources).
    Not evidence: a web app that loads no model; a ``.deploy`` call without the platform's
    keywords (another library's ``deploy`` in a file that happens to import the SDK).
    """
    out = find_usage(tree, "model_serving_present", SERVERS)
    out += config_findings(tree, "model_serving_present")
    out.extend(_web_apps_with_models(tree))
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
        _SERVE_CMD,
        lambda m: f"serving command: {m.group(0)}",
        read=tree.shell_text,
    )
    return out


def _web_apps_with_models(tree: RepoTree) -> list[Finding]:
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
            or _nearest(loaders, posixpath.dirname(rel))
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
            for f in imported_files(tree, module, facts.imports) if facts else []:
                if f in loaders:
                    return loaders[f]
                if f not in seen:
                    seen.add(f)
                    step.append(f)
        frontier = step[:_MAX_IMPORTED]
    return None


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


@detector("model_packaged")
def model_packaged(tree: RepoTree) -> list[Finding]:
    """The model is packaged as a deployable artifact.

    Evidence: an MLflow model logged (``mlflow.<flavor>.log_model``) or an ``MLmodel`` file;
    a BentoML bentofile; ONNX/TorchScript export; a TorchServe archive; or a container image
    that serves a model: a model-server command (``bentoml serve``, ``torchserve``,
    ``mlflow models serve``...), a web server (uvicorn, gunicorn, python) running an app that
    loads a model (as for ``model_serving_present``), or a copied model file (``.pkl``,
    ``.onnx``, ``.pt``...) or folder of them; a model handed to an ML platform with the image
    or entry script that serves it (Vertex AI ``model_serving_container_image_uri``,
    SageMaker ``Model(image_uri=...)`` or a model package with ``content_types``, an Azure ML
    SDK v1 ``InferenceConfig(entry_script=...)`` or an inference config file). Not
    evidence: gunicorn alone, or ``COPY models.py``.
    """
    out: list[Finding] = []
    for rel in tree.importing(
        {"mlflow", "torch", "skl2onnx", "tf2onnx", "onnxmltools", "mlem", "bentoml"}
    ):
        facts = tree.python(rel)
        calls = (
            facts.find_calls(
                (
                    "mlflow.",
                    "torch.onnx.export",
                    "mlem.api.save",
                    "bentoml.sklearn.save_model",
                    "bentoml.pytorch.save_model",
                    "bentoml.picklable_model.save_model",
                    "torch.jit.save",
                    "skl2onnx.convert_sklearn",
                    "skl2onnx.to_onnx",
                    "tf2onnx.convert.",
                )
            )
            if facts
            else []
        )
        for call in calls:
            if call.name.startswith("mlflow.") and not call.name.endswith(
                (".log_model", ".save_model")
            ):
                continue
            out.append(
                tree.finding("model_packaged", rel, call.line, f"model artifact: {call.name}()")
            )
            break
    for rel in [*tree.named("MLmodel", "bentofile.yaml"), *tree.with_suffix(".mlem")]:
        out.append(tree.finding("model_packaged", rel, 1, f"model package {rel}"))
    out += find_usage(tree, "model_packaged", PLATFORM_PACKAGED)
    out += config_findings(tree, "model_packaged")
    apps = {f.file for f in _web_apps_with_models(tree) if f.file}
    for rel in dockerfiles(tree):
        for ins in tree.parsed(rel, "dockerfile", parse_dockerfile) or []:
            why = _packages_model(tree, rel, ins.keyword, ins.args, apps)
            if why:
                out.append(
                    tree.finding(
                        "model_packaged",
                        rel,
                        ins.line,
                        f"serving image: {ins.keyword} {ins.args[:60]} ({why})",
                    )
                )
                break
    return out


_APP_REF = re.compile(r"([A-Za-z_][\w.]*):[A-Za-z_]\w*")
_PY_SCRIPT = re.compile(r"([\w./-]+\.py)\b")


def _packages_model(
    tree: RepoTree, dockerfile: str, keyword: str, args: str, apps: set[str]
) -> str | None:
    """Why a Dockerfile instruction packages a model, or ``None``: a model server command,
    a web server running an app that loads a model, or a copied model artifact."""
    if keyword in ("CMD", "ENTRYPOINT"):
        if _SERVE_CMD.search(args):
            return "model server"
        modules = [m.replace(".", "/") + ".py" for m in _APP_REF.findall(args)]
        modules += _PY_SCRIPT.findall(args)
        if any(app.endswith(m.lstrip("./")) for app in apps for m in modules):
            return "runs an app that loads a model"
        return None
    if keyword not in ("COPY", "ADD"):
        return None
    sources = [w for w in args.strip("[]").replace('"', " ").replace(",", " ").split() if w]
    sources = [w for w in sources[:-1] if not w.startswith("--")]  # the last word is the target
    suffixes = vocabulary().model_suffixes
    base = posixpath.dirname(dockerfile)
    model_files = tree.with_suffix(*sorted("." + s for s in suffixes))  # indexed, memoised
    for src in sources:
        name = src.rstrip("/").rsplit("/", 1)[-1].lower()
        if "." in name and name.rsplit(".", 1)[-1] in suffixes:
            return "copies a model file"
        for folder in {src.strip("./").rstrip("/"), posixpath.join(base, src).strip("./")}:
            if folder and any(f.startswith(folder + "/") for f in model_files):
                return "copies a folder of model files"
    return None


DETECTORS = [model_serving_present, model_packaged]
