"""Whether a CI run that trains keeps what it trains: a push of the data, model or lock
file, a model registration, an upload, or a run submitted to an ML platform that stores it
(the ``keep`` step kind), in the step's command, a later step or job, or the scripts they run.
A training run that keeps nothing retrains on the runner and throws the model away."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.ci_ml_runs import trains
from mlkaizen.evidence.detectors.ci_runs import _once_per_place, ci_step_finding, step_command
from mlkaizen.evidence.detectors.ci_scripts import PYTHON_RUNS, module_file
from mlkaizen.evidence.detectors.documents import ci_pipelines, expand_make
from mlkaizen.evidence.detectors.step_kinds import KEEP
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.ci import Pipeline
from mlkaizen.evidence.tree import RepoTree

KEEPS_NOTHING = (
    ", but keeps nothing: no step pushes, registers or uploads what it trains "
    "(e.g. `dvc push` and a commit of dvc.lock, or a model registration)"
)
_DVC_REPRO = re.compile(r"\bdvc\s+(?:repro|exp\s+run)\b")
_SCRIPTS_READ = 8  # scripts read per job, at most


def ci_training(
    tree: RepoTree, detector_id: str, what: str, *, scheduled: bool = False, pushed: bool = False
) -> list[Finding]:
    """One finding per CI job (``scheduled``: that runs on a schedule; ``pushed``: in a
    pipeline started by pushes, a merge being a push to its target branch) at its first step
    that trains; ``partial`` when nothing from that step on keeps the result (see
    :func:`keeps_results`), or when the job is started by hand."""
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        if pushed and not _runs_on_push(pipe):
            continue
        kept_from: dict[tuple[int, int], bool] | None = None  # once a pipeline, when needed
        for j, job in enumerate(pipe.jobs):
            if scheduled and not (pipe.scheduled or job.scheduled):
                continue
            if pushed and job.scheduled:
                continue  # a job the schedule runs (GitLab ``rules`` on the pipeline source)
            for i, step in enumerate(job.steps):
                if not trains(tree, pipe, job, step):
                    continue
                found = ci_step_finding(tree, detector_id, pipe, job, step, what=what)
                if found.outcome is Outcome.FOUND:
                    kept_from = kept_from or _kept_from(tree, pipe, beyond_ci=pushed)
                    if not keeps_results(tree, pipe, j, i, kept_from):
                        found = found.model_copy(
                            update={
                                "outcome": Outcome.PARTIAL,
                                "detail": found.detail + KEEPS_NOTHING,
                            }
                        )
                out.append(found)
                break
    return _once_per_place(out)


# providers whose push trigger is written out; the others run on a push by default, so a
# pipeline of theirs that declares a schedule is taken as run by it
_PUSH_DECLARED = frozenset({"github-actions", "azure-pipelines"})


def _runs_on_push(pipe: Pipeline) -> bool:
    """Whether a push (a merge being a push to its target branch) starts ``pipe``."""
    if "push" not in pipe.triggers:
        return False
    return pipe.provider in _PUSH_DECLARED or not pipe.scheduled


def keeps_results(
    tree: RepoTree,
    pipe: Pipeline,
    job: int,
    step: int,
    kept_from: dict[tuple[int, int], bool] | None = None,
) -> bool:
    """Whether a training run at ``pipe.jobs[job].steps[step]`` is kept: that step or a later
    one of its job, or a step of a later job, pushes, registers, uploads or submits it to a
    platform (``keep`` step kind), in its command or in the scripts it runs. A training step
    that runs a script the repository does not hold is given the benefit of the doubt.
    ``kept_from`` is :func:`_kept_from` of ``pipe``, when the caller asks for many steps."""
    if (kept_from if kept_from is not None else _kept_from(tree, pipe))[(job, step)]:
        return True
    ran = pipe.jobs[job].steps[step]
    _, unread = _scripts_run(tree, expand_make(tree, step_command(ran), cwd=ran.cwd))
    return unread


# an upload of the CI run's own artefacts (reports, coverage): kept by the CI service only
_CI_ARTEFACTS = re.compile(r"(?m)^.*(?:upload-artifact|Publish(?:Pipeline|Build)Artifacts?).*$")


def _kept_from(
    tree: RepoTree, pipe: Pipeline, *, beyond_ci: bool = False
) -> dict[tuple[int, int], bool]:
    """For every step of ``pipe`` (job, step), whether it or a step after it (in its job or
    a later one) keeps what it trains: each step's command and scripts looked at once, from
    the last, so that a pipeline of many training jobs costs its size, not its square."""
    places = [(j, i, s) for j, job in enumerate(pipe.jobs) for i, s in enumerate(job.steps)]
    searched: dict[str, bool] = {}  # a script's text: whether it keeps (each searched once)

    def keeps(text: str) -> bool:
        if text not in searched:
            searched[text] = bool(KEEP.search(_CI_ARTEFACTS.sub("", text) if beyond_ci else text))
        return searched[text]

    out: dict[tuple[int, int], bool] = {}
    kept = False
    for j, i, step in reversed(places):
        if not kept:
            text = expand_make(tree, step_command(step), cwd=step.cwd)
            scripts, _ = _scripts_run(tree, text)
            kept = keeps(text) or any(keeps(t) for t in scripts)
        out[(j, i)] = kept
    return out


def _dvc_stages(tree: RepoTree) -> tuple[list[str], bool]:
    """``dvc.yaml`` and the scripts its stages run (bounded), read once a scan; and whether
    one of them could not be read."""

    def compute() -> tuple[list[str], bool]:
        stages = tree.text("dvc.yaml") if "dvc.yaml" in tree.sizes else None
        if stages is None:
            return [], True
        scripts, unread = _python_scripts(tree, stages)
        return [stages, *scripts], unread

    return tree.memo("ci_kept:dvc_stages", compute)


def _scripts_run(tree: RepoTree, commands: str) -> tuple[list[str], bool]:
    """The text of the repository's Python scripts that ``commands`` run, and for
    ``dvc repro`` the stages of ``dvc.yaml`` and the scripts they run (bounded); and whether
    a script it runs could not be read (not in the repository, or past the bound)."""
    texts: list[str] = []
    unread = False
    if _DVC_REPRO.search(commands):
        texts, unread = _dvc_stages(tree)
        if not texts:
            return [], True
    scripts, missing = _python_scripts(tree, commands)
    return [*texts, *scripts], unread or missing


def _python_scripts(tree: RepoTree, commands: str) -> tuple[list[str], bool]:
    """The text of the repository's Python scripts that ``commands`` run (at most
    :data:`_SCRIPTS_READ`), and whether one could not be read (or was past the bound)."""
    texts: list[str] = []
    for m in PYTHON_RUNS.finditer(commands):
        if len(texts) > _SCRIPTS_READ:
            return texts, True
        module, path = m.group(1), m.group(2)
        if module:
            rel = module_file(tree, module)
        else:
            rel = path.removeprefix("./") if path.removeprefix("./") in tree.sizes else None
        text = tree.text(rel) if rel is not None else None
        if text is None:
            if module and module.split(".")[0] in ("pip", "pytest", "venv", "build"):
                continue
            return texts, True
        texts.append(text)
    return texts, False
