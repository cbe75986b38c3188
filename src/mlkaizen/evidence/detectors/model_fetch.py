"""An object store that holds a model, not data: a module that fetches model files from a
bucket (``rf_model.pkl``, ``dnn_model.h5``) and loads one, names no data file, reads no
data frame and trains nothing keeps its model there. A serving app downloading its model at
start-up shows where the model is kept, not that the team's data lives in shared storage."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.libraries import MODEL_LOADS
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

_LITERAL = re.compile(r"[\"']([^\"'\n]{1,200})[\"']")
_TRAINS = (".fit", ".train", ".fit_transform")
# a data frame or table read: the module reads data, whatever else it fetches
_READS_DATA = re.compile(r"^(?:pandas|polars|pyarrow|dask|datasets|numpy)\.(?:\w+\.)*(?:read|load)")


def _suffixes(text: str) -> set[str]:
    """The suffixes of the file names quoted in ``text`` (``"model/rf.pkl"`` -> ``pkl``)."""
    out = set()
    for literal in _LITERAL.findall(text):
        name = literal.rsplit("/", 1)[-1]
        if "." in name.strip("."):
            out.add(name.rsplit(".", 1)[-1].lower())
    return out


def fetches_models_only(tree: RepoTree, rel: str) -> bool:
    """Whether the Python module ``rel`` loads a model, trains none, reads no data frame or
    table, and every file name it quotes that a store could hold is a model's (at least
    one; ``.csv`` or ``.parquet`` names data, and so does ``.json``)."""
    if not rel.endswith(".py"):
        return False
    facts = tree.python(rel)
    if facts is None or not facts.find_calls(MODEL_LOADS, include_decorators=False):
        return False
    if facts.find_calls(_TRAINS, include_decorators=False) or any(
        _READS_DATA.match(call.name) for call in facts.calls
    ):
        return False
    words = vocabulary()
    found = _suffixes(tree.text(rel) or "")
    return bool(found & words.model_suffixes) and not found & (
        words.data_suffixes - words.model_suffixes
    )


def data_not_models(tree: RepoTree, finding: Finding) -> bool:
    """Whether ``finding`` (shared storage) stands: not in a module that fetches only
    models (:func:`fetches_models_only`), nor in a template's inline function (the stack's
    own glue, such as emptying a bucket when the stack is deleted)."""
    rel = finding.file
    if rel is None:
        return True
    if rel in tree.inline_python_sources():
        return False
    return not fetches_models_only(tree, rel)


# a store URI given to a name that says it is a model's (``model_uri = "s3://..."``,
# ``"model_path": "gs://..."``, ``model_dir=f"s3://..."``), read right before the URI's
# opening quote; or an MLflow run's artefact path (``.../<experiment>/<run id>/artifacts``):
# where a model is kept, not the team's data. Names that only begin with the word
# (``model_inputs``, ``MODELING_DATA``) are data's.
_MODEL_NAME = re.compile(
    r"\bmodel(?:_?(?:uri|url|path|dir|directory|location|artifacts?|file|prefix|output|store|"
    r"bucket|s3|gcs|blob))?(?:\\?[\"'])?\s*[=:]\s*[a-z]{0,2}\\?$",
    re.IGNORECASE,
)
_RUN_ARTIFACTS = re.compile(r"/\d+/[0-9a-f]{32}/artifacts\b")
_NAME_WINDOW = 80  # characters before a URI read for its name


def names_a_model(text: str, match: re.Match[str]) -> bool:
    """Whether the store URI ``match`` found in ``text`` (its group 1) is a model's, not
    data: given to a name that says so, or an MLflow run's artefact path. Only the URI and
    the few characters before it are read (:data:`_NAME_WINDOW`), whatever the line's length."""
    before = text[max(0, match.start() - _NAME_WINDOW) : match.start()]
    before = before[before.rfind("\n") + 1 :]
    return bool(_MODEL_NAME.search(before) or _RUN_ARTIFACTS.search(match.group(1)))
