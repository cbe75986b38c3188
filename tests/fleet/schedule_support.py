"""What the schedule tests share: manifests read by the project's reader (or, where that
reader is not there yet, by a plain one: a local path a line, relative to the manifest's
folder), and a small project to assess."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlkaizen.fleet import manifest as manifest_module
from mlkaizen.fleet.manifest import Entry, Manifest


def _plain(path: str, text: str | None = None) -> Manifest:
    entries, problems = [], []
    for n, raw in enumerate((text or "").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" in line:
            problems.append(f"{path}:{n}: {line!r} is not a local path or a git URL")
            continue
        base = os.path.dirname(os.path.abspath(path))  # relative: the manifest's folder
        entries.append(Entry(location=os.path.abspath(os.path.join(base, line)), kind="path",
                             line=n))
    return Manifest(entries=entries, problems=problems)


def manifests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Manifests read from text, by the real reader when it is there."""
    try:
        manifest_module.read_manifest("probe", "/srv/probe\n")
    except NotImplementedError:
        from mlkaizen.fleet import schedule

        monkeypatch.setattr(schedule, "read_manifest", _plain)
        monkeypatch.setattr(manifest_module, "read_manifest", _plain)


def repo(tmp_path: Path, name: str) -> Path:
    """A small ML project folder to assess."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "train.py").write_text("import sklearn\nprint('train')\n")
    (folder / "requirements.txt").write_text("scikit-learn==1.5.0\n")
    return folder
