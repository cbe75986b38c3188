"""A small content-addressed store in the user's cache folder, best effort.

``$MLKAIZEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlkaizen``, else ``~/.cache/mlkaizen``; set
``MLKAIZEN_CACHE_DIR`` to an empty string to switch the cache off (``--no-cache`` does for one
run: nothing is read from it nor stored in it). Entries are named by a hash of what they were
derived from, so they never go stale, only unused. A missing, corrupt or unwritable entry is
simply a miss: the cache can only save time, never change a result or raise. Writes go to a
temporary file renamed into place, so concurrent runs never see half an entry.

The folder may lie in the checkout (CI caches keep it there): below the working folder it is
reached as the safe writer reaches a file (:mod:`mlkaizen.fsio.write`), never through a link
on any component; a link there gives one warning and the cache is not used. Inside it, no
link is followed, and an entry that is not a regular file of a plausible size (a FIFO, a
device, a folder) is a miss, never opened blocking nor read past the size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from mlkaizen.errors import MLKaizenError
from mlkaizen.fsio.read import open_folder, read_regular_at
from mlkaizen.fsio.write import replace_at

ENV = "MLKAIZEN_CACHE_DIR"
# the validation context of a model read back from an entry: a validator may skip a check
# that only repeats one made before the entry was written (see formats.datacache)
REVALIDATING = "revalidating"
MAX_ENTRY_BYTES = 32 << 20  # a bigger file in a cache folder is not an entry of ours

_enabled = [True]
_warned: list[str] = []


def _stderr(message: str) -> None:
    sys.stderr.write(f"mlkaizen: warning: {message}\n")


_on_problem: list[Callable[[str], None]] = [_stderr]


def configure(*, enabled: bool = True, on_problem: Callable[[str], None] | None = None) -> None:
    """This process's use of the cache: ``enabled=False`` (``--no-cache``) neither reads nor
    stores anything; ``on_problem`` receives the one warning of a refused cache folder."""
    _enabled[0] = enabled
    _on_problem[:] = [on_problem or _stderr]
    _warned.clear()


def reset() -> None:
    """Back to the default: the cache as the environment sets it, warnings to stderr."""
    configure()


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when the cache is switched off."""
    if not _enabled[0]:
        return None
    override = os.environ.get(ENV)
    if override is not None:
        return Path(override) if override else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlkaizen"


def key(*parts: str | bytes) -> str:
    """A hex digest of ``parts`` (each length-prefixed, so that parts cannot run together)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def open_dir(path: Path, *, create: bool) -> int | None:
    """A descriptor of the cache folder ``path`` (:func:`mlkaizen.fsio.read.open_folder`);
    ``None`` when it is missing (and not ``create``) or refused: a link on its way below the
    working folder, reported once a process. :class:`OSError` when it cannot be made."""
    try:
        return open_folder(path, create=create)
    except MLKaizenError as exc:
        if not _warned:
            _warned.append(str(exc))
            _on_problem[0](f"cache folder {path}: {exc.message}; the cache is not used")
        return None


def read(kind: str, name: str) -> bytes | None:
    """The entry ``kind/name``, or None when absent, unreadable or not a regular file."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        fd = open_dir(folder / kind, create=False)
    except OSError:
        return None
    if fd is None:
        return None
    try:
        found = read_regular_at(fd, name, MAX_ENTRY_BYTES)
    finally:
        os.close(fd)
    return None if found is None else found[0]


def write(kind: str, name: str, data: bytes) -> bool:
    """Store ``data`` as ``kind/name`` atomically; False (and nothing raised) on failure."""
    folder = cache_dir()
    if folder is None or len(data) > MAX_ENTRY_BYTES:
        return False
    try:
        fd = open_dir(folder / kind, create=True)
    except (OSError, ValueError):
        return False
    if fd is None:
        return False
    try:
        replace_at(fd, name, data)
        return True
    except (OSError, ValueError):
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
