"""A commit's own settings, read from git objects as ``assess`` reads them from a work
tree: its config file (``.mlkaizen.yaml`` or ``[tool.mlkaizen]``) and its saved answers
(``.mlkaizen/answers/``). Shared by the history replay and the fleet's scans of a commit.

The loaders take files, so each is copied (as text) into a scratch folder the caller owns
and removes; nothing of the commit is ever checked out.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from mlkaizen.config import Config, load_config
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.answers import ANSWERS_DIR
from mlkaizen.evidence.gitcommit import CommitTree

CONFIG_NAMES = (".mlkaizen.yaml", ".mlkaizen.yml", "pyproject.toml")


def commit_config(tree: CommitTree, scratch: Path, given: Config | None = None) -> Config:
    """The commit's own ``.mlkaizen.yaml`` (or ``[tool.mlkaizen]``), scope left out: a scan
    of a commit reads the folder it is given. A config file the user named (``given``)
    applies instead."""
    if given is not None:
        return given.model_copy(update={"scope": None})
    for name in CONFIG_NAMES:
        if name not in tree.sizes:
            continue
        text = tree.text(name)
        if text is None:
            continue
        if name == "pyproject.toml":
            try:
                doc = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            if not isinstance(doc.get("tool", {}).get("mlkaizen"), dict):
                continue
        copy = scratch / name
        copy.write_text(text, encoding="utf-8")
        try:
            config = load_config(copy.parent, copy)
        except MLKaizenError as exc:
            raise MLKaizenError(f"{name} of this commit is not usable: {exc.message}") from None
        return config.model_copy(update={"scope": None, "source": name})
    return Config()


def commit_answers(tree: CommitTree, scratch: Path) -> list[str | Path] | None:
    """The commit's own ``.mlkaizen/answers/`` files (where `mlkaizen survey` saves): a
    commit is judged with the answers committed by then, as `assess` reads them from the
    work tree. ``None`` when it has none."""
    folder = scratch / "answers"
    shutil.rmtree(folder, ignore_errors=True)
    names = [
        rel
        for rel in tree.sizes
        if rel.rpartition("/")[0] == ANSWERS_DIR
        and rel.endswith((".yaml", ".yml"))
        and rel.rpartition("/")[2] not in ("profile.yaml", "profile.yml")
    ]
    for rel in names:
        text = tree.text(rel)
        if text is None:
            raise MLKaizenError(f"{rel} of this commit cannot be read")
        folder.mkdir(exist_ok=True)
        (folder / rel.rpartition("/")[2]).write_text(text, encoding="utf-8")
    return [folder] if names else None
