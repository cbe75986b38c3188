"""A fleet manifest: local paths and git URLs, one per line (``# comments``, fields after
the location as ``key=value``), or a YAML document; each entry with an optional ref
(branch, tag or commit), sub-path, team and target stage.

Text form::

    /srv/repos/churn                       team=risk target="Manual MLOps"
    https://github.com/org/fraud.git       ref=main path=services/model team=fraud
    git@github.com:org/recsys.git          ref=3f2a9c1

YAML form (a list, or a mapping with ``repositories:``)::

    repositories:
      - repo: https://github.com/org/fraud.git
        ref: main
        path: services/model
        team: fraud
        target: Manual MLOps

A line that does not parse, a refused location (a transport that runs a command, plain
http, a password in the URL) or a duplicate is a problem naming its line; the other
entries stand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Entry(BaseModel):
    """One repository to assess."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str  # an absolute local path, or a git URL as written (no password)
    kind: Literal["path", "git"]
    ref: str | None = None  # branch, tag or commit
    subpath: str | None = None  # a folder of the repository, without slashes at the ends
    team: str | None = None
    target: str | None = None  # a stage name of the catalogue
    line: int = 0  # where it stands in the manifest (1-based; 0: not from a file)

    @property
    def key(self) -> str:
        """The store's subject key. A local work tree as ``assess --save`` of the same folder
        keys it (the folder's resolved path), so both share its history; a git URL (or a
        local repository at a ref) as written, then ``@ref`` if given, then ``//subpath``."""
        if self.kind == "path" and self.ref is None:
            folder = Path(self.location) / self.subpath if self.subpath else Path(self.location)
            return str(folder.resolve())
        key = self.location + (f"@{self.ref}" if self.ref else "")
        return key + (f"//{self.subpath}" if self.subpath else "")

    @property
    def name(self) -> str:
        """The subject's display name: the repository's last path part (``.git`` left
        out), then ``/subpath`` and ``@ref`` if given."""
        last = self.location.rstrip("/").replace(":", "/").rpartition("/")[2]
        last = last.removesuffix(".git") or self.location
        return last + (f"/{self.subpath}" if self.subpath else "") + (
            f"@{self.ref}" if self.ref else ""
        )


def part_key(parent_key: str, path: str) -> str:
    """The subject key of sub-project ``path`` of the repository keyed ``parent_key``."""
    return f"{parent_key}#{path}"


def part_name(parent_name: str, path: str) -> str:
    return f"{parent_name}:{path}"


class Manifest(BaseModel):
    entries: list[Entry]
    problems: list[str]  # "repos.txt:3: ..." one line each


def read_manifest(path: str, text: str | None = None) -> Manifest:
    """The manifest at ``path`` (or ``text``, named ``path`` in messages). A file that
    cannot be read at all raises :class:`~mlkaizen.errors.MLKaizenError`; a bad entry is a
    problem and the rest stand."""
    raise NotImplementedError
