"""The bounded reader: every file opened by name (a config, a baseline, a profile, an answers
file, a catalogue, a file a fix would replace) is opened without blocking, used only if it is
a regular file, and read up to a limit. Problems are :class:`MLKaizenError` (exit 2)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from mlkaizen.errors import MLKaizenError

DEFAULT_LIMIT = 5 * 1024 * 1024
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def read_up_to(fd: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of an open file, in 1 MiB reads: one byte more than the
    limit tells a file that grew past it since it was measured."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_fd(fd: int, limit: int, what: str, display: str) -> bytes:
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        raise MLKaizenError(f"{what} is a directory, not a file", display)
    if not stat.S_ISREG(st.st_mode):
        raise MLKaizenError(f"{what} is not a regular file (FIFO, socket or device)", display)
    if st.st_size > limit:
        raise MLKaizenError(f"{what} is {st.st_size:,} bytes, over the limit of {limit:,}", display)
    data = read_up_to(fd, limit)
    if len(data) > limit:
        raise MLKaizenError(f"{what} grew past the limit of {limit:,} bytes while read", display)
    return data


def read_bytes(path: Path, what: str, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of a regular file the user named (links the user gave are followed)."""
    display = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _CLOEXEC)
    except FileNotFoundError:
        raise MLKaizenError(f"{what} not found", display) from None
    except OSError as exc:
        raise MLKaizenError(f"cannot read {what} ({exc.strerror})", display) from None
    try:
        return _read_fd(fd, limit, what, display)
    except OSError as exc:
        raise MLKaizenError(f"cannot read {what} ({exc.strerror})", display) from None
    finally:
        os.close(fd)


def decode(data: bytes, what: str, display: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MLKaizenError(f"{what} is not UTF-8 text", display, line) from None


def read_text(path: Path, what: str, limit: int = DEFAULT_LIMIT) -> str:
    """The UTF-8 text of a regular file the user named, at most ``limit`` bytes."""
    return decode(read_bytes(path, what, limit), what, str(path))


def _under(path: str, base: str) -> bool:
    return base != os.sep and (path == base or path.startswith(base.rstrip(os.sep) + os.sep))


def anchor_of(path: Path, root: Path | None) -> tuple[Path, tuple[str, ...]] | None:
    """(anchor, parts below it) when ``path`` lies under ``root`` or the working folder
    (lexically, links not resolved); ``None`` when it lies outside both."""
    target = os.path.abspath(path)
    bases = [os.path.abspath(b) for b in (root, Path.cwd()) if b is not None]
    inside = [b for b in bases if _under(target, b) and target != b]
    if not inside:
        return None
    base = max(inside, key=len)
    return Path(os.path.realpath(base)), tuple(Path(os.path.relpath(target, base)).parts)


def read_existing(
    path: Path, what: str, root: Path | None = None, limit: int = DEFAULT_LIMIT
) -> str | None:
    """A file the tool itself keeps (a survey's answers): ``None`` when absent. Below
    ``root`` or the working folder it is reached without following links and refused when it
    cannot be used; elsewhere it is read as the user gave it."""
    anchored = anchor_of(path, root)
    if anchored is None:
        return read_text(path, what, limit) if os.path.lexists(path) else None
    anchor, parts = anchored
    return read_below(anchor, "/".join(parts), limit, what)


def found_inside(path: Path, root: Path) -> bool:
    """Whether a file found by name in a repository is a regular file really inside it (not a
    link, not behind a linked folder): only then is it used without being asked for."""
    real = os.path.realpath(path)
    return (
        not path.is_symlink()
        and path.is_file()
        and real.startswith(os.path.realpath(root).rstrip(os.sep) + os.sep)
    )


def read_head(path: Path, limit: int) -> bytes | None:
    """Up to ``limit`` bytes from the start of a regular file (for sniffing what a file is);
    ``None`` for anything else, never blocking and never following a final link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _CLOEXEC | _NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def open_dir_below(root: Path, parts: tuple[str, ...], *, create: bool) -> int | None:
    """A descriptor of ``root/parts...`` reached without following any link below ``root``;
    folders are created when ``create``, else ``None`` when one is missing."""
    fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for name in parts:
            if name in ("", ".", ".."):
                raise MLKaizenError(f"unexpected path component {name!r}", str(root))
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o777, dir_fd=fd)
            if _is_link(fd, name):  # not even tried: the open below would refuse it too
                raise MLKaizenError(
                    f"{name!r} is a symbolic link; refusing to write or read through it",
                    str(root.joinpath(*parts)),
                )
            try:
                nxt = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except FileNotFoundError:
                if create:
                    raise
                os.close(fd)
                return None
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    kind = "a symbolic link" if _is_link(fd, name) else "not a folder"
                    raise MLKaizenError(
                        f"{name!r} is {kind}; refusing to write or read through it",
                        str(root.joinpath(*parts)),
                    ) from None
                raise
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def check_target(dir_fd: int, name: str, display: str) -> os.stat_result | None:
    """The target's status, ``None`` if absent; a link, a hard-linked file or anything but a
    regular file is refused."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise MLKaizenError("is a symbolic link; refusing to write or read through it", display)
    if stat.S_ISDIR(st.st_mode):
        raise MLKaizenError("is a directory where a file is expected", display)
    if not stat.S_ISREG(st.st_mode):
        raise MLKaizenError("is not a regular file (FIFO, socket or device); refused", display)
    if st.st_nlink > 1:
        raise MLKaizenError(
            f"has {st.st_nlink} hard links (it may be a file outside the tree); refused", display
        )
    return st


def read_below(root: Path, rel: str, limit: int = DEFAULT_LIMIT, what: str = "file") -> str | None:
    """The text of ``root/rel`` reached without following links, ``None`` when absent. A
    target that exists but cannot be used (a link, a hard link, not a regular file, over
    ``limit``, not UTF-8, unreadable) is refused, never treated as absent."""
    parts = tuple(rel.split("/"))
    display = str(root / rel)
    fd = open_dir_below(root, parts[:-1], create=False)
    if fd is None:
        return None
    try:
        if check_target(fd, parts[-1], display) is None:
            return None
        try:
            file_fd = os.open(
                parts[-1], os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC, dir_fd=fd
            )
        except OSError as exc:
            raise MLKaizenError(f"cannot read ({exc.strerror}); refused", display) from None
        try:
            data = _read_fd(file_fd, limit, what, display)
        except OSError as exc:
            raise MLKaizenError(f"cannot read ({exc.strerror}); refused", display) from None
        finally:
            os.close(file_fd)
    finally:
        os.close(fd)
    return decode(data, what, display)


def open_folder(path: Path, root: Path | None = None, *, create: bool) -> int | None:
    """A descriptor of the folder ``path`` the tool keeps files in (a cache, a store): below
    ``root`` or the working folder every component is entered without following a link
    (:class:`MLKaizenError` on one, as for a write); elsewhere the user's path is honoured,
    links and all. Missing folders are created when ``create``, else ``None``."""
    anchored = anchor_of(path, root)
    if anchored is not None:
        anchor, parts = anchored
        if ".." in parts:
            raise MLKaizenError("would leave the working folder; refused", str(path))
        return open_dir_below(anchor, parts, create=create)
    if create:
        os.makedirs(path, exist_ok=True)
    try:
        return os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except FileNotFoundError:
        if create:
            raise
        return None


def open_subdir(dir_fd: int, name: str, *, create: bool) -> int | None:
    """A descriptor of the folder ``name`` in ``dir_fd``, never through a link; ``None`` when
    it is missing (and not ``create``) or not a folder."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o777, dir_fd=dir_fd)
    try:
        return os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        if create:
            raise
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            return None
        raise


def read_regular_at(dir_fd: int, name: str, limit: int) -> tuple[bytes, os.stat_result] | None:
    """The bytes and status of ``name`` in ``dir_fd`` when it is a regular file of at most
    ``limit`` bytes; ``None`` for anything else (absent, a link, a FIFO, a socket, a device,
    a folder, too big, unreadable). Never blocks, never follows a link, never reads past
    ``limit``."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        data = read_up_to(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if len(data) > limit else (data, st)
