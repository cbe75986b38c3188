"""Reproducible training: params files, configs, seeds, pinned dependencies."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.requirements import is_pinned, parse_requirements
from mlkaizen.evidence.parse.structured import load_toml
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list
from mlkaizen.evidence.tree import RepoTree

SEED_CALLS = (
    "random.seed",
    "numpy.random.seed",
    "numpy.random.default_rng",
    "torch.manual_seed",
    "torch.cuda.manual_seed_all",
    "tensorflow.random.set_seed",
    "tensorflow.keras.utils.set_random_seed",
    "keras.utils.set_random_seed",
    "lightning.seed_everything",
    "pytorch_lightning.seed_everything",
    "lightning.pytorch.seed_everything",
    "transformers.set_seed",
    ".seed_everything",
    ".set_seed",
    ".set_random_seed",
)
# a conda spec pinned to one version: ``numpy=1.26.4``, ``numpy==1.26.4``, ``numpy=1.26.4=py311``
# (not ``numpy>=1.20``, ``numpy=1.*`` or ``numpy``)
_CONDA_PIN = re.compile(r"^[\w.\-:/]+\s*==?\s*[\w.+!-]+(=[\w.*+-]+)?$")
_CONDA_NAME = re.compile(r"[\s=<>!~]")
_SEED_KEYWORDS = ("random_state", "seed")
LOCK_FILES = (
    "poetry.lock",
    "uv.lock",
    "pipfile.lock",
    "pdm.lock",
    "conda-lock.yml",
    "conda-lock.yaml",
    "requirements.lock",
    "pixi.lock",
)


@detector("params_file_present")
def params_file_present(tree: RepoTree) -> list[Finding]:
    """Training parameters live in a config file rather than in code.

    Evidence: ``params.yaml`` (DVC), Kedro ``parameters.yml``, MLflow ``MLproject``
    parameters, a Hydra app (``@hydra.main`` or ``conf/``/``configs/`` with ``config.yaml``),
    or YAML/TOML configs under ``config(s)/`` next to training code.
    """
    out: list[Finding] = []
    for rel in tree.named(
        "params.yaml",
        "params.yml",
        "params.json",
        "hyperparams.yaml",
        "parameters.yml",
        "parameters.yaml",
    ):
        out.append(tree.finding("params_file_present", rel, 1, "parameters file"))
    for rel in tree.named("MLproject"):
        if "parameters" in (tree.text(rel) or ""):
            out.append(tree.finding("params_file_present", rel, 1, "MLflow Project parameters"))
    for rel in tree.importing({"hydra"}):
        facts = tree.python(rel)
        for call in facts.find_calls(("hydra.main", "hydra.compose")) if facts else []:
            out.append(tree.finding("params_file_present", rel, call.line, "Hydra configuration"))
    for rel in tree.glob(
        "*conf/config.yaml",
        "*configs/*.yaml",
        "*configs/*.yml",
        "*config/train*.yaml",
        "*configs/*.toml",
        "*configs/*.py",
        "*config/train*.py",
    ):
        if not rel.endswith("__init__.py") and not rel.startswith(".github/"):
            out.append(tree.finding("params_file_present", rel, 1, "configuration file"))
    return out


@detector("random_seeds_set")
def random_seeds_set(tree: RepoTree) -> list[Finding]:
    """Code fixes random seeds (``random.seed``, ``np.random.seed``, ``torch.manual_seed``,
    ``seed_everything``, ``set_seed``) or passes a ``random_state``/``seed``.

    Evidence: a seed call, or a call with a ``random_state``/``seed`` keyword whose value is
    not ``None``, in Python code. Not evidence: ``random_state=None`` (a fresh seed each run).
    """
    out: list[Finding] = []
    roots = {
        "random",
        "numpy",
        "torch",
        "tensorflow",
        "keras",
        "lightning",
        "pytorch_lightning",
        "transformers",
        "sklearn",
        "xgboost",
        "lightgbm",
    }
    for rel in tree.importing(roots):
        text = tree.text(rel) or ""
        if "seed" not in text and "random_state" not in text:
            continue  # cheap filter: no AST for files that cannot contain a seed
        facts = tree.python(rel)
        if facts is None:
            continue
        calls = facts.find_calls(SEED_CALLS, include_decorators=False)
        if not calls:
            calls = [
                c
                for c in facts.calls
                if any(k in c.keywords and c.constant(k) != "None" for k in _SEED_KEYWORDS)
            ]
        if calls:
            call = min(calls, key=lambda c: c.line)
            out.append(tree.finding("random_seeds_set", rel, call.line, f"seed: {call.name}()"))
    return out


@detector("dependencies_pinned")
def dependencies_pinned(tree: RepoTree) -> list[Finding]:
    """Dependencies are locked or pinned to exact versions.

    Evidence: a lock file (poetry, uv, Pipfile, pdm, conda-lock, pixi), or requirements files
    / conda ``environment.yml`` whose entries are (nearly) all pinned to one version (``==``,
    or conda's ``=1.2.3``; ``>=`` is a range, not a pin): at least 80 % of them, so one
    unpinned tool does not undo a pinned environment. ``partial`` when fewer are pinned; the
    detail says how many.
    """
    out: list[Finding] = []
    for rel in tree.named(*LOCK_FILES):
        out.append(tree.finding("dependencies_pinned", rel, 1, f"lock file {rel}"))
    for rel in tree.glob("*requirements*.txt", "*requirements*.in"):
        if rel.endswith(".in"):
            continue
        pins, problems = parse_requirements(tree.lines_within(rel, "max_requirement_lines"))
        for line, message in problems[:3]:
            tree.warn(f"requirement not understood: {message}", rel, line, kind="parse")
        _judge(tree, out, rel, [p.pinned for p in pins], pins[0].line if pins else 1)
    for rel in tree.named("environment.yml", "environment.yaml", "conda.yaml", "conda.yml"):
        for doc in tree.yaml(rel) or []:
            deps = as_list(as_dict(doc).get("dependencies"))
            flat: list[bool] = []
            for dep in deps:
                if isinstance(dep, str) and _CONDA_NAME.split(dep)[0] not in ("python", "pip"):
                    flat.append(bool(_CONDA_PIN.match(dep.strip())))
                elif isinstance(dep, dict):
                    flat.extend(bool(is_pinned(str(d))) for d in as_list(dep.get("pip")))
            _judge(tree, out, rel, flat, getattr(doc, "line", 1))
    if not out:
        for rel in tree.named("pyproject.toml"):
            doc = tree.parsed(rel, "toml", load_toml) or {}
            declared = as_list(as_dict(doc.get("project")).get("dependencies"))
            if declared:
                _judge(tree, out, rel, [bool(is_pinned(str(d))) for d in declared], 1)
    return out


def _judge(tree: RepoTree, out: list[Finding], rel: str, pinned: list[bool], line: int) -> None:
    if not pinned:
        return
    count = sum(pinned)
    if count == len(pinned):
        out.append(
            tree.finding("dependencies_pinned", rel, line, f"all {count} dependencies pinned")
        )
    elif count * 5 >= len(pinned) * 4:  # at least 80 %
        out.append(
            tree.finding(
                "dependencies_pinned", rel, line, f"{count} of {len(pinned)} dependencies pinned"
            )
        )
    elif count:
        out.append(
            tree.finding(
                "dependencies_pinned",
                rel,
                line,
                f"{count} of {len(pinned)} dependencies pinned",
                Outcome.PARTIAL,
            )
        )


DETECTORS = [params_file_present, random_seeds_set, dependencies_pinned]
