"""Rules the scanned repository cannot choose.

A pull request may change ``.mlkaizen.yaml``; if that config could name its own catalogue, it
could ship one whose stages require nothing and pass any ``--fail-under``. So a catalogue the
repository's config names is used only when it is a built-in or installed (plugin) id; a
catalogue file from the repository needs the user's ``--allow-repo-catalogue``, and is then
read only from inside the tree, through :func:`read_inside`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from mlkaizen.catalogue.loader import BUILTIN, plugin_catalogues
from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.catalogues import load_catalogue, load_catalogue_text
from mlkaizen.config import Config, _find_line
from mlkaizen.errors import MLKaizenError

MAX_REFERENCED_BYTES = 2 * 1024 * 1024
ALLOW_FLAG = "--allow-repo-catalogue"


@dataclass(frozen=True)
class Chosen:
    """The catalogue an assessment is judged against, and who chose it."""

    catalogue: Catalogue
    from_repository: str | None = None  # the repository file it came from, if any

    @property
    def label(self) -> str:
        """``catalogue <id> <version>``, and where it came from when the repository chose it."""
        text = f"catalogue {self.catalogue.id} {self.catalogue.version}"
        if self.from_repository:
            text += f" from the repository's {self.from_repository} ({ALLOW_FLAG})"
        return text


def is_repository_config(config: Config, root: Path | None) -> bool:
    """Whether ``config`` is a file of the scanned repository (found there or given inside it)."""
    if config.source is None or root is None:
        return False
    return Path(config.source).resolve().is_relative_to(root.resolve())


def choose_catalogue(
    explicit: Catalogue | str | Path | None,
    config: Config,
    root: Path | None,
    allow_repo_catalogue: bool = False,
) -> Chosen:
    """The catalogue to judge against: the caller's choice, else the config's when the
    repository may make it (a built-in or installed id), else the built-in one.

    Raises :class:`MLKaizenError` when the repository's config names a file and the user did
    not pass ``--allow-repo-catalogue``, or when that file is not a bounded regular file inside
    the tree.
    """
    if isinstance(explicit, Catalogue):
        return Chosen(explicit)
    if explicit is not None:
        return Chosen(load_catalogue(explicit))
    name = config.catalogue
    if name is None or name == BUILTIN or name in plugin_catalogues():
        return Chosen(load_catalogue(name))
    if not is_repository_config(config, root):
        return Chosen(load_catalogue(name))  # the user's own config file
    assert root is not None and config.source is not None
    line = _find_line(config.source, "catalogue")
    if not allow_repo_catalogue:
        raise MLKaizenError(
            f"catalogue: {name!r} is not a built-in or installed catalogue id; a repository "
            f"cannot choose the rules it is judged by (use --catalogue, or {ALLOW_FLAG} "
            "to trust the repository's catalogue file)",
            config.source,
            line,
        )
    text = read_inside(root, name, "catalogue", config.source, line)
    return Chosen(load_catalogue_text(text, str(root / name)), from_repository=name)


def read_inside(root: Path, ref: str, key: str, source: str, line: int | None = None) -> str:
    """The UTF-8 text of ``ref``, a file a repository's config names: a relative path inside
    ``root`` with no ``..``, no link on any component, a regular file (never a FIFO, device or
    socket, so nothing blocks) of at most :data:`MAX_REFERENCED_BYTES`."""

    def refuse(why: str) -> MLKaizenError:
        return MLKaizenError(f"{key}: {ref!r} {why}", source, line)

    posix, windows = PurePosixPath(ref), PureWindowsPath(ref)
    if not ref or posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise refuse("must be a relative path inside the repository")
    parts = [p for p in posix.parts if p not in ("", ".")]
    if not parts or ".." in parts or "\0" in ref:
        raise refuse("must be a relative path inside the repository (no '..')")
    path = root
    for i, part in enumerate(parts):
        path = path / part
        try:
            st = os.lstat(path)
        except OSError:
            raise refuse("does not exist in the repository") from None
        if stat.S_ISLNK(st.st_mode):
            raise refuse("is reached through a symbolic link; links are not followed")
        if i < len(parts) - 1 and not stat.S_ISDIR(st.st_mode):
            raise refuse("does not exist in the repository")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refuse("is not a regular file")
        if st.st_size > MAX_REFERENCED_BYTES:
            raise refuse(f"is larger than {MAX_REFERENCED_BYTES:,} bytes")
        chunks: list[bytes] = []
        left = MAX_REFERENCED_BYTES + 1
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_REFERENCED_BYTES:
        raise refuse(f"is larger than {MAX_REFERENCED_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("is not UTF-8 text") from None
