"""`mlkaizen survey`, `profile`, `target`, `map` and `edge-advice`: evidence from people."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlkaizen.cli.common import (
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    ConfigOpt,
    OutOpt,
    PathArg,
    QuietOpt,
    RepoRules,
    app,
    checked_path,
    checked_paths,
    confirm,
    found_answers,
    prompt,
    refuse_stdout,
    write_out,
)
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible, visible_lines
from mlkaizen.textfmt import counted

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.config import Config
    from mlkaizen.engine.model import Assessment


@app.command("map")
def map_(
    subjects: Annotated[
        list[Path],
        typer.Argument(
            metavar="DIR...",
            help="Subjects: repositories, or folders of answers files (plus an optional "
            "profile.yaml).",
            callback=checked_paths,
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="terminal, markdown, csv, json or html."
        ),
    ] = "terminal",
    out: OutOpt = None,
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
    projects: Annotated[
        bool,
        typer.Option(
            "--projects",
            help="Also lay out each repository's sub-projects as subjects of their own.",
        ),
    ] = False,
) -> None:
    """Lay many subjects side by side: stage, levels, target and gap, and a heat map."""
    from mlkaizen.api import assess as run
    from mlkaizen.api import assess_with_projects
    from mlkaizen.catalogues import load_catalogue
    from mlkaizen.engine.taxonomy import target_stage_index
    from mlkaizen.engine_files import load_profile
    from mlkaizen.fsio.read import found_inside, read_head
    from mlkaizen.report.mapping import Row, render_map

    if fmt not in ("terminal", "markdown", "csv", "json", "html"):
        raise MLKaizenError(f"--format {fmt!r}: expected terminal, markdown, csv, json or html")
    rules = RepoRules(config, catalogue, allow_repo_catalogue)
    read: list[tuple[Path, Config | None]] = []  # each subject, and its config (a repository)
    judged: dict[tuple[str, str], tuple[Catalogue, str]] = {}
    for folder in subjects:
        if not folder.is_dir():
            raise MLKaizenError("not a folder; give repositories or answers folders", str(folder))
        has_answers = any(
            p.suffix in (".yaml", ".yml")
            and p.name not in ("profile.yaml", "profile.yml")
            and b"respondent:" in (read_head(p, 4096) or b"")
            for p in folder.iterdir()
        )
        own, chosen = rules.load(None if has_answers else folder)
        read.append((folder, None if has_answers else own))
        judged.setdefault((chosen.catalogue.id, chosen.catalogue.version),
                          (chosen.catalogue, f"{folder}: {chosen.label}"))
    if len(judged) > 1:
        raise MLKaizenError(
            "the subjects are judged by different catalogues ("
            + "; ".join(visible(label) for _, label in judged.values())
            + "); give --catalogue to lay them out by one"
        )
    cat = next(iter(judged.values()))[0] if judged else load_catalogue(catalogue)
    rows = []
    for folder, settings in read:
        parts: list[tuple[str, Assessment]] = []
        if settings is None:
            assessment = run(None, catalogue=cat, answers=[folder])
        else:  # a repository, with its own answers (.mlkaizen/answers/) if it has any
            found = found_answers(folder)
            if projects:  # the sub-projects' assessments come from the same scan of the tree
                assessment, parts = assess_with_projects(
                    folder, catalogue=cat, answers=found, config=settings
                )
            else:
                assessment = run(folder, catalogue=cat, answers=found, config=settings)
        profile = folder / "profile.yaml"
        target = (
            target_stage_index(load_profile(profile)) if found_inside(profile, folder) else None
        )
        name = assessment.subject.name if assessment.subject.name != "subject" else folder.name
        rows.append(Row(name, assessment, target))
        for path, part in parts:
            rows.append(Row(f"{name}/{path}", part, target))
    import os
    import sys

    from mlkaizen.textfmt import terminal_width

    # on standard output, the terminal's width, or COLUMNS when piped (as `assess` does)
    to_stdout = out is None or str(out) == "-"
    sized = sys.stdout.isatty() or (os.environ.get("COLUMNS") or "").isdigit()
    width = terminal_width() if to_stdout and sized else None
    write_out(
        render_map(rows, cat, fmt, width),
        out,
        quiet=quiet,
        what=f"{fmt}, {counted(len(rows), 'subject')}",
    )


@app.command()
def target(
    path: PathArg = Path("."),
    profile: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Use-case profile (default: PATH/profile.yaml or .mlkaizen/profile.yaml).",
        ),
    ] = None,
    answers: Annotated[
        list[Path] | None,
        typer.Option("--answers", metavar="FILE|DIR", help="Answers files (repeatable)."),
    ] = None,
    no_repo: Annotated[bool, typer.Option("--no-repo", help="From answers alone.")] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="terminal or json.")
    ] = "terminal",
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """The stage this use case needs (taxonomy), the gap per dimension, and the roadmap."""
    from mlkaizen.api import assess as run
    from mlkaizen.config import NotApplicable
    from mlkaizen.engine.target import render_target, target_report
    from mlkaizen.engine.taxonomy import derive_target
    from mlkaizen.engine_files import load_profile
    from mlkaizen.fsio.read import found_inside

    found = profile or next(
        (
            p
            for p in (path / "profile.yaml", path / ".mlkaizen" / "profile.yaml")
            if found_inside(p, path)
        ),
        None,
    )
    if found is None:
        raise MLKaizenError("no profile; create one with `mlkaizen profile`", str(path))
    prof = load_profile(found)
    base, chosen = RepoRules(config, catalogue, allow_repo_catalogue).load(
        None if no_repo else path
    )
    cat = chosen.catalogue
    gates = {s.index: dict(s.requires) for s in cat.stages}
    goal = derive_target(prof, gates, [d.id for d in cat.dimensions])
    extra = {pid: NotApplicable(reason=why) for pid, why in goal.not_applicable.items()}
    settings = base.model_copy(update={"not_applicable": {**base.not_applicable, **extra}})
    assessment = run(
        None if no_repo else path,
        catalogue=cat,
        config=settings,
        answers=list(answers or []) if answers or no_repo else found_answers(path),
    )
    report = target_report(assessment, cat, goal)
    write_out(
        report.model_dump_json(indent=2) + "\n"
        if fmt == "json"
        else visible_lines(render_target(report)),
        None,
    )


@app.command()
def survey(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="Repository folder (ignored with --no-repo).",
            callback=checked_path,
        ),
    ] = Path("."),
    respondent: Annotated[str, typer.Option(metavar="NAME", help="Who answers.")] = "",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Answers file (default: PATH/.mlkaizen/answers/RESPONDENT.yaml, read by "
            "the next `mlkaizen assess`; with --no-repo: answers/RESPONDENT.yaml).",
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="Check an answers file instead of asking (non-interactive).",
        ),
    ] = None,
    no_repo: Annotated[bool, typer.Option("--no-repo", help="No repository to scan.")] = False,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """Ask the questions the repository could not answer; saves after every answer."""
    from mlkaizen.api import assess as run
    from mlkaizen.interview import run_survey

    rules = RepoRules(config, catalogue, allow_repo_catalogue)
    if answers is not None:
        result = run(None if no_repo else path, answers=[answers], **rules.kwargs())
        conflicts = [p for p in result.practices if p.conflict]
        write_out(
            f"{answers}: ok; {counted(len(result.questions), 'question')} still open, "
            f"{counted(len(conflicts), 'conflict')} with the repository\n",
            None,
        )
        for p in conflicts:
            write_out(f"  conflict {p.id}: {visible(p.conflict or '')}\n", None)
        return
    refuse_stdout(out, "the survey saves its answers file after every answer")
    if not respondent:
        raise MLKaizenError("give --respondent NAME (it names the answers file)")
    if out is None:
        _check_respondent(respondent)
    if no_repo:
        from mlkaizen.engine.assess import evaluate
        from mlkaizen.engine.model import Subject

        settings, chosen = rules.load(None)
        assessment = evaluate(
            chosen.catalogue, [], set(), settings, Subject(name="subject", path=""),
            scanned=False,
        )
    else:
        assessment = run(path, **rules.kwargs())
    target = out or _survey_file(None if no_repo else path, respondent)
    try:
        done, left = run_survey(
            assessment,
            respondent,
            target,
            prompt(),
            lambda text: write_out(visible_lines(text) + "\n", None),
            root=None if no_repo else path,
        )
    except (EOFError, KeyboardInterrupt):
        write_out(
            f"\nstopped; answers so far are saved in {visible(str(target))}; run again to "
            "resume\n",
            None,
        )
        return
    # what the answers are for: the next assessment reads the default folder by itself
    where = "" if path == Path(".") else f" {visible(str(path))}"
    use = (
        f"`mlkaizen assess{where}` uses them"
        if out is None and not no_repo
        else f"use them with `mlkaizen assess --answers {visible(str(target))}`"
    )
    saved = f"saved {counted(done, 'answer')} to {visible(str(target))}"
    write_out(f"{saved}; {left} left; {use}\n", None)



def _check_respondent(name: str) -> None:
    """A respondent's name names their answers file in the answers folder: a path (``/``,
    ``\\``, ``..``) would save it elsewhere, where no assessment reads it (or outside the
    repository), and a control character would hide it; both are refused."""
    bad = (
        "/" in name
        or "\\" in name
        or name.strip() in (".", "..")
        or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name)
    )
    if bad:
        raise MLKaizenError(
            f"--respondent '{visible(name)}': a name, not a path nor control characters (it "
            "names the answers file NAME.yaml in the answers folder); give --out FILE to "
            "choose the file"
        )


def _survey_file(root: Path | None, respondent: str) -> Path:
    """Where a survey saves ``respondent``'s answers by default: in the repository's
    ``.mlkaizen/answers/`` (every assessment of it reads them there), or, with a file an
    older version saved in ``answers/`` and none in the new place, that file (resumed where
    it is; `assess` reads it there too and says to move it)."""
    from mlkaizen.evidence.answers import ANSWERS_DIR, OLD_ANSWERS_DIR, default_answers

    name = f"{respondent}.yaml"
    if root is None:
        return Path(OLD_ANSWERS_DIR) / name
    new = root.joinpath(*ANSWERS_DIR.split("/"), name)
    old = root / OLD_ANSWERS_DIR / name
    if not os.path.lexists(new) and old in default_answers(root)[0]:
        write_out(
            f"resuming {visible(str(old))}, saved by an older mlkaizen (move it to "
            f"{visible(str(new))})\n",
            None,
        )
        return old
    return new


@app.command()
def profile(
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="FILE", help="Profile file to write.")
    ] = Path("profile.yaml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing profile.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Record a use case's requirements and context facets (for `mlkaizen target`)."""
    import yaml
    from pydantic import ValidationError

    from mlkaizen.engine.taxonomy import Profile
    from mlkaizen.interview import run_profile

    refuse_stdout(out, "the profile's questions are asked on standard output")
    if os.path.lexists(out) and not force:
        raise MLKaizenError("profile exists; use --force to replace it", str(out))
    try:
        answers = run_profile(prompt(), lambda text: write_out(visible_lines(text) + "\n", None))
    except (EOFError, KeyboardInterrupt):
        raise MLKaizenError("profile not finished; nothing written") from None
    try:
        Profile.model_validate(answers)
    except ValidationError as exc:
        from mlkaizen.formats.datafile import first_error

        raise MLKaizenError(f"{first_error(exc)[1]}; nothing written") from None
    from mlkaizen.fsio.write import write_text

    if not out.parent.is_dir():
        raise MLKaizenError("cannot write: its folder does not exist (create it first)", str(out))
    write_text(
        out,
        "# Use-case profile written by `mlkaizen profile`.\n"
        + yaml.safe_dump(answers, sort_keys=False),
        overwrite=force,
    )
    confirm(f"wrote {out} (profile)", quiet)


@app.command("edge-advice")
def edge_advice(
    profile: Annotated[
        Path, typer.Option(metavar="FILE", help="Use-case profile (mlkaizen profile).")
    ] = Path("profile.yaml"),
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="terminal or json.")
    ] = "terminal",
) -> None:
    """Which edge architecture fits: five alternatives scored on four factors."""
    from mlkaizen.engine.edge import advise, render_advice
    from mlkaizen.engine_files import load_profile

    if not profile.is_file():
        raise MLKaizenError("profile not found; create it with `mlkaizen profile`", str(profile))
    advice = advise(load_profile(profile))
    write_out(
        advice.model_dump_json(indent=2) + "\n" if fmt == "json" else render_advice(advice), None
    )
