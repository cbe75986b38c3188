"""CI that does ML work: trains through the repository's own pipelines, runs model tests."""

from __future__ import annotations

import re
from functools import partial

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.ci_runs import (
    ORCHESTRATORS,
    _once_per_place,
    ci_step_finding,
    ci_steps_matching,
    step_command,
)
from mlkaizen.evidence.detectors.ci_scripts import scripts_run
from mlkaizen.evidence.detectors.documents import ci_pipelines, expand_make, step_folder
from mlkaizen.evidence.detectors.pipeline_schedules import local_module
from mlkaizen.evidence.detectors.starters import (
    NAMES_SCORING,
    starts_retraining,
    starts_what_trains,
)
from mlkaizen.evidence.detectors.step_kinds import TESTS, TRAIN, does, ml_work
from mlkaizen.evidence.findings import Context, Finding
from mlkaizen.evidence.parse.ci import Job, Pipeline, Step
from mlkaizen.evidence.parse.python_src import PyFacts
from mlkaizen.evidence.tree import RepoTree

_PYTEST_PATHS = re.compile(r"\b(?:pytest|py\.test)\b([^\n;&|]*)")


def _test_targets(tree: RepoTree, command: str) -> list[str] | None:
    """The paths a ``pytest`` command collects from (``pytest tests/unit -k x``), or ``None``
    when it names none (it then collects from the whole checkout)."""
    targets: list[str] = []
    named = False
    for match in _PYTEST_PATHS.finditer(command):
        for word in match.group(1).split():
            if word.startswith("-") or "=" in word:
                continue
            path = word.strip("\"'").removeprefix("./").rstrip("/").split("::")[0]
            exists = path in tree.sizes or any(f.startswith(path + "/") for f in tree.files)
            if exists or "/" in word or word.endswith(".py"):  # a path, there or not
                targets.append(path)
                named = True
    return targets if named else None


@detector("training_runs_in_ci")
def training_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI trains a model (a train script, ``dvc repro``, ``kedro run``, ``mlflow run``), or
    runs a pipeline of the repository that trains (``python -m pipelines.train``,
    ``run-pipeline --module-name pipelines.abalone.pipeline``, ``python pipelines/run.py``),
    or runs a script that starts a run of the platform's pipeline (``python
    scripts/start_run.py``, calling ``kfp.Client().create_run_from_pipeline_package`` or a
    SageMaker ``start_pipeline_execution``) in a repository whose pipelines train.

    Judged from the command a step runs, never from its display name; a SageMaker pipeline
    script that only upserts its definition trains nothing, whatever its name. An Argo
    workflow that trains is a pipeline (``training_in_pipeline``), not CI that trains.
    """
    out = ci_steps_matching(
        tree,
        "training_runs_in_ci",
        TRAIN,
        "trains a model",
        orchestrators=False,
        unless=lambda command: _runs_definitions_only(tree, command),
    )
    seen = {(f.file, f.line) for f in out}
    for finding in training_pipeline_runs(tree):
        if (finding.file, finding.line) not in seen:
            out.append(finding)
    return out


def training_pipeline_runs(tree: RepoTree) -> list[Finding]:
    """CI steps that name a pipeline file of the repository that trains, as a path or a
    dotted module, or a pipeline spec it submits (``az ml job create -f train-pipeline.yml``,
    a script given ``ci-synthetic.yml``), in a segment that does work (:func:`ml_work`: not
    an ``echo`` or a linter of it). Memoised."""
    return tree.memo("training-pipeline-runs", lambda: _training_pipeline_runs(tree))


# a spec file name too common to say which pipeline a step submits without its folder
_GENERIC_SPECS = frozenset({"pipeline.yml", "pipeline.yaml", "job.yml", "job.yaml"})
_MODULE_OR_PATH = re.compile(r"(?<![\w/.-])([A-Za-z_][\w/.-]*?)(?:\.py)?(?![\w/.-])")


def _named(tree: RepoTree, command: str, by_name: dict[str, str], cwd: str) -> str | None:
    """The training pipeline a command names, as a path or a module, from the checkout or
    from the folder it runs in (``python pipeline.py`` with ``working-directory: code``)."""
    folder = step_folder(tree, cwd) if cwd else ""
    for match in _MODULE_OR_PATH.finditer(command):
        for name in (match.group(1), f"{folder}/{match.group(1)}" if folder else ""):
            if name in by_name:
                return by_name[name]
    return None


def trains(tree: RepoTree, pipe: Pipeline, job: Job, step: Step) -> bool:
    """Whether a CI step trains: its command does (:func:`does` ``TRAIN``), or it runs a
    pipeline of the repository that trains (``python pipeline/pipeline.py --execute``)."""
    command = expand_make(tree, step_command(step), cwd=step.cwd)
    if does(TRAIN, command):
        return not _runs_definitions_only(tree, command, step.cwd)
    places = tree.memo(
        "training-pipeline-places",
        lambda: {(f.file, f.line) for f in training_pipeline_runs(tree)},
    )
    return (step.file or job.file or pipe.file, step.line) in places


def _training_pipeline_runs(tree: RepoTree) -> list[Finding]:
    from mlkaizen.evidence.detectors.pipeline_steps import orchestrated_pipelines
    from mlkaizen.evidence.detectors.pipeline_training import training_step

    training = {
        p.file
        for p in orchestrated_pipelines(tree)
        if p.file.endswith((".py", ".yml", ".yaml")) and training_step(tree, p)
    }
    if not training:
        return []
    by_name: dict[str, str] = {}
    for rel in sorted(training):  # the same name each run, whatever the hash seed
        if not rel.endswith(".py"):  # a pipeline spec the step submits, named as a file
            parts = rel.split("/")
            for i in range(len(parts)):
                if len(parts) - i >= 2 or parts[-1] not in _GENERIC_SPECS:
                    by_name["/".join(parts[i:])] = rel
            continue
        stem = rel[:-3]
        parts = stem.split("/")
        for i in range(len(parts)):  # any suffix of the path, as a path or a module
            tail = parts[i:]
            if len(tail) >= 2 or len(parts) == 1:
                by_name["/".join(tail)] = rel
                by_name[".".join(tail)] = rel
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        if pipe.provider in ORCHESTRATORS:
            continue
        for job in pipe.jobs:
            for step in job.steps:
                command = ml_work(expand_make(tree, step_command(step), cwd=step.cwd))
                hit = _named(tree, command, by_name, step.cwd) or _imported_pipeline(
                    tree, command, by_name, step.cwd
                )
                if hit is not None and not _defines_only(tree, hit):
                    what = f"runs the training pipeline {hit}"
                else:
                    started = _started_run(tree, command, step.cwd)
                    if started is None:
                        continue
                    script, call = started
                    what = f"runs {script}, which starts a pipeline run ({call})"
                out.append(
                    ci_step_finding(tree, "training_runs_in_ci", pipe, job, step, what=what)
                )
                break
    return _once_per_place(out)


def _imported_pipeline(
    tree: RepoTree, command: str, by_name: dict[str, str], cwd: str = ""
) -> str | None:
    """The training pipeline module of the repository that a script the command runs
    imports and calls (``python build.py --run``, where ``build.py`` has ``from
    pipelines.training import training_pipeline`` and calls it): the script runs that
    pipeline. Dotted names only, from the script's own imports (one level), a module beside
    the script too (``from model_pipeline import get_pipeline`` in the pipeline's folder); a
    script that only upserts, compiles or prints the pipeline's definition runs nothing."""
    training = set(by_name.values())
    for rel in scripts_run(tree, command, cwd):
        facts = tree.python(rel) if rel in tree.sizes else None
        if facts is None or _only_defines(facts):
            continue
        for imported in facts.imports:
            name = imported
            while "." in name:
                calls = any(
                    call.name == name or call.name.startswith(name + ".") for call in facts.calls
                )
                if name in by_name and by_name[name] != rel and calls:
                    return by_name[name]
                # beside the script: Python puts the script's folder first on its path
                beside = local_module(tree, rel, name)
                if beside in training and beside != rel and calls:
                    return beside
                name = name.rpartition(".")[0]
    return None


def _started_run(tree: RepoTree, command: str, cwd: str = "") -> tuple[str, str] | None:
    """The script the command runs, and its call, when it starts a run on an ML platform
    (:func:`starts_retraining`): asked only where the pipelines train, it runs one. Not a
    script that only upserts or compiles, nor one named for scoring, ingestion or features
    or starting a run so named, nor a test's or a tutorial's. Once a scan per script."""
    for rel in scripts_run(tree, command, cwd):
        call = tree.memo(f"starts-a-run:{rel}", partial(_starts_a_run, tree, rel))
        if call:
            return rel, call
    return None


def _starts_a_run(tree: RepoTree, rel: str) -> str:
    """The platform call by which the script ``rel`` starts a training run, or ``""``."""
    if rel not in tree.sizes or tree.context(rel) is not Context.PROJECT:
        return ""
    if NAMES_SCORING.search(rel.rsplit("/", 1)[-1]):
        return ""
    facts = tree.python(rel)
    if facts is None or _only_defines(facts):
        return ""
    call = starts_retraining(facts, platforms_only=True)
    if call is None or any(NAMES_SCORING.search(a) for a in call.str_args):
        return ""
    return call.name if starts_what_trains(tree, call) else ""


_DEFINES = (".upsert", ".compile", ".definition", ".create_run_template")
_STARTS = (".start", ".start_pipeline_execution", ".submit", ".run", ".execute")


def _only_defines(facts: PyFacts) -> bool:
    """Whether a script upserts, compiles or prints a pipeline's definition and starts
    nothing."""
    return bool(facts.find_calls(_DEFINES, include_decorators=False)) and not facts.find_calls(
        _STARTS, include_decorators=False
    )


def _runs_definitions_only(tree: RepoTree, command: str, cwd: str = "") -> bool:
    """Whether every script the command runs is a pipeline module that only upserts its
    definition (a script named ``train_pipeline.py`` that trains nothing when run)."""
    scripts = scripts_run(tree, command, cwd)
    return bool(scripts) and all(_defines_only(tree, rel) for rel in scripts)


def _defines_only(tree: RepoTree, rel: str) -> bool:
    """Whether the SageMaker pipeline module ``rel`` creates or updates the pipeline's
    definition (``pipeline.upsert(role_arn=...)``) and never starts an execution: run by CI,
    it trains nothing until something else starts the pipeline. Once a scan per file."""

    def compute() -> bool:
        facts = tree.python(rel) if rel.endswith(".py") and rel in tree.sizes else None
        if facts is None or not any(n.startswith("sagemaker") for n in facts.imports):
            return False
        starts = (".start", ".start_pipeline_execution", ".submit", ".run")
        return bool(facts.find_calls((".upsert",), include_decorators=False)) and not (
            facts.find_calls(starts, include_decorators=False)
        )

    return bool(tree.memo(f"defines-only:{rel}", compute))


@detector("model_tests_run_in_ci")
def model_tests_run_in_ci(tree: RepoTree) -> list[Finding]:
    """CI runs tests that exercise the model (training smoke runs, prediction, serving API).

    Evidence: a CI step that runs the test suite (pytest, tox, ``make test``...) whose
    collection includes a model test module (see ``model_tests_present``): the whole
    checkout, or a path that holds it (``pytest tests/`` with ``tests/test_train.py``).
    Not evidence: ``pytest tests/unit`` when the model tests live in ``tests/model``.
    """
    from mlkaizen.evidence.detectors.tests_present import model_tests_present

    model_tests = [f.file for f in model_tests_present.detect(tree) if f.file]
    if not model_tests:
        return []
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            for step in job.steps:
                command = expand_make(tree, step_command(step), cwd=step.cwd)
                if not TESTS.search(command):
                    continue
                targets = _test_targets(tree, command)
                # a path is read from the root or, as a job may set its working directory,
                # from any folder (``pytest tests/`` in ``06-best-practices/code``)
                covered = [
                    t
                    for t in model_tests
                    if targets is None
                    or any(t == p or ("/" + t).find("/" + p.strip("/") + "/") >= 0 for p in targets)
                    or any(t.endswith("/" + p) for p in targets)
                ]
                if covered:
                    what = f"runs model tests ({', '.join(covered[:3])})"
                    out.append(
                        ci_step_finding(tree, "model_tests_run_in_ci", pipe, job, step, what=what)
                    )
                    break
    return _once_per_place(out)


DETECTORS = [training_runs_in_ci, model_tests_run_in_ci]
