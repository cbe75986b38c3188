"""``.gitignore`` rules for the directory walk (outside git), through ``pathspec``.

Matching uses pathspec's RE2 backend when ``google-re2`` is installed: linear-time, so a
hostile pattern such as ``*a*a*a*a*a*b`` cannot make the scan backtrack for hours. Without
RE2, patterns with many wildcards are refused instead. Deeper files override shallower ones,
and later patterns override earlier ones, as in git.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

MAX_PATTERNS = 10_000  # per .gitignore file
MAX_PATTERN_CHARS = 1_000
MAX_WILDCARDS_WITHOUT_RE2 = 3
_REPEATED_GLOBSTAR = re.compile(r"(?:\*\*/){2,}")


def _backend() -> str:
    try:
        import re2  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return "simple"
    return "re2"


@dataclass
class IgnoreRules:
    """The ``.gitignore`` files met so far in a walk, deepest last."""

    specs: list[tuple[str, Any]] = field(default_factory=list)
    backend: str = field(default_factory=_backend)

    def add(self, base: str, text: str) -> list[str]:
        """Add the rules of ``base/.gitignore``; returns problems to report (patterns dropped)."""
        import pathspec

        problems: list[str] = []
        lines = text.splitlines()
        if len(lines) > MAX_PATTERNS:
            problems.append(f"{len(lines):,} lines; only the first {MAX_PATTERNS:,} are used")
            lines = lines[:MAX_PATTERNS]
        kept: list[str] = []
        for number, raw in enumerate(lines, start=1):
            if len(raw) > MAX_PATTERN_CHARS:
                problems.append(
                    f"line {number}: pattern over {MAX_PATTERN_CHARS} characters ignored"
                )
                continue
            line = _REPEATED_GLOBSTAR.sub("**/", raw)  # same meaning, far less backtracking
            stars = len(re.findall(r"\*+|\?", line))
            if self.backend == "simple" and stars > MAX_WILDCARDS_WITHOUT_RE2:
                problems.append(
                    f"line {number}: pattern with {stars} wildcards ignored "
                    "(install google-re2 to match it safely)"
                )
                continue
            kept.append(line)
        try:
            with warnings.catch_warnings():  # odd patterns warn; they are reported, not shown
                warnings.simplefilter("ignore")
                spec = pathspec.GitIgnoreSpec.from_lines(kept, backend=self.backend)
        except Exception as exc:  # pathspec raises several types on malformed patterns
            problems.append(f"unusable ({type(exc).__name__}: {str(exc)[:120]}); file ignored")
            return problems
        self.specs.append((base, spec))
        return problems

    def ignored(self, rel: str, is_dir: bool) -> bool:
        state: bool | None = None
        for base, spec in self.specs:
            if base and not rel.startswith(base):
                continue
            result = spec.check_file(rel[len(base) :] + ("/" if is_dir else ""))
            if result.include is not None:
                state = result.include
        return bool(state)
