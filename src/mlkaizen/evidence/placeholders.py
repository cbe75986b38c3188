"""Scaffolding that still has blanks to fill counts as partial, not met.

``mlkaizen fix`` writes :data:`MARK` into every file it generates with placeholders left (a
model card's owner, an empty schema, a DVC pointer without its hash). Evidence found in such a
file is *partial* until someone fills the blanks and removes the mark (or a tool rewrites the
file, as ``dvc add`` does with a pointer).
"""

from __future__ import annotations

from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.tree import RepoTree

MARK = "mlkaizen:placeholder"
NOTE = "generated scaffolding with placeholders to fill (remove the mlkaizen:placeholder mark)"


# files `mlkaizen fix` may leave placeholders in that a detector may recognise by name alone
GENERATED = frozenset({"MODEL_CARD.md", "DATA_CARD.md", "CODEOWNERS", "CONTRIBUTING.md"})


def _text(tree: RepoTree, rel: str) -> str:
    """What detectors read anyway; a generated file by name is read too (and nothing else)."""
    name = rel.rsplit("/", 1)[-1]
    if name in GENERATED or name.endswith(".dvc"):
        return tree.text(rel) or ""
    return tree.text_if_read(rel) or ""


def downgrade(tree: RepoTree, findings: list[Finding]) -> list[Finding]:
    """``findings`` with every *found* one in a marked file made *partial*."""
    marked: dict[str, bool] = {}
    out = []
    for f in findings:
        if f.outcome is Outcome.FOUND and f.file and f.file in tree.sizes:
            if f.file not in marked:
                marked[f.file] = MARK in _text(tree, f.file)
            if marked[f.file]:
                update = {"outcome": Outcome.PARTIAL, "detail": f"{f.detail}; {NOTE}"}
                out.append(f.model_copy(update=update))
                continue
        out.append(f)
    return out
