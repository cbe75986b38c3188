"""Packaged model artifacts: a model saved in a deployable format, or a container image that
serves one."""

from __future__ import annotations

import posixpath
import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.containers import dockerfiles
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.platform_packaging import PACKAGED as PLATFORM_PACKAGED
from mlkaizen.evidence.detectors.serving import SERVE_COMMAND, web_apps_with_models
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.dockerfile import parse_dockerfile
from mlkaizen.evidence.tree import RepoTree


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
    apps = {f.file for f in web_apps_with_models(tree) if f.file}
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
        if SERVE_COMMAND.search(args):
            return "model server"
        modules = [m.replace(".", "/") + ".py" for m in _APP_REF.findall(args)]
        modules += _PY_SCRIPT.findall(args)
        if any(app == m.lstrip("./") or app.endswith("/" + m.lstrip("./"))
               for app in apps for m in modules):
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


DETECTORS = [model_packaged]
