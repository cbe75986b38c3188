"""Rules read from a trusted commit: ``mlkaizen assess PATH --trusted-ref REF``.

In CI a pull request is judged by the rules of its base branch, not by its own: the config
(``.mlkaizen.yaml`` or ``[tool.mlkaizen]`` of ``pyproject.toml``: not-applicable
declarations, exemptions, attestations, scope, limits, catalogue choice), the answers files
inside the repository, a catalogue file the config names, and the committed baseline
(``.mlkaizen/baseline.json``) are read from REF's git objects, never from the work tree. The
code is still scanned from the work tree. Each of those files the pull request changed is
listed in the report, not applied.

git runs as for a replay of history (:mod:`mlkaizen.evidence.gitcommit`): the object
database is read, nothing is checked out, no hook, filter or pager runs. A link or a
submodule at REF where a rules file is expected is refused, never followed.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mlkaizen.catalogue.loader import BUILTIN, plugin_catalogues
from mlkaizen.catalogues import load_catalogue_text
from mlkaizen.config import CONFIG_FILES, Config, config_of_files, tool_section
from mlkaizen.engine.compare import DEFAULT_BASELINE
from mlkaizen.engine.model import ScanWarning
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.git import pointer_problem
from mlkaizen.evidence.gitcommit import MODE_SYMLINK, Entry, GitObjects
from mlkaizen.trust import ALLOW_FLAG, Chosen

MAX_RULES_BYTES = 5 * 1024 * 1024
BASELINE = DEFAULT_BASELINE.as_posix()
_UNREADABLE = "(unreadable)"
TOOL_SECTION = "[tool.mlkaizen]"


@dataclass
class TrustedRules:
    """What judges the run, read from REF, and what the work tree changed in it."""

    ref: str
    commit: str
    config: Config
    answers: list[Path]
    catalogue: Chosen | None  # a catalogue file the config names (with --allow-repo-catalogue)
    baseline: str | None  # the baseline's text at REF, None when REF has none
    baseline_display: str
    baseline_error: MLKaizenError | None  # REF's baseline is there but cannot be used
    changed: list[ScanWarning] = field(default_factory=list)
    tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def label(self) -> str:
        """``REF (abc1234567)``, or the short commit id when REF is one."""
        short = self.commit[:12]
        return short if self.commit.startswith(self.ref) else f"{self.ref} ({short})"

    def close(self) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()

    def own_path(self, error: MLKaizenError) -> MLKaizenError:
        """``error`` about an answers file copied from REF, naming that file as REF holds it
        (``.mlkaizen/answers/ann.yaml@abc123456789``), never the temporary copy read."""
        if self.tmp is not None and error.path is not None:
            inside = Path(error.path)
            if inside.is_relative_to(self.tmp.name):
                rel = inside.relative_to(self.tmp.name).as_posix()
                error.path = f"{rel}@{self.commit[:12]}"
        return error


class _Commit:
    """The files of one commit below the scanned folder."""

    def __init__(self, root: Path, ref: str) -> None:
        if ref.startswith("-") or not ref.strip() or "\0" in ref:
            raise MLKaizenError(f"--trusted-ref {ref!r} is not a commit name")
        if not root.is_dir():
            raise MLKaizenError("not a directory; give the repository folder", str(root))
        problem = pointer_problem(root.resolve())
        if problem is not None:
            raise MLKaizenError(f"--trusted-ref needs a usable git repository: {problem}",
                                str(root))
        probe = GitObjects(root)
        proc = probe.command("rev-parse", "--show-toplevel", "--show-prefix")
        if proc.returncode != 0:
            raise MLKaizenError("--trusted-ref needs a git repository; this is not one",
                                str(root))
        lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
        self.prefix = lines[1] if len(lines) > 1 else ""
        found = probe.command("rev-parse", "--verify", "--quiet", "--end-of-options",
                              f"{ref}^{{commit}}")
        if found.returncode != 0:
            raise MLKaizenError(
                f"--trusted-ref {ref!r} does not name a commit of this repository (in a "
                "shallow clone, fetch it first)",
                str(root),
            )
        self.commit = found.stdout.decode("ascii", "replace").strip()
        self.top = Path(lines[0]) if lines else root
        self.root = root
        self.objects = GitObjects(self.top)
        try:
            self.entries: dict[str, Entry] = self.objects.entries(self.commit)
        except MLKaizenError:
            self.objects.close()
            raise

    def key(self, rel: str) -> str:
        """The repository path of ``rel`` (relative to the scanned folder; it may climb to
        the repository's top with ``..``)."""
        joined = posixpath.normpath(posixpath.join(self.prefix, rel)) if rel else self.prefix
        return "" if joined == "." else joined

    def rel_of(self, path: Path) -> str | None:
        """``path`` (as the user gave it) relative to the scanned folder when it lies in the
        repository; ``None`` when it lies outside (the user's own file). In the repository
        means so as typed (no link followed, so a link the pull request committed on the way
        never makes its file the user's), or once the folders above it are resolved (the
        repository reached through a link of the user's, as a CI workspace may be)."""
        given = Path(os.path.abspath(path))
        root = Path(os.path.abspath(self.root))
        depth = len(PurePosixPath(self.prefix).parts)
        typed_top = root.parents[depth - 1] if depth else root
        real = Path(os.path.realpath(given.parent)) / given.name if given.name else given
        for candidate, top, base in (
            (given, typed_top, root),
            (real, Path(os.path.realpath(self.top)), Path(os.path.realpath(self.root))),
        ):
            if candidate == top or candidate.is_relative_to(top):
                rel = Path(os.path.relpath(candidate, base)).as_posix()
                return "" if rel == "." else rel
        return None

    def work_text(self, rel: str) -> str | None:
        """The work tree's version of ``rel`` (no link followed), to compare with REF's."""
        return _work_text(self.top, self.key(rel))

    def display(self, rel: str) -> str:
        return f"{self.key(rel)}@{self.commit[:12]}"

    def text(self, rel: str, what: str) -> str | None:
        """The UTF-8 text of ``rel`` at the commit, ``None`` when absent; a link, a
        submodule, an oversized or missing object is refused."""
        entry = self.entries.get(self.key(rel))
        if entry is None:
            return None
        display = self.display(rel)
        if entry.mode == MODE_SYMLINK:
            raise MLKaizenError(f"{what} is a symbolic link in the trusted commit; refused",
                                display)
        if not entry.mode.startswith("100"):
            raise MLKaizenError(f"{what} is not a file in the trusted commit; refused", display)
        if entry.size > MAX_RULES_BYTES:
            raise MLKaizenError(f"{what} is over {MAX_RULES_BYTES:,} bytes; refused", display)
        data = self.objects.read(entry.oid)
        if data is None:
            raise MLKaizenError(f"{what} cannot be read from the trusted commit (missing "
                                "object: a shallow or partial clone?)", display)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MLKaizenError(f"{what} is not UTF-8 text", display) from None

    def is_link(self, rel: str) -> bool:
        entry = self.entries.get(self.key(rel))
        return entry is not None and entry.mode == MODE_SYMLINK

    def under(self, rel: str) -> list[str]:
        """The ``*.yaml``/``*.yml`` files at or below ``rel`` (an answers file or folder),
        relative to the scanned folder as ``rel`` is."""
        full = self.key(rel)
        found = []
        for name in self.entries:
            if not name.endswith((".yaml", ".yml")):
                continue
            if name == full:
                found.append(rel)
            elif not full or name.startswith(full.rstrip("/") + "/"):
                tail = name[len(full):].lstrip("/")
                found.append(posixpath.join(rel, tail) if rel else tail)
        return sorted(found)


def _work_text(root: Path, rel: str) -> str | None:
    """The work tree's version of ``rel`` (no link followed), to compare with REF's."""
    from mlkaizen.fsio.read import read_below

    try:
        return read_below(root, rel, MAX_RULES_BYTES, "file")
    except MLKaizenError:
        return _UNREADABLE


def load_trusted(
    root: Path,
    ref: str,
    *,
    config_path: Path | None,
    answers: list[Path],
    baseline: Path | None,
    allow_repo_catalogue: bool,
    catalogue: str | None = None,
    found_answers: bool = False,
) -> TrustedRules:
    """The rules of ``root`` at ``ref``. Files the user names outside the repository
    (``--config``, ``--answers``, ``--baseline``) are the user's and read as given; inside
    it, they too come from ``ref``. With ``found_answers`` (no ``--answers`` given), the
    answers are REF's ``.mlkaizen/answers/`` files, as a run without REF finds them."""
    commit = _Commit(root, ref)
    loader = _Loader(commit, root)
    try:
        config = loader.config(config_path)
        chosen = loader.named_catalogue(catalogue)
        if chosen is None and allow_repo_catalogue:
            chosen = loader.catalogue(config)
        paths = loader.default_answers() if found_answers else loader.answers(answers)
        base_rel = commit.rel_of(baseline) if baseline is not None else BASELINE
        base_text, base_error = loader.baseline(base_rel)
    except BaseException:
        loader.close()
        raise
    finally:
        commit.objects.close()
    rules = TrustedRules(
        ref=ref,
        commit=commit.commit,
        config=config,
        answers=paths,
        catalogue=chosen,
        baseline=base_text,
        baseline_display=commit.display(base_rel) if base_rel is not None else "",
        baseline_error=base_error,
        tmp=loader.tmp,
    )
    rules.changed = [
        ScanWarning(
            kind="trusted-ref",
            message=f"{rel} changed in this pull request: not applied (rules come from "
            f"{rules.label})",
            file=rel.removesuffix(f" {TOOL_SECTION}"),
        )
        for rel, theirs, ours in loader.compared
        if theirs != ours
    ]
    return rules


class _Loader:
    """Reads each rules file from the commit and keeps the work tree's version beside it."""

    def __init__(self, commit: _Commit, root: Path) -> None:
        self.commit, self.root = commit, root
        self.compared: list[tuple[str, object, object]] = []  # rel, REF's, the work tree's
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()

    def config(self, config_path: Path | None) -> Config:
        """REF's config; an explicit file outside the repository is the user's own."""
        commit, root = self.commit, self.root
        explicit = commit.rel_of(config_path) if config_path is not None else None
        if config_path is not None and explicit is None:
            from mlkaizen.config import load_config

            return load_config(root, config_path)
        if explicit is not None:
            text = commit.text(explicit, "config file")
            if text is None:
                raise MLKaizenError("config file not found in the trusted commit",
                                    commit.display(explicit))
            self.compared.append((explicit, text, commit.work_text(explicit)))
            return _explicit_config(explicit, text, _source(root, commit, explicit))
        texts: dict[str, str] = {}
        for name in (*CONFIG_FILES, "pyproject.toml"):
            # as in a work tree, a config file that is a link is not used
            found = None if commit.is_link(name) else commit.text(name, "config file")
            if found is not None:
                texts[name] = found
            ours = commit.work_text(name)
            if name == "pyproject.toml":  # only its [tool.mlkaizen] section is a rule
                self.compared.append((f"{name} {TOOL_SECTION}", tool_section(found),
                                      tool_section(ours) if ours != _UNREADABLE else ours))
            else:
                self.compared.append((name, found, ours))
        return config_of_files(texts, {n: _source(root, commit, n) for n in texts})

    def catalogue(self, config: Config) -> Chosen | None:
        """A catalogue file REF's config names (``--allow-repo-catalogue``), from REF."""
        name = config.catalogue
        if (
            config.source is None
            or name is None
            or name == BUILTIN
            or name in plugin_catalogues()
        ):
            return None
        rel = posixpath.normpath(name)
        if rel.startswith(("/", "../")) or rel == "..":
            raise MLKaizenError(f"catalogue: {name!r} must be a relative path inside the "
                                "repository (no '..')", config.source)
        text = self.commit.text(rel, "catalogue")
        if text is None:
            raise MLKaizenError(f"catalogue: {name!r} does not exist in the trusted commit",
                                config.source)
        self.compared.append((rel, text, self.commit.work_text(rel)))
        return Chosen(load_catalogue_text(text, self.commit.display(rel)),
                      from_repository=f"{name} at {self.commit.commit[:12]}")

    def named_catalogue(self, name: str | None) -> Chosen | None:
        """A catalogue file given with ``--catalogue`` that lies in the repository: REF's
        version judges the run (a file outside it, a built-in or plugin name is the
        user's choice)."""
        if name is None or name == BUILTIN or name in plugin_catalogues():
            return None
        rel = self.commit.rel_of(Path(name))
        if rel is None:
            return None
        text = self.commit.text(rel, "catalogue")
        if text is None:
            raise MLKaizenError("catalogue file not found in the trusted commit",
                                self.commit.display(rel))
        self.compared.append((rel, text, self.commit.work_text(rel)))
        return Chosen(load_catalogue_text(text, self.commit.display(rel)),
                      from_repository=f"{rel} at {self.commit.commit[:12]}")

    def answers(self, answers: list[Path]) -> list[Path]:
        """Answers files inside the repository, written from REF into a folder of our own."""
        paths: list[Path] = []
        for given in answers:
            rel = self.commit.rel_of(given)
            if rel is None:
                paths.append(given)
                continue
            found = self.commit.under(rel)
            if not found:
                raise MLKaizenError("answers file or folder not found in the trusted commit",
                                    self.commit.display(rel))
            if self.tmp is None:
                self.tmp = tempfile.TemporaryDirectory(prefix="mlkaizen-trusted-")
            for each in found:
                text = self.commit.text(each, "answers file") or ""
                copy = Path(self.tmp.name, *self.commit.key(each).split("/"))
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_text(text, encoding="utf-8")
                self.compared.append((each, text, self.commit.work_text(each)))
            key = self.commit.key(rel)
            paths.append(Path(self.tmp.name, *key.split("/")) if key else Path(self.tmp.name))
        return paths

    def default_answers(self) -> list[Path]:
        """REF's ``.mlkaizen/answers/`` files (the answers found without being named); one
        the work tree adds there is listed as changed, never applied. The files an older
        version saved in ``answers/`` are not looked for in REF."""
        from mlkaizen.evidence.answers import ANSWERS_DIR, default_answers

        theirs = set(self.commit.under(ANSWERS_DIR))
        for path in default_answers(self.root)[0]:
            rel = self.commit.rel_of(path)
            if rel is not None and rel.startswith(ANSWERS_DIR + "/") and rel not in theirs:
                self.compared.append((rel, None, "added"))
        return self.answers([self.root / ANSWERS_DIR]) if theirs else []

    def baseline(self, rel: str | None) -> tuple[str | None, MLKaizenError | None]:
        """REF's baseline text (``None`` when absent), or why it cannot be used; the gate
        decides what that means (it fails when the baseline is asked for)."""
        if rel is None:
            return None, None
        try:
            text = self.commit.text(rel, "baseline")
        except MLKaizenError as exc:
            self.compared.append((rel, _UNREADABLE, self.commit.work_text(rel)))
            return None, exc
        self.compared.append((rel, text, self.commit.work_text(rel)))
        return text, None


def _source(root: Path, commit: _Commit, name: str) -> str:
    """A config's source: inside the repository (so it may not choose a catalogue file
    without --allow-repo-catalogue), marked with the commit it was read from."""
    return f"{commit.top / commit.key(name)}@{commit.commit[:12]}"


def _explicit_config(rel: str, text: str, display: str) -> Config:
    name = rel.rsplit("/", 1)[-1]
    if name.endswith(".toml"):
        section = tool_section(text)
        if not isinstance(section, dict):
            raise MLKaizenError("[tool.mlkaizen] is missing or the TOML is broken", display)
        return config_of_files({"pyproject.toml": text}, {"pyproject.toml": display})
    return config_of_files({".mlkaizen.yaml": text}, {".mlkaizen.yaml": display})


__all__ = ["ALLOW_FLAG", "TrustedRules", "load_trusted"]
