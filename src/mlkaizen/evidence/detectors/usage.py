"""Shared mechanism for "tool X is used": imports plus (optionally) the calls that matter.

A tool mentioned only in a README or a comment is not usage; an import alone is usage only
when the signature asks for no call.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.python_src import Call, module_matcher
from mlkaizen.evidence.tree import RepoTree


@dataclass(frozen=True)
class Signature:
    """How one tool shows up in Python code.

    ``modules``: import roots or dotted prefixes (``azure.ai.ml``). ``calls``: patterns as in
    :meth:`PyFacts.find_calls`; when empty, the import itself is the evidence.
    ``keywords``: when set, a call counts only if it passes one of these keywords
    (``endpoint_name``), or passes one with this constant (``create_new_version=True``): a
    method name common to many libraries (``.deploy``, ``.register``) is then the platform's
    only when called the platform's way. ``requires``: call patterns of which one must also
    occur in the file (``Run.get_context`` for ``run.log``).
    """

    tool: str
    modules: tuple[str, ...]
    calls: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def accepts(self, call: Call) -> bool:
        """Whether ``call`` (already matching ``calls``) passes the keyword condition."""
        if not self.keywords:
            return True
        for spec in self.keywords:
            key, _, value = spec.partition("=")
            if key in call.keywords and (not value or call.constant(key) == value):
                return True
        return False


def find_usage(
    tree: RepoTree, detector_id: str, signatures: tuple[Signature, ...], *, per_file: int = 1
) -> list[Finding]:
    """One finding per (tool, file), at the first matching call (or import)."""
    findings: list[Finding] = []
    roots = {m.split(".")[0] for s in signatures for m in s.modules}
    # a template's inline Lambda code counts as the module it is (its imports checked below)
    for rel in (*tree.importing(roots), *tree.inline_python_sources()):
        facts = tree.python(rel)
        if facts is None:
            continue
        imported_roots = tree.memo(
            "import-roots:" + rel,
            lambda f=facts: frozenset(n.split(".", 1)[0] for n in f.imports),  # type: ignore[misc]
        )
        for sig in signatures:
            if imported_roots.isdisjoint(m.split(".", 1)[0] for m in sig.modules):
                continue
            under = module_matcher(sig.modules)
            imported = [(line, name) for name, line in facts.imports.items() if under(name)]
            if not imported or sig.modules[0].split(".")[0] in tree.own_packages:
                continue
            if not sig.calls:
                line, name = min(imported)
                findings.append(
                    tree.finding(
                        detector_id, rel, line, f"{sig.tool}: imports {name}", tool=sig.tool
                    )
                )
                continue
            if sig.requires and not facts.find_calls(sig.requires):
                continue
            matching = [c for c in facts.find_calls(sig.calls) if sig.accepts(c)]
            calls = sorted(matching, key=lambda c: c.line)[:per_file]
            for call in calls:
                findings.append(
                    tree.finding(
                        detector_id, rel, call.line, f"{sig.tool}: {call.name}()", tool=sig.tool
                    )
                )
    return findings
