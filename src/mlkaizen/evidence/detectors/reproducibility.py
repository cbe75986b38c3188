"""Reproducible training: params files, configs, seeds, pinned dependencies."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.documents import conda_specs
from mlkaizen.evidence.detectors.hyperparameters import (
    hyperparameter_configs,
    hyperparameter_modules,
)
from mlkaizen.evidence.detectors.locks import lock_files
from mlkaizen.evidence.detectors.platform_jobs import pinned_runtime
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
# a conda spec pinned to one version: ``numpy=1.26.4``, ``numpy==1.26.4``, ``numpy=1.26.4=py311``,
# or to a patch series ``numpy=1.26.*`` (not ``numpy>=1.20``, ``numpy=1.*`` or ``numpy``)
_CONDA_PIN = re.compile(r"^[\w.\-:/]+\s*==?\s*(?:[\w.+!-]+|\d+\.\d+(?:\.\d+)*\.\*)(=[\w.*+-]+)?$")
_CONDA_NAME = re.compile(r"[\s=<>!~]")
_SEED_KEYWORDS = ("random_state", "seed")


@detector("params_file_present")
def params_file_present(tree: RepoTree) -> list[Finding]:
    """Training parameters live in a config file rather than in code.

    Evidence: ``params.yaml`` (DVC), Kedro ``parameters.yml``, ``parameters.json``,
    ``hparams.yaml``, MLflow ``MLproject`` parameters, a Hydra app (``@hydra.main`` or
    ``conf/``/``configs/`` with ``config.yaml``), YAML/TOML configs under ``config(s)/`` next
    to training code, or a settings module (``defaults.py``, ``config.py``) that assigns two
    or more hyperparameters (learning rate, batch size, epochs...) as literals.
    """
    out: list[Finding] = []
    for rel in tree.named(*_PARAMS_FILES):
        out.append(tree.finding("params_file_present", rel, 1, "parameters file"))
    out.extend(hyperparameter_modules(tree))
    out.extend(hyperparameter_configs(tree))
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
    first: dict[str | None, Finding] = {}
    for finding in out:  # one finding a file: the first reason found for it
        first.setdefault(finding.file, finding)
    return list(first.values())


_PARAMS_FILES = tuple(
    f"{stem}.{ext}"
    for stem in ("params", "parameters", "hyperparams", "hyperparameters", "hparams")
    for ext in ("yaml", "yml", "json")
)
@detector("random_seeds_set")
def random_seeds_set(tree: RepoTree) -> list[Finding]:
    """Code fixes random seeds (``random.seed``, ``np.random.seed``, ``torch.manual_seed``,
    ``seed_everything``, ``set_seed``) or passes a ``random_state``/``seed``.

    Evidence: a seed call, or a call with a ``random_state``/``seed`` keyword whose value is
    not ``None`` (Spark's ``randomSplit(..., seed=42)`` too), a generator made from a literal
    seed (``random.Random(42)``), or a seed in a parameters mapping (``{"seed": 42}``), in
    Python code. Not evidence: ``random_state=None`` (a fresh seed each run), an unseeded
    ``random.Random()``, or a seed in a comment.
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
        "catboost",
        "pyspark",
    }
    for rel in tree.importing(roots):
        text = tree.text(rel) or ""
        if "seed" not in text and "random_state" not in text and "Random" not in text:
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
        elif not rel.endswith(".ipynb") and (line := _seed_in_text(text)) is not None:
            out.append(tree.finding("random_seeds_set", rel, line[0], f"seed: {line[1]}"))
    return out


# a generator made from a literal seed (``random.Random(42)``, ``np.random.RandomState(0)``,
# ``default_rng(7)``), or a seed given in a parameters mapping (``{"seed": 42}``,
# ``params = dict(random_state=0)`` is a call and read above)
_SEED_TEXT = re.compile(
    r"""\b(?:Random|RandomState|default_rng)\([ \t]*(?:seed[ \t]*=[ \t]*)?\d+[ \t]*\)"""
    r"""|["'](?:seed|random_state|random_seed)["'][ \t]*:[ \t]*\d+"""
)


def _seed_in_text(text: str) -> tuple[int, str] | None:
    """The first line, outside a comment, that seeds a generator or sets a seed parameter."""
    for match in _SEED_TEXT.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if "#" not in text[start : match.start()]:
            return text.count("\n", 0, match.start()) + 1, match.group(0)
    return None


@detector("dependencies_pinned")
def dependencies_pinned(tree: RepoTree) -> list[Finding]:
    """Dependencies are locked or pinned to exact versions.

    Evidence: a lock file (poetry, uv, Pipfile, pdm, conda-lock, pixi, or an explicit conda
    environment: ``@EXPLICIT`` in its first 4 KB), or requirements or pip constraints files
    / conda environment files (``environment.yml``, or any YAML with ``dependencies`` and a
    ``name`` or ``channels``) whose entries are (nearly) all pinned to one version or one patch
    series (``==1.2.3``, ``~=1.2.3``, ``==1.2.*``, conda's ``=1.2.3`` or ``=1.2.*``; ``>=`` and
    ``~=1.2`` are ranges, not pins): most of them, two in three at least, so an unpinned
    tool or two does not undo a pinned environment. ``partial`` when fewer are pinned; the
    detail says how many. A project with no dependency file of its own that runs on a
    Databricks runtime at a pinned version (``spark_version: 13.3.x-cpu-ml-scala2.12``) has
    the runtime's libraries, fixed by that version.
    """
    out = lock_files(tree)
    own = 0  # dependencies the project declares itself, pinned or not
    for rel in tree.glob("*requirements*.txt", "*requirements*.in", "*constraints*.txt"):
        if rel.endswith(".in"):
            continue
        pins, problems = parse_requirements(tree.lines_within(rel, "max_requirement_lines"))
        for line, message in problems[:3]:
            tree.warn(f"requirement not understood: {message}", rel, line, kind="parse")
        _judge(tree, out, rel, [p.pinned for p in pins], pins[0].line if pins else 1)
        own += len(pins)
    for rel, doc in conda_specs(tree):
        flat: list[bool] = []
        for dep in as_list(doc.get("dependencies")):
            if isinstance(dep, str) and _CONDA_NAME.split(dep)[0] not in ("python", "pip"):
                flat.append(bool(_CONDA_PIN.match(dep.strip())))
            elif isinstance(dep, dict):
                flat.extend(bool(is_pinned(str(d))) for d in as_list(dep.get("pip")))
        _judge(tree, out, rel, flat, getattr(doc, "line", 1))
        own += len(flat)
    if not out:
        for rel in tree.named("pyproject.toml"):
            doc = tree.parsed(rel, "toml", load_toml) or {}
            declared = as_list(as_dict(doc.get("project")).get("dependencies"))
            if declared:
                _judge(tree, out, rel, [bool(is_pinned(str(d))) for d in declared], 1)
                own += len(declared)
    runtime = None if out or own else pinned_runtime(tree)  # nothing of its own: the runtime's
    if runtime is not None:
        out.append(tree.finding("dependencies_pinned", *runtime))
    return out


def _judge(tree: RepoTree, out: list[Finding], rel: str, pinned: list[bool], line: int) -> None:
    if not pinned:
        return
    count = sum(pinned)
    if count == len(pinned):
        whole = "the only dependency pinned" if count == 1 else f"all {count} dependencies pinned"
        out.append(tree.finding("dependencies_pinned", rel, line, whole))
    elif count * 3 >= len(pinned) * 2:  # at least two in three
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
