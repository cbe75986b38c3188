"""The team's own drift code: a two-sample test or distance, a population stability index, or
a drift measure held against a threshold, in a module about drift."""

from __future__ import annotations

import ast
import re

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.python_src import Check
from mlkaizen.evidence.testcode import is_test_module
from mlkaizen.evidence.tree import RepoTree

_DRIFT_TESTS = (
    "scipy.stats.ks_2samp",
    "scipy.stats.kstest",
    "scipy.stats.wasserstein_distance",
    "scipy.stats.energy_distance",
    "scipy.stats.anderson_ksamp",
    "scipy.stats.cramervonmises_2samp",
    "scipy.stats.chi2_contingency",
    "scipy.stats.entropy",
    "scipy.spatial.distance.jensenshannon",
)
# a distance between two embeddings or samples: drift only where the module says drift
_DISTANCES = tuple(
    f"scipy.spatial.distance.{name}"
    for name in ("euclidean", "sqeuclidean", "cosine", "cityblock", "minkowski", "chebyshev",
                 "correlation", "mahalanobis", "braycurtis", "canberra", "cdist")
)
# a function named for the population stability index: ``psi``, ``compute_psi``,
# ``calculatePSI``, ``psi_score``, ``population_stability_index`` (not ``kpa_to_psi``)
_PSI = re.compile(
    r"^_?(?:(?:calc(?:ulate)?|compute|get|measure)_?)?psi(?:_?(?:score|value|index|metric)s?)?$"
    r"|population_?stability",
    re.IGNORECASE,
)
_ABOUT_DRIFT = re.compile(r"drift|monitor|stabilit|skew", re.IGNORECASE)
_SAYS_DRIFT = re.compile(r"drift", re.IGNORECASE)
_MAY_MEASURE_DRIFT = re.compile(r"psi|stability|scipy|drift", re.IGNORECASE)  # a cheap test first
_MAY_NAME_DRIFT = re.compile(r"drift|psi", re.IGNORECASE)
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_MEASURE_WORDS = {"psi", "score", "scores", "value", "values", "index", "total", "mean"}
_BOUND_FIRST = {"max", "min", "maximum", "minimum", "allowed"}
_BOUND_LAST = {"limit", "limits", "max", "min", "cutoff", "tolerance", "tol", "bound"}
# what drifts that is no data: a clock, a schedule
_NOT_DATA = {"clock", "time", "timer", "ntp", "offset", "last", "run", "runs", "seconds",
             "secs", "ms", "since"}
_ORDER = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)
# a comparison assigned or returned on one line: ``drifted = drift > self.threshold``
_VALUE = re.compile(r"[ \t]*(?:return[ \t]+|[\w.\[\]'\"]+[ \t]*=[ \t]*)([^=#\n][^#\n]*)(?:#.*)?$")
_MAY_BOUND = re.compile(r"thresh|limit|max|min|cutoff|tol|0\.\d", re.IGNORECASE)


def hand_written_drift(tree: RepoTree) -> list[Finding]:
    """Drift measured by the team's own code, in a module about drift (its path or one of
    its functions says drift, monitoring, stability or skew): a two-sample test or distance
    (Kolmogorov-Smirnov, Wasserstein, Jensen-Shannon, chi-squared, KL divergence), a
    population stability index function (``compute_psi``; a ``population_stability_index``
    anywhere), or an ``if``, an ``assert``, or a one-line assignment or ``return`` that holds
    a drift measure against a threshold (``if drift > THRESHOLD``,
    ``drifted = abs(report["drift_score"]) >= self.max_drift``, ``if psi > 0.2``); where
    the path or a function says drift, a distance between two samples
    (``distance.euclidean``). Not evidence: the same test in an analysis about
    something else, a ``psi`` that converts pressure, a clock's drift, a threshold only
    assigned or validated, one written in a comment or string, or test code."""
    out: list[Finding] = []
    for rel in tree.with_suffix(".py"):
        text = tree.text(rel) or ""
        if not _MAY_MEASURE_DRIFT.search(text):
            continue
        facts = tree.python(rel)
        if facts is None or is_test_module(rel, facts):
            continue
        names = [rel, *facts.functions]
        about = any(_ABOUT_DRIFT.search(n) for n in names)
        if not about:
            if psi := [(ln, n) for n, ln in facts.functions.items() if _PSI.search(n)
                       and "stability" in n.lower()]:
                out.append(_psi(tree, rel, min(psi)))
            continue
        says_drift = any(_SAYS_DRIFT.search(n) for n in names)
        tests = facts.find_calls(_DRIFT_TESTS)
        if not tests and says_drift:
            tests = facts.find_calls(_DISTANCES)
        psi = sorted((ln, n) for n, ln in facts.functions.items() if _PSI.search(n))
        if tests:
            what = f"hand-written drift check: {tests[0].name}()"
            out.append(tree.finding("drift_detection_used", rel, tests[0].line, what))
        elif psi:
            out.append(_psi(tree, rel, psi[0]))
        elif (line := _held_against_threshold(facts.checks, text, psi_too=says_drift)):
            what = "hand-written drift check: a drift measure held against a threshold"
            out.append(tree.finding("drift_detection_used", rel, line, what))
    return out


def _psi(tree: RepoTree, rel: str, where: tuple[int, str]) -> Finding:
    what = f"hand-written drift check: population stability index ({where[1]})"
    return tree.finding("drift_detection_used", rel, where[0], what)


def _held_against_threshold(
    checks: list[Check], text: str, *, psi_too: bool
) -> int | None:
    """The line of the first test that compares (``<``, ``>``) a drift measure with a
    threshold: one side names drift (``drift``, ``result["drift_score"]``; with ``psi_too``,
    a population stability index), another a threshold (``DRIFT_THRESHOLD``, ``MAX_DRIFT``,
    ``self.drift_limit``) or a fraction (``0.2``). The tests: each ``if``/``assert`` the
    parser keeps (up to 300 characters), then a value assigned or returned on one line
    (``drifted = drift_score > self.threshold``). Each is read as code, so comments and
    strings say nothing."""
    for line, code in [*((c.line, c.test) for c in checks), *_values(text)]:
        if _MAY_NAME_DRIFT.search(code) and _compares(code, psi_too):
            return line
    return None


def _values(text: str) -> list[tuple[int, str]]:
    """(line, expression) of each one-line assignment or ``return`` of a comparison that
    may name drift and a bound (a cheap test before any parse)."""
    if not _MAY_BOUND.search(text):
        return []
    return [
        (number, m.group(1))
        for number, line in enumerate(text.splitlines(), start=1)
        if len(line) <= 300 and ("<" in line or ">" in line) and _MAY_NAME_DRIFT.search(line)
        and (m := _VALUE.match(line))
    ]


def _compares(code: str, psi_too: bool) -> bool:
    try:
        test = ast.parse(code, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # a test cut at 300 characters
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare):
            continue
        if not all(isinstance(op, _ORDER) for op in node.ops):
            continue
        operands = (node.left, *node.comparators)
        sides = [_names(side) for side in operands]
        measures = {i for i, words in enumerate(sides) if any(_measure(w, psi_too) for w in words)}
        limits = {i for i, words in enumerate(sides) if any(map(_threshold, words))}
        limits |= {i for i, side in enumerate(operands) if _fraction(side)}
        if any(m != t for m in measures for t in limits):
            return True
    return False


def _names(side: ast.expr) -> list[list[str]]:
    """The words of each name one side of a comparison holds: variables, attributes, the
    keys it subscripts with (``result["drift_score"]``), not inside a nested comparison."""
    out: list[list[str]] = []
    todo: list[ast.AST] = [side]
    while todo and len(out) < 50:
        node = todo.pop()
        if isinstance(node, ast.Compare):
            continue
        name = (node.id if isinstance(node, ast.Name) else node.attr
                if isinstance(node, ast.Attribute) else node.value
                if isinstance(node, ast.Constant) and isinstance(node.value, str) else None)
        if name:
            out.append([w.lower() for w in _WORDS.findall(name[:60])])
        todo.extend(ast.iter_child_nodes(node))
    return out


def _fraction(side: ast.expr) -> bool:
    """A literal strictly between 0 and 1: how drift thresholds are written (``0.2``)."""
    return (isinstance(side, ast.Constant) and isinstance(side.value, float)
            and 0 < side.value < 1)


def _threshold(words: list[str]) -> bool:
    """A name of a threshold: ``DRIFT_THRESHOLD``, ``thresh``, ``MAX_DRIFT``,
    ``drift_limit``, ``psi_cutoff``."""
    return bool(words) and (
        any(w.startswith("thresh") for w in words)
        or words[0] in _BOUND_FIRST
        or words[-1] in _BOUND_LAST
    )


def _measure(words: list[str], psi_too: bool) -> bool:
    """A name of a drift measure: it says drift (not a threshold's name, nor a clock's or a
    schedule's), or, with ``psi_too``, a population stability index alone (``psi``,
    ``psi_score``; not ``pressure_psi``)."""
    if _threshold(words) or _NOT_DATA.intersection(words):
        return False
    return any(w.startswith("drift") for w in words) or (
        psi_too and "psi" in words and set(words) <= _MEASURE_WORDS)
