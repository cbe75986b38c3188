"""The team's own drift code: a two-sample test or distance, a population stability index, or
a drift measure held against a threshold, in a module about drift."""

from __future__ import annotations

import ast
import re

from mlkaizen.evidence.findings import Finding
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
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_MEASURE_WORDS = {"psi", "score", "scores", "value", "values", "index", "total", "max", "mean"}
_ORDER = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)


def hand_written_drift(tree: RepoTree) -> list[Finding]:
    """Drift measured by the team's own code, in a module about drift (its path or one of
    its functions says drift, monitoring, stability or skew): a two-sample test or distance
    (Kolmogorov-Smirnov, Wasserstein, Jensen-Shannon, chi-squared, KL divergence), a
    population stability index function (``compute_psi``; a ``population_stability_index``
    anywhere), or a drift measure compared with a threshold (``if drift > THRESHOLD``,
    ``abs(drift) >= self.drift_threshold``); where the path or a function says drift, a
    distance between two samples (``distance.euclidean``). Not evidence: the same test in an
    analysis about something else, a ``psi`` that converts pressure, a threshold only
    assigned, compared with a limit, or written in a comment or string, or test code."""
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
        tests = facts.find_calls(_DRIFT_TESTS)
        if not tests and any(_SAYS_DRIFT.search(n) for n in names):
            tests = facts.find_calls(_DISTANCES)
        psi = sorted((ln, n) for n, ln in facts.functions.items() if _PSI.search(n))
        if tests:
            what = f"hand-written drift check: {tests[0].name}()"
            out.append(tree.finding("drift_detection_used", rel, tests[0].line, what))
        elif psi:
            out.append(_psi(tree, rel, psi[0]))
        elif (line := _held_against_threshold(text)) is not None:
            what = "hand-written drift check: a drift measure held against a threshold"
            out.append(tree.finding("drift_detection_used", rel, line, what))
    return out


def _psi(tree: RepoTree, rel: str, where: tuple[int, str]) -> Finding:
    what = f"hand-written drift check: population stability index ({where[1]})"
    return tree.finding("drift_detection_used", rel, where[0], what)


def _held_against_threshold(text: str) -> int | None:
    """The line of the first comparison (``<``, ``>``) of a drift measure with a threshold:
    one side names drift (``drift``, ``data_drift``, ``result["drift_score"]``) or a
    population stability index, another a threshold (``DRIFT_THRESHOLD``, ``self.thresh``).
    Read from the syntax tree, so comments and strings say nothing."""
    if not re.search(r"thresh", text, re.IGNORECASE):
        return None
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        for node in ast.walk(module):
            if not isinstance(node, ast.Compare):
                continue
            if not all(isinstance(op, _ORDER) for op in node.ops):
                continue
            sides = [_names(side) for side in (node.left, *node.comparators)]
            measures = [i for i, side in enumerate(sides) if any(map(_measure, side))]
            limits = [i for i, side in enumerate(sides) if any(map(_threshold, side))]
            if any(m != t for m in measures for t in limits):
                return node.lineno
    except RecursionError:
        return None
    return None


def _names(node: ast.AST) -> list[list[str]]:
    """The words of each name a side of a comparison holds: variables, attributes, and the
    keys it subscripts with (``result["drift_score"]``)."""
    out = []
    for sub in ast.walk(node):
        name = (sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute)
                else sub.value if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                and len(sub.value) <= 60 else None)
        if name:
            out.append([w.lower() for w in _WORDS.findall(name)])
    return out


def _threshold(words: list[str]) -> bool:
    return any(w.startswith("thresh") for w in words)


def _measure(words: list[str]) -> bool:
    """A name of a drift measure: it says drift (not a threshold's name), or it is a
    population stability index alone (``psi``, ``psi_score``; not ``pressure_psi``)."""
    if _threshold(words):
        return False
    return any(w.startswith("drift") for w in words) or (
        "psi" in words and set(words) <= _MEASURE_WORDS)
