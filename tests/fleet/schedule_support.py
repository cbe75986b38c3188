"""What the schedule tests share: a small project to assess."""

from __future__ import annotations

from pathlib import Path


def repo(tmp_path: Path, name: str) -> Path:
    """A small ML project folder to assess."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "train.py").write_text("import sklearn\nprint('train')\n")
    (folder / "requirements.txt").write_text("scikit-learn==1.5.0\n")
    return folder
