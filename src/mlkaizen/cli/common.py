"""The Typer apps, shared options and output helpers of the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.core import Context  # the Click that Typer bundles (>= 0.29)
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

if TYPE_CHECKING:
    from mlkaizen.config import Config
    from mlkaizen.trust import Chosen

T = TypeVar("T")


class Group(TyperGroup):
    """A command group whose command list shows each command's whole summary sentence
    (wrapped to the terminal), never one cut at an arbitrary width."""

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _version(value: bool) -> None:
    if value:
        from mlkaizen import __version__

        sys.stdout.write(f"mlkaizen {__version__}\n")
        raise typer.Exit()


#: ``-h`` as well as ``--help``, on the program and every command (a sub-command's context
#: inherits its parent's help option names)
HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    cls=Group,
    context_settings=HELP,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Where your MLOps practice stands, why, and what to do next.",
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Where your MLOps practice stands, why, and what to do next."""


model_app = typer.Typer(
    cls=Group,
    context_settings=HELP,
    no_args_is_help=True,
    help="Show, validate and export the maturity model.",
)
app.add_typer(model_app, name="model")
baseline_app = typer.Typer(
    cls=Group,
    context_settings=HELP,
    no_args_is_help=True,
    help="Record the baseline a CI gate compares to.",
)
app.add_typer(baseline_app, name="baseline")


class Format(StrEnum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"
    html = "html"
    sarif = "sarif"


CatalogueOpt = Annotated[
    str | None,
    typer.Option(
        "--catalogue",
        metavar="ID|FILE",
        help="Catalogue id or YAML file (default: the project's config, else "
        "the built-in ad-hoc-to-kaizen).",
    ),
]


AllowRepoCatalogueOpt = Annotated[
    bool,
    typer.Option(
        "--allow-repo-catalogue",
        help="Trust a catalogue file named by the repository's own config (refused by "
        "default: a pull request could ship rules that require nothing).",
    ),
]


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Config file (default: PATH's .mlkaizen.yaml, else [tool.mlkaizen] in its "
        "pyproject.toml).",
    ),
]


@dataclass(frozen=True)
class RepoRules:
    """How every command that reads a repository reads its config: ``--config``,
    ``--catalogue`` and ``--allow-repo-catalogue``, with the same defaults and the same
    refusals (a catalogue file named by the repository's own config is refused without
    ``--allow-repo-catalogue``; an explicit ``--catalogue`` wins)."""

    config_path: Path | None = None
    catalogue: str | None = None
    allow_repo_catalogue: bool = False

    def load(self, path: Path | None) -> tuple[Config, Chosen]:
        """The config of ``path`` (``--config``, else the repository's own; none without a
        repository) and the catalogue it is judged by."""
        from mlkaizen.config import Config, load_config
        from mlkaizen.trust import choose_catalogue

        if path is None:
            config = load_config(Path("."), self.config_path) if self.config_path else Config()
        else:
            config = load_config(path, self.config_path)
        chosen = choose_catalogue(self.catalogue, config, path, self.allow_repo_catalogue)
        config.check_practices({p.id for p in chosen.catalogue.practices})
        return config, chosen

    def explicit_config(self, path: Path | None) -> Config | None:
        """The ``--config`` file's config, ``None`` when the repository's own applies."""
        from mlkaizen.config import load_config

        return None if self.config_path is None else load_config(path or Path("."),
                                                                 self.config_path)

    def kwargs(self) -> dict[str, Any]:
        """These options as :func:`mlkaizen.api.assess` takes them."""
        return {
            "catalogue": self.catalogue,
            "config_path": self.config_path,
            "allow_repo_catalogue": self.allow_repo_catalogue,
        }


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _anchor(folder: str, here: str) -> str | None:
    """The root a link found in ``folder`` (a real path) may not leave: the innermost of the
    working folder (when ``folder`` lies in it) and the git repository holding ``folder``;
    ``None`` outside both (the user's own folders)."""
    from mlkaizen.evidence.git import work_tree_of

    top = work_tree_of(Path(folder))
    roots = [str(top)] if top is not None else []
    if _inside(folder, here):
        roots.append(here)
    return max(roots, key=len, default=None)


def checked_path(path: Path | None) -> Path | None:
    """``path`` as given, once no link on the way to it leaves the root it lies in.

    Each component of ``path`` is looked at as it is reached (``..`` included): a link whose
    folder lies in the working folder or in a git repository (the repository's own files,
    which a pull request controls) must lead to a folder inside that same root. A link in
    a folder outside both (e.g. ``/data/current`` named by the user) is the user's choice.
    This is the refusal ``--scope`` applies, for every command that takes a PATH."""
    if path is None or str(path) == ".":
        return path
    from mlkaizen.errors import MLKaizenError

    try:
        here = os.path.realpath(os.getcwd())
    except OSError:
        raise MLKaizenError("the working folder is gone; run from an existing folder") from None
    current = here
    parts = path.parts
    if path.is_absolute():
        current, parts = path.anchor, parts[1:]
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        step = os.path.join(current, part)
        if not os.path.islink(step):
            current = step
            continue
        real = os.path.realpath(step)
        anchor = _anchor(current, here)
        if anchor is not None and not _inside(real, anchor):
            shown = os.path.relpath(step, anchor)
            where = "the working folder" if anchor == here else "its repository"
            raise MLKaizenError(
                f"{shown} is a link that leads out of {where}; not followed "
                "(give the folder it points to if you mean it)",
                str(path),
            )
        current = real
    return path


def checked_paths(paths: list[Path] | None) -> list[Path] | None:
    """:func:`checked_path` for each of several PATHs."""
    for path in paths or []:
        checked_path(path)
    return paths


PathArg = Annotated[
    Path,
    typer.Argument(
        metavar="PATH",
        help="Repository folder (default: the current one).",
        callback=checked_path,
    ),
]
# the old spelling of PATH on `fix` and `explain`; still accepted, no longer shown
DeprecatedPathOpt = Annotated[
    Path | None,
    typer.Option(
        "--path", hidden=True, help="Deprecated: give PATH instead.", callback=checked_path
    ),
]
def _no_cache_now(value: bool) -> bool:
    """``--no-cache`` takes effect as soon as it is parsed: a command's imports load the
    vocabulary and the packs (from the user cache) before its body runs."""
    if value:
        from mlkaizen import usercache

        usercache.configure(enabled=False)
    return value


NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        callback=_no_cache_now,
        help="Neither read nor store anything in the user cache folder (parsed files, the "
        "catalogue, vocabulary and packs).",
    ),
]


def use_fact_cache(no_cache: bool, jobs: int | None = 1) -> None:
    """The parse cache and worker count of this run; ``jobs=None``: the usable cores (a tree
    is parsed in a pool only when it is big enough and not yet cached, see
    :mod:`mlkaizen.evidence.factcache`)."""
    import sys

    from mlkaizen import usercache
    from mlkaizen.evidence import factcache

    if jobs is None:
        jobs = factcache.usable_cores()

    def warn(message: str) -> None:
        sys.stderr.write(f"mlkaizen: warning: {message}\n")

    usercache.configure(enabled=not no_cache, on_problem=warn)  # the data files' caches too
    factcache.configure(enabled=not no_cache, jobs=jobs, on_problem=warn)


QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="Show no progress and do not confirm written files on stderr."
    ),
]


def is_stdout(out: Path | None) -> bool:
    """``-o -``: the conventional name of standard output, never a file named ``-``."""
    return out is not None and str(out) == "-"


def stdout_dash(out: Path | None) -> Path | None:
    """An ``--out`` value with ``-`` read as standard output (``None``)."""
    return None if is_stdout(out) else out


def refuse_stdout(out: Path | None, why: str) -> Path | None:
    """An ``--out`` a command must write as a file: ``-`` refused, saying why."""
    if is_stdout(out):
        from mlkaizen.errors import MLKaizenError

        raise MLKaizenError(f"--out -: {why}; give a file name")
    return out


OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        metavar="FILE",
        help="Write the report here (-: standard output).",
        callback=stdout_dash,
    ),
]


def repo_path(path: Path, deprecated: Path | None) -> Path:
    """PATH, or the deprecated ``--path`` (which may not contradict it)."""
    if deprecated is None:
        return path
    if path != Path(".") and path != deprecated:
        from mlkaizen.errors import MLKaizenError

        raise MLKaizenError(f"give the repository once: PATH {path} or --path {deprecated}")
    return deprecated


def write_out(
    text: str,
    out: Path | None,
    root: Path | None = None,
    quiet: bool = False,
    what: str = "",
) -> None:
    """Print ``text``, or write it to ``out`` through the safe writer (``root``: the
    repository the command reads, where no committed link is followed) and confirm that
    on stderr (unless ``quiet``).

    The folder of ``out`` must exist: a typo in it is an error, not a new tree of folders."""
    if out is None or is_stdout(out):
        sys.stdout.write(text)
        return
    from mlkaizen.errors import MLKaizenError
    from mlkaizen.fsio.write import write_text

    if not out.parent.is_dir():
        raise MLKaizenError(
            "cannot write: its folder does not exist (create it first)", str(out)
        )
    write_text(out, text, root=root)
    confirm(f"wrote {out}" + (f" ({what})" if what else ""), quiet)


def confirm(message: str, quiet: bool) -> None:
    """One line on stderr saying what was written (suppressed by ``-q``)."""
    if not quiet:
        from mlkaizen.report.escape import visible

        sys.stderr.write(f"mlkaizen: {visible(message)}\n")


#: the narrowest and widest terminal report: narrower breaks its columns, wider is hard to read
MIN_WIDTH, MAX_WIDTH = 60, 120


def terminal_style() -> tuple[bool, int]:
    """Whether a report printed on standard output is coloured, and its width.

    Rich's console decides from the environment as a command-line user expects: colour on a
    terminal, ``NO_COLOR`` (no-color.org) turns it off, ``FORCE_COLOR`` on (e.g. in CI logs),
    ``TERM=dumb`` off; the width is ``COLUMNS``, else the terminal's, else 80 (a file or a
    pipe), kept between :data:`MIN_WIDTH` and :data:`MAX_WIDTH`."""
    from rich.console import Console

    console = Console(file=sys.stdout)
    color = console.is_terminal and not console.no_color and console.color_system is not None
    wide = console.is_terminal or (os.environ.get("COLUMNS") or "").isdigit()
    width = console.width if wide else 80
    return color, min(MAX_WIDTH, max(MIN_WIDTH, width))


def with_progress(
    job: Callable[[Callable[[str], None] | None], T], quiet: bool = False
) -> T:
    """Run ``job`` with a transient Rich progress line on stderr (only on a terminal, and
    not with ``-q``)."""
    if quiet or not sys.stderr.isatty():
        return job(None)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("scanning", total=None)
        return job(lambda det: progress.update(task, description=f"detector {det}"))


def prompt() -> Callable[[str], str]:
    from rich.console import Console
    from rich.prompt import Prompt

    from mlkaizen.report.escape import terminal

    console = Console(highlight=False)

    def ask(question: str) -> str:  # catalogue text: shown as is, never as Rich markup
        return Prompt.ask(terminal(question), console=console, default="", show_default=False)

    return ask


def found_answers(root: Path) -> list[str | Path]:
    """The repository's own answers files (``.mlkaizen/answers/``); a note about them (one
    left where an older version saved it) goes to stderr."""
    from mlkaizen.inputs import answers_to_use
    from mlkaizen.report.escape import visible

    found, notes = answers_to_use(root, None)
    for note in notes:
        sys.stderr.write(f"mlkaizen: note: {visible(note)}\n")
    return list(found)


#: the store option of every command that reads or writes the store
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Store URL (default: MLKAIZEN_DB, else a SQLite file in your data folder).",
    ),
]
