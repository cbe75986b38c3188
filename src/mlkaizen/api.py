"""The small public Python surface: ``assess(path) -> Assessment``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlkaizen import __version__
from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.catalogues import load_catalogue
from mlkaizen.config import Config, load_config
from mlkaizen.engine.assess import evaluate
from mlkaizen.engine.explain import explanation
from mlkaizen.engine.model import Assessment, LiveSummary, ScanStats, Subject, SubProject
from mlkaizen.engine.portfolio import head_by_projects
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.answers import Combined, answer_files, combine, load_answers
from mlkaizen.evidence.detectors import all_detectors
from mlkaizen.evidence.detectors.base import Detector
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.git import work_tree_of
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.live import LiveEvidence, LiveOptions, live_evidence
from mlkaizen.evidence.projects import (
    SubProjectRef,
    find_sub_projects,
    in_scope,
    shared_files,
    shared_with,
)
from mlkaizen.evidence.scan import ScanResult, run_detectors
from mlkaizen.evidence.tree import RepoTree, SubTree
from mlkaizen.trust import Chosen, choose_catalogue


def _lowered(overrides: dict[str, Any]) -> dict[str, Any]:
    """Limits from the scanned repository's own config may only tighten the defaults: an
    untrusted tree must not raise (or switch off) its own budget. CLI flags can raise them."""
    defaults = ScanLimits()
    return {key: value for key, value in overrides.items() if 0 < value <= getattr(defaults, key)}


def assess(
    path: str | Path | None,
    *,
    catalogue: Catalogue | str | Path | None = None,
    config: Config | None = None,
    config_path: str | Path | None = None,
    scope: str | None = None,
    limits: ScanLimits | dict[str, Any] | None = None,
    answers: list[str | Path] | None = None,
    subject: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    allow_repo_catalogue: bool = False,
    sub_projects: bool = True,
    part: str | None = None,
    tree_factory: Callable[[Path, ScanLimits], RepoTree] | None = None,
    live: LiveOptions | None = None,
) -> Assessment:
    """Assess the repository at ``path`` statically (no code is run, nothing is written).

    ``answers`` are answers files or folders (questionnaires, several respondents combined);
    with ``path=None`` the subject is assessed from the answers alone, as in an interview
    study. ``limits`` is a full :class:`ScanLimits`, or a dict of overrides applied on top of
    the config file's ``limits:`` and the defaults. A catalogue *file* named by the
    repository's own config is refused unless ``allow_repo_catalogue``
    (:mod:`mlkaizen.trust`). With ``sub_projects``, the independent ML projects the repository
    holds (if two or more) are assessed too, each on its own evidence; ``part`` names one of
    them to assess alone, through the same view. Raises :class:`MLKaizenError` for a bad
    path, catalogue, config or answers file.
    ``tree_factory`` reads the files another way (e.g. a git commit, not the work tree).
    ``live`` names live sources to read as well (an MLflow server, the git history over a
    window): what they show adds evidence, and a source that cannot be read leaves a warning.
    """
    return assess_judged(
        path,
        catalogue=catalogue,
        config=config,
        config_path=config_path,
        scope=scope,
        limits=limits,
        answers=answers,
        subject=subject,
        today=today,
        progress=progress,
        allow_repo_catalogue=allow_repo_catalogue,
        sub_projects=sub_projects,
        part=part,
        tree_factory=tree_factory,
        live=live,
    )[0]


def assess_with_projects(
    path: str | Path,
    *,
    catalogue: Catalogue | str | Path | None = None,
    answers: list[str | Path] | None = None,
    config: Config | None = None,
) -> tuple[Assessment, list[tuple[str, Assessment]]]:
    """:func:`assess` of a repository, and the full assessment of each of its sub-projects
    (path, assessment), all from one scan of the tree: each judges what
    ``assess(path, part=...)`` judges, without scanning the tree again for it (its evidence
    paths are given in the repository's terms, as in the repository's assessment)."""
    parts: list[tuple[SubProject, Assessment]] = []
    assessment, _ = assess_judged(
        path, catalogue=catalogue, answers=answers, config=config, parts_out=parts
    )
    return assessment, [(row.path, part) for row, part in parts]


def assess_judged(
    path: str | Path | None,
    *,
    catalogue: Catalogue | str | Path | None = None,
    config: Config | None = None,
    config_path: str | Path | None = None,
    scope: str | None = None,
    limits: ScanLimits | dict[str, Any] | None = None,
    answers: list[str | Path] | None = None,
    subject: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    allow_repo_catalogue: bool = False,
    sub_projects: bool = True,
    part: str | None = None,
    tree_factory: Callable[[Path, ScanLimits], RepoTree] | None = None,
    parts_out: list[tuple[SubProject, Assessment]] | None = None,
    live: LiveOptions | None = None,
) -> tuple[Assessment, Chosen]:
    """:func:`assess`, and the catalogue it judged against (and who chose it); with
    ``parts_out``, each sub-project's row and full assessment are appended to it."""
    if path is None:
        return _from_answers(answers, catalogue, config, subject, today, live=live)
    root = Path(path)
    if not root.exists():
        raise MLKaizenError("path does not exist; give the repository folder", str(path))
    if not root.is_dir():
        raise MLKaizenError("not a directory; give the repository folder", str(path))
    if config is None:
        config = load_config(root, Path(config_path) if config_path else None)
    chosen = choose_catalogue(catalogue, config, root, allow_repo_catalogue)
    catalogue = chosen.catalogue
    config.check_practices({p.id for p in catalogue.practices})
    combined, people, _ = _answers(answers or [], catalogue)
    scope = _scope(root, scope or config.scope)
    if not isinstance(limits, ScanLimits):
        limits = ScanLimits(**{**_lowered(config.limits.overrides()), **(limits or {})})
    tree, whole = _tree(root, scope, limits, tree_factory)
    wanted = sorted(
        {d for p in catalogue.practices for d in p.detectors_used}
        | {"repo_is_ml_tool_source"}
    )
    detectors, plugin_problems = all_detectors()
    for problem in plugin_problems:
        tree.warn(problem, kind="plugin")
    if chosen.from_repository:
        tree.warn(f"judged against the {chosen.label}", kind="catalogue")
    running = [detectors[d] for d in wanted]
    scan = run_detectors(tree, running, progress)
    if whole is not None and isinstance(tree, SubTree):
        _in_repository_terms(scan, tree, whole)
    seen = _with_live(scan, root / scope if scope else root, live)
    extra = seen.findings if seen is not None else []
    who = Subject(
        name=subject or root.resolve().name, path=str(path), kind=_kind(scan), scope=scope
    )
    refs = find_sub_projects(tree) if sub_projects or part else []
    shared = shared_files(tree, refs)
    if part is not None:
        ref = next((r for r in refs if r.path == part.strip("/")), None)
        if ref is None:
            raise MLKaizenError(f"{part!r} is not a sub-project of this repository", str(path))
        return (
            _sub_project(
                tree, ref, shared, running, catalogue, config, today, combined, people, extra
            )[1],
            chosen,
        )
    assessed = [
        _sub_project(
            tree, ref, shared, running, catalogue, config, today, combined, people, extra
        )
        for ref in refs
    ]
    parts = [row for row, _ in assessed]
    reader = whole or tree  # a scope's files are read through the repository's tree
    stats = ScanStats(
        listing=tree.listing,
        files_listed=len(tree.files),
        files_read=reader.files_read,
        bytes_total=tree.bytes_total,
        bytes_read=reader.bytes_read,
        skipped=dict(sorted((tree.skipped + whole.skipped if whole else tree.skipped).items())),
        detectors_run=len(scan.detectors_run),
    )
    result = evaluate(
        catalogue,
        scan.findings,
        scan.detectors_run,
        config,
        who,
        warnings=scan.warnings,
        scan=stats,
        today=today,
        tool_version=__version__,
        answers=combined,
        respondents=people,
    )
    if parts:
        result.sub_projects = parts
        head_by_projects(result, [(row.path, a) for row, a in assessed], frozenset(shared))
        if whole is not None and isinstance(tree, SubTree):
            _parts_in_repository_terms(result, tree)
        result.explanation = explanation(result)
    result.live = _summary(seen)
    if parts_out is not None:
        parts_out.extend(assessed)
    return result, chosen


def _with_live(scan: ScanResult, folder: Path, live: LiveOptions | None) -> LiveEvidence | None:
    """The live sources ``live`` names, read, and their findings and warnings added to the
    repository's scan (``None`` when it names none)."""
    if live is None or not live.any:
        return None
    seen = live_evidence(folder, live)
    scan.findings = sorted([*scan.findings, *seen.findings], key=Finding.sort_key)
    scan.warnings = [*scan.warnings, *seen.warnings]
    return seen


def _summary(seen: LiveEvidence | None) -> LiveSummary | None:
    if seen is None:
        return None
    return LiveSummary(
        since=seen.facts.since,
        until=seen.facts.until,
        sources=seen.sources,
        delivery=seen.metrics,
    )


def repository_prefix(path: str | Path, a: Assessment) -> str:
    """Where the folder ``path`` is in the git repository it belongs to (``ml/``): empty
    at the repository's top, outside git, or for an assessment from answers alone."""
    if a.scan is None:
        return ""
    folder = Path(path).resolve()
    top = work_tree_of(folder)
    if top is None or top == folder:
        return ""
    return folder.relative_to(top).as_posix() + "/"


def in_repository_terms(a: Assessment, prefix: str) -> None:
    """``a``'s paths (evidence, findings, warnings, sub-projects), in place, from the folder
    assessed (``train.py``) to the repository's top (``ml/train.py``), as links under the
    repository's URL and SARIF locations need them."""
    if not prefix:
        return
    for practice in a.practices:
        for e in practice.evidence:
            e.file = prefix + e.file if e.file else e.file
    a.findings = [f.model_copy(update={"file": prefix + f.file}) if f.file else f
                  for f in a.findings]
    for w in a.warnings:
        w.file = prefix + w.file if w.file else w.file
    for row in a.sub_projects:
        row.path = prefix + row.path
    a.focus = prefix + a.focus if a.focus else a.focus


def _scope(root: Path, scope: str | None) -> str | None:
    """A scope as the path of a folder of the repository (``svc``, not ``./svc/``); ``None``
    for the repository itself."""
    if not scope:
        return None
    scan_root = root / scope
    if not scan_root.resolve().is_relative_to(root.resolve()) or not scan_root.is_dir():
        raise MLKaizenError(f"scope {scope!r} is not a folder inside the repository", str(root))
    rel = scan_root.resolve().relative_to(root.resolve()).as_posix()
    return None if rel == "." else rel


def _tree(
    root: Path,
    scope: str | None,
    limits: ScanLimits,
    tree_factory: Callable[[Path, ScanLimits], RepoTree] | None,
) -> tuple[RepoTree, RepoTree | None]:
    """The tree to scan, and with a scope the repository's tree it is a view of: the scope's
    folder, seen with the repository's own settings that apply to it (its root CI)."""
    if not scope:
        return (tree_factory or RepoTree)(root, limits), None
    whole = tree_factory(root, limits) if tree_factory else RepoTree(root, limits, in_scope(scope))
    everywhere = shared_files(whole, [SubProjectRef(scope, (), 0)])
    return SubTree(whole, scope, shared_with(whole, scope, everywhere)), whole


def _parts_in_repository_terms(result: Assessment, tree: SubTree) -> None:
    """The sub-projects of a scope, and the evidence the judgement took from one of them,
    in place, with the paths of the repository."""
    for practice in result.practices:
        for e in practice.evidence:
            e.file = _repository_path(e.file, tree)
    for row in result.sub_projects:
        row.path = tree.prefix + row.path
    result.focus = _repository_path(result.focus, tree)


def _repository_path(rel: str | None, tree: SubTree) -> str | None:
    """A path of a folder's view (``train.py``) as the repository's (``scope/train.py``);
    the repository's own settings (``.github/...``) keep theirs."""
    if rel is None or rel in tree.shared:
        return rel
    return tree.prefix + rel


def _in_repository_terms(scan: ScanResult, tree: SubTree, whole: RepoTree) -> None:
    """A scope's findings and warnings, in place, with the paths of the repository (as the
    reports, their links and SARIF locations take them); the warnings met reading the
    repository's tree (already in its terms) join them."""
    scan.findings = sorted(
        (f.model_copy(update={"file": _repository_path(f.file, tree)}) for f in scan.findings),
        key=Finding.sort_key,
    )
    moved = [
        w.model_copy(update={"file": _repository_path(w.file, tree)}) for w in scan.warnings
    ]
    unique = {(w.file or "", w.line or 0, w.detail): w for w in [*moved, *whole.warnings]}
    scan.warnings = sorted(unique.values(), key=lambda w: (w.file or "", w.line or 0, w.detail))


def _from_answers(
    answers: list[str | Path] | None,
    catalogue: Catalogue | str | Path | None,
    config: Config | None,
    subject: str | None,
    today: dt.date | None,
    *,
    live: LiveOptions | None = None,
) -> tuple[Assessment, Chosen]:
    """A subject assessed from answers alone, as in an interview study."""
    if live is not None and live.any:
        raise MLKaizenError("live sources (--mlflow, --window) need a repository folder")
    if not answers:
        raise MLKaizenError("without a repository, give --answers (files or folders)")
    chosen = Chosen(catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue))
    cat = chosen.catalogue
    combined, people, named = _answers(answers, cat)
    who = Subject(name=subject or named or "subject", path="", kind="answers-only")
    return evaluate(
        cat,
        [],
        set(),
        config or Config(),
        who,
        today=today,
        tool_version=__version__,
        answers=combined,
        respondents=people,
        scanned=False,
    ), chosen


def sub_projects(path: str | Path) -> list[SubProjectRef]:
    """The independent ML projects a repository holds (none unless two or more)."""
    return find_sub_projects(RepoTree(Path(path)))


def _kind(scan: ScanResult) -> str:
    if any(f.detector == "repo_is_ml_tool_source" for f in scan.findings):
        return "ml-tool-source"
    return "ml-project"


def _sub_project(  # noqa: PLR0917 - one private call site
    tree: RepoTree,
    ref: SubProjectRef,
    shared: list[str],
    detectors: list[Detector],
    catalogue: Catalogue,
    config: Config,
    today: dt.date | None,
    answers: dict[str, Combined] | None = None,
    respondents: list[str] | None = None,
    live: list[Finding] | None = None,
) -> tuple[SubProject, Assessment]:
    """One sub-project, assessed on its own files (and the repository's own settings)
    through a view of the same tree: its summary row and its full assessment. ``live``
    findings (the team's MLflow server, the repository's history) count for every one."""
    scan = run_detectors(SubTree(tree, ref.path, shared_with(tree, ref.path, shared)), detectors)
    scan.findings = sorted([*scan.findings, *(live or [])], key=Finding.sort_key)
    who = Subject(name=ref.path, path=ref.path, kind=_kind(scan))
    a = evaluate(
        catalogue,
        scan.findings,
        scan.detectors_run,
        config,
        who,
        warnings=scan.warnings,
        today=today,
        tool_version=__version__,
        answers=answers,
        respondents=respondents,
    )
    blockers = sorted(
        (b for d in a.dimensions for b in d.blockers), key=lambda b: (b.role != "core", b.level)
    )
    row = SubProject(
        path=ref.path,
        how=ref.how,
        kind=who.kind,
        stage=a.stage,
        stage_index=a.stage_index,
        levels={d.id: d.level for d in a.dimensions},
        blocker=blockers[0].practice if blockers else None,
        next_stage=a.next_stage,
    )
    return row, a


def _answers(
    paths: list[str | Path], cat: Catalogue
) -> tuple[dict[str, Combined], list[str], str | None]:
    """Combined answers, the respondents, and the subject named in the files (if any)."""
    if not paths:
        return {}, [], None
    files = [
        load_answers(p, cat.id, cat.version, {x.id for x in cat.practices})
        for p in answer_files([Path(p) for p in paths])
    ]
    if not files:
        raise MLKaizenError("no answers files (*.yaml) found", str(paths[0]))
    people = [f.respondent for f in files]
    if len(set(people)) != len(people):
        dupes = sorted({p for p in people if people.count(p) > 1})
        raise MLKaizenError(
            f"several answers files for the same respondent: {', '.join(dupes)}", str(paths[0])
        )
    named = next((f.subject for f in files if f.subject), None)
    return combine(files), people, named
