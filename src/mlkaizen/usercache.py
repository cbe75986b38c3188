"""A small content-addressed store in the user's cache folder, best effort.

``$MLKAIZEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlkaizen``, else ``~/.cache/mlkaizen``; set
``MLKAIZEN_CACHE_DIR`` to an empty string to switch the cache off. Entries are named by a hash
of what they were derived from, so they never go stale, only unused. A missing, corrupt or
unwritable entry is simply a miss: the cache can only save time, never change a result or
raise. Writes go to a temporary file renamed into place, so concurrent runs never see half an
entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

ENV = "MLKAIZEN_CACHE_DIR"
# the validation context of a model read back from an entry: a validator may skip a check
# that only repeats one made before the entry was written (see formats.datacache)
REVALIDATING = "revalidating"


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when the cache is switched off."""
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


def _entry(kind: str, name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / name


def read(kind: str, name: str) -> bytes | None:
    """The entry ``kind/name``, or None when absent or unreadable."""
    path = _entry(kind, name)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except (OSError, ValueError):
        return None


def write(kind: str, name: str, data: bytes) -> bool:
    """Store ``data`` as ``kind/name`` atomically; False (and nothing raised) on failure."""
    path = _entry(kind, name)
    return False if path is None else write_file(path, data)


def write_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (in the cache) atomically; False on failure."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except (OSError, ValueError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
