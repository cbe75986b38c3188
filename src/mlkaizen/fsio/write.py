"""The one writer every command uses for every file it writes.

Below an anchor (the repository the command works on, or the folder it runs in, which in CI
is the checked-out pull request) nothing is trusted: every folder from the anchor down is
entered without following links (missing ones are created), the target must be absent or a
regular file with a single link, and the text goes to a fresh temporary file
(``O_CREAT | O_EXCL | O_NOFOLLOW``) that then replaces the target by rename. A link the
repository committed is never followed, and a target that cannot be checked is refused.

Elsewhere (a path outside both, given by the user) the user's path is honoured as given.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from mlkaizen.errors import MLKaizenError
from mlkaizen.fsio.read import anchor_of, check_target, open_dir_below

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def write_text(
    path: Path,
    text: str,
    *,
    root: Path | None = None,
    inside: bool = False,
    overwrite: bool = True,
) -> None:
    """Write ``text`` (UTF-8) to ``path`` safely; :class:`MLKaizenError` when refused.

    ``root`` is the tree the command works on; with ``inside`` the path must lie below it.
    Without ``overwrite`` an existing target is refused.
    """
    data = text.encode("utf-8", "surrogateescape")
    display = str(path)
    anchored = anchor_of(path, root)
    if anchored is None and inside:
        raise MLKaizenError("would write outside the repository; refused", display)
    try:
        if anchored is None:
            _write_as_given(path, data, overwrite)
            return
        anchor, parts = anchored
        if ".." in parts:
            raise MLKaizenError("would write outside the repository; refused", display)
        dir_fd = open_dir_below(anchor, parts[:-1], create=True)
        assert dir_fd is not None
        try:
            _replace(dir_fd, parts[-1], data, overwrite, display)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise MLKaizenError(f"cannot write ({exc.strerror})", display) from None


def _replace(dir_fd: int, name: str, data: bytes, overwrite: bool, display: str) -> None:
    existing = check_target(dir_fd, name, display)
    if existing is not None and not overwrite:
        raise MLKaizenError("exists; refusing to replace it", display)

    def still_free() -> None:
        again = check_target(dir_fd, name, display)  # the tree may have changed meanwhile
        if again is not None and not overwrite:
            raise MLKaizenError("exists; refusing to replace it", display)

    _swap_in(dir_fd, name, data, f".{name[:100]}.{secrets.token_hex(6)}.tmp", 0o666,
             like=existing, before_rename=still_free)


def _write_as_given(path: Path, data: bytes, overwrite: bool) -> None:
    """A path outside the repository and the working folder: the user's own choice, links
    and all. A device or FIFO the user named (``/dev/stdout``) is written in place."""
    try:
        st: os.stat_result | None = os.stat(path)  # links followed, as the user gave them
    except FileNotFoundError:
        st = None
    if st is not None and not overwrite:
        raise MLKaizenError("exists; refusing to replace it", str(path))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise MLKaizenError("is a directory where a file is expected", str(path))
    if st is not None and not stat.S_ISREG(st.st_mode):
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | _CLOEXEC)
        try:
            os.set_blocking(fd, True)
            _write_all(fd, data)
        finally:
            os.close(fd)
        return
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True)
    dir_fd = os.open(real.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    try:
        _swap_in(dir_fd, real.name, data, f".{real.name[:100]}.{secrets.token_hex(6)}.tmp",
                 0o666, like=st)
    finally:
        os.close(dir_fd)


def _swap_in(
    dir_fd: int,
    name: str,
    data: bytes,
    tmp: str,
    mode: int,
    *,
    like: os.stat_result | None = None,
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Write ``data`` to a fresh temporary file ``tmp`` in the folder ``dir_fd`` (``O_CREAT |
    O_EXCL | O_NOFOLLOW``, with ``like``'s permissions if given) and rename it over ``name``:
    a reader never sees half of it and a link at ``name`` is replaced, never followed. On any
    failure the temporary file is removed."""
    fd = os.open(
        tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd
    )
    try:
        try:
            if like is not None:
                os.fchmod(fd, stat.S_IMODE(like.st_mode))
            _write_all(fd, data)
        finally:
            os.close(fd)
        if before_rename is not None:
            before_rename()
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def replace_at(dir_fd: int, name: str, data: bytes) -> None:
    """Put ``data`` at ``name`` in the folder ``dir_fd`` (a cache entry): a fresh temporary
    file (``O_CREAT | O_EXCL | O_NOFOLLOW``) renamed over the name, so a reader never sees
    half of it and a link there is replaced, never followed. :class:`OSError` on failure,
    with nothing left behind."""
    _swap_in(dir_fd, name, data, f".tmp-{secrets.token_hex(8)}", 0o600)
