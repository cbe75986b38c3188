"""Containerisation and reproducible environments."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.documents import is_conda_spec
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.dockerfile import parse_dockerfile
from mlkaizen.evidence.tree import RepoTree

_VARIANTS = ("dockerfile.", "dockerfile-", "dockerfile_")
_NOT_DOCKERFILE = (".py", ".md", ".txt", ".rst", ".json", ".yaml", ".yml", ".j2", ".tpl")


def dockerfiles(tree: RepoTree) -> list[str]:
    """Dockerfiles for images of the project (``Dockerfile``, ``Dockerfile.gpu``,
    ``Dockerfile-processing``, ``Dockerfile_dagit``, ``train.dockerfile``), devcontainers
    excluded: a ``.devcontainer`` folder's ``Dockerfile``, one its ``devcontainer.json`` or a
    compose file beside it names, or any there when no ``devcontainer.json`` says which (the
    images a project keeps there for training or serving count)."""

    def is_dockerfile(path: str) -> bool:
        name = path.rsplit("/", 1)[-1].lower()
        if name in ("dockerfile", "containerfile") or name.endswith(".dockerfile"):
            return True
        return name.startswith(_VARIANTS) and not name.endswith(_NOT_DOCKERFILE)

    def for_devcontainer(path: str) -> bool:
        if ".devcontainer/" not in path:
            return False
        folder, _, name = path.rpartition("/")
        json = folder + "/devcontainer.json"
        if json not in tree.sizes:
            return True
        # the devcontainer.json, and the compose files it may build from, name its images
        specs = [json] + [
            f
            for f in tree.files
            if f.rpartition("/")[0] == folder and f.endswith((".yml", ".yaml"))
        ]
        spec = " ".join((tree.text(f) or "") for f in specs).lower()
        return name.lower() == "dockerfile" or name.lower() in spec

    return tree.memo(
        "dockerfiles",
        lambda: [f for f in tree.files if is_dockerfile(f) and not for_devcontainer(f)],
    )


@detector("container_image_defined")
def container_image_defined(tree: RepoTree) -> list[Finding]:
    """The project builds a container image (a Dockerfile/Containerfile with a ``FROM``).

    Not evidence: a ``.devcontainer`` (a development environment, not a deployable artifact).
    """
    out: list[Finding] = []
    for rel in dockerfiles(tree):
        instructions = tree.parsed(rel, "dockerfile", parse_dockerfile)
        if not instructions:
            continue
        base = next((i for i in instructions if i.keyword == "FROM"), None)
        if base is None:
            tree.warn("Dockerfile has no FROM instruction", rel, kind="parse")
            continue
        entry = next(
            (i for i in reversed(instructions) if i.keyword in ("CMD", "ENTRYPOINT")), None
        )
        detail = f"image FROM {base.args.split()[0] if base.args else '?'}"
        if entry:
            detail += f", runs {entry.args[:60]}"
        out.append(tree.finding("container_image_defined", rel, base.line, detail))
    return out


@detector("compose_defined")
def compose_defined(tree: RepoTree) -> list[Finding]:
    """Services are described with Docker Compose."""
    return [
        tree.finding("compose_defined", rel, 1, "Docker Compose services")
        for rel in tree.files
        if rel.rsplit("/", 1)[-1]
        in ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
    ]


# a YAML file named for an environment (conda.yml, env.yaml, environment-dev.yml,
# aml_environment.yml), read to be sure
_ENV_NAME = re.compile(r"(?:^|[_.-])(?:env|environment|conda)(?:[_.-][\w.-]*)?\.ya?ml$", re.I)
_PLATFORM_ENV_SCHEMAS = ("environment.schema.json",)  # Azure ML environment assets


def environment_specs(tree: RepoTree) -> list[str]:
    """YAML files that declare a compute environment by their content: a conda environment
    (a ``dependencies`` list with a ``name`` or ``channels``), or a platform's environment
    asset (Azure ML ``$schema: .../environment.schema.json`` with an image or conda file)."""
    out = []
    for rel in tree.with_suffix(".yml") + tree.with_suffix(".yaml"):
        if not _ENV_NAME.search(rel.rsplit("/", 1)[-1]):
            continue
        for doc in tree.yaml(rel) or []:
            schema = str(doc.get("$schema", "")) if isinstance(doc, dict) else ""
            platform = schema.endswith(_PLATFORM_ENV_SCHEMAS) and (
                "image" in doc or "conda_file" in doc or "build" in doc
            )
            if is_conda_spec(rel, doc) or platform:
                out.append(rel)
                break
    return sorted(out)


@detector("dev_environment_defined")
def dev_environment_defined(tree: RepoTree) -> list[Finding]:
    """A reproducible development/compute environment is declared.

    Evidence: a dev container (``.devcontainer/devcontainer.json``, ``.devcontainer.json``), a
    conda ``environment.yml`` (or a conda file of another name, by its content), an Azure ML
    environment asset, a Nix flake, a Dockerfile, or a lock file pinning the Python
    environment.
    """
    out: list[Finding] = []
    for rel in tree.glob(".devcontainer/*", "*/.devcontainer/*", ".devcontainer.json"):
        if rel.endswith("devcontainer.json"):
            out.append(tree.finding("dev_environment_defined", rel, 1, "dev container"))
    for rel in tree.named(
        "environment.yml",
        "environment.yaml",
        "flake.nix",
        "conda.yaml",
        "poetry.lock",
        "uv.lock",
        "pixi.toml",
    ):
        out.append(tree.finding("dev_environment_defined", rel, 1, f"environment {rel}"))
    named = {f.file for f in out}
    for rel in environment_specs(tree):
        if rel not in named:
            out.append(tree.finding("dev_environment_defined", rel, 1, f"environment {rel}"))
    for rel in dockerfiles(tree)[:3]:
        out.append(tree.finding("dev_environment_defined", rel, 1, "container environment"))
    return out


DETECTORS = [container_image_defined, compose_defined, dev_environment_defined]
