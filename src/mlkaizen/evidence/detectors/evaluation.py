"""Model evaluation: baselines, validation gates, champion/challenger."""

from __future__ import annotations

import re
from itertools import pairwise

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.ci_runs import ci_steps_matching
from mlkaizen.evidence.detectors.documents import k8s_objects
from mlkaizen.evidence.detectors.libraries import EVALUATION
from mlkaizen.evidence.detectors.platform_code import platform_gates
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.text_search import search_files
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.yamlfile import mentions
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

# words of a module name that point at evaluation code (``evaluate.py``, ``model_gate.py``)
_EVAL_WORDS = ("eval", "valid", "metric", "score", "compar", "promot", "gate", "gating")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def words(text: str) -> list[str]:
    """The lower-case words of an identifier or expression: ``val_accuracy >= MIN_F1`` ->
    ``val, accuracy, min, f1``; ``bestScore`` -> ``best, score``."""
    return [w.lower() for w in _WORD.findall(text)]


def _eval_module(path: str) -> bool:
    """A module named for evaluation: a word of its name starts with an evaluation word
    (``aggregate.py`` holds no word "gate")."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return any(w.startswith(_EVAL_WORDS) for w in words(stem))


def _names_metric(test: str) -> bool:
    """A check compares a model metric: one of its words is a metric name (``mapping`` is
    not ``map``)."""
    metrics = vocabulary().metric_names
    found = words(test)
    pairs = {f"{a}_{b}" for a, b in pairwise(found)}
    return any(w in metrics for w in found) or bool(pairs & metrics)


_DIFF = re.compile(r"(dvc (metrics|plots|exp) diff|mlflow\.evaluate)", re.I)
_CHAMPION = re.compile(r"\b(champion|challenger|shadow)\b", re.I)


def _eval_sources(tree: RepoTree) -> list[str]:
    """Evaluation-like modules (by name) that import an ML or numeric library."""
    return [f for f in tree.importing(EVALUATION) if _eval_module(f) and not is_test_path(f)]


@detector("baseline_comparison_present")
def baseline_comparison_present(tree: RepoTree) -> list[Finding]:
    """Models are evaluated against a baseline (a dummy model, a previous model or a
    reference score).

    Evidence: ``DummyClassifier``/``DummyRegressor``, ``mlflow.evaluate(baseline_model=...)``,
    ``dvc metrics diff``/``dvc plots diff``/``dvc exp diff`` (in CI, scripts or a Makefile),
    or evaluation code that names a baseline.
    """
    out: list[Finding] = []
    for rel in tree.importing({"sklearn", "mlflow"}):
        facts = tree.python(rel)
        for call in facts.calls if facts else []:
            if call.name.endswith(("DummyClassifier", "DummyRegressor")) or (
                call.name == "mlflow.evaluate" and "baseline_model" in call.keywords
            ):
                out.append(
                    tree.finding(
                        "baseline_comparison_present", rel, call.line, f"baseline: {call.name}()"
                    )
                )
                break
    out += ci_steps_matching(tree, "baseline_comparison_present", _DIFF, "compares with a baseline")
    credited = {f.file for f in out}
    for rel in _eval_sources(tree):
        facts = tree.python(rel) if rel not in credited else None
        named = (
            [
                c
                for c in facts.calls
                if "baseline" in c.name.lower() or any("baseline" in k for k in c.keywords)
            ]
            if facts
            else []
        )
        if named:
            out.append(
                tree.finding(
                    "baseline_comparison_present",
                    rel,
                    named[0].line,
                    f"baseline: {named[0].name}()",
                )
            )
    out += search_files(
        tree,
        "baseline_comparison_present",
        [*tree.named("dvc.yaml", "Makefile"), *tree.shell_scripts()],
        _DIFF,
        lambda m: f"baseline: {m.group(0)}",
        read=tree.shell_text,
    )
    return out


@detector("validation_gate_present")
def validation_gate_present(tree: RepoTree) -> list[Finding]:
    """A candidate model must pass metric thresholds before it is promoted.

    Evidence: ``mlflow.evaluate(validation_thresholds=...)``/``MetricThreshold``, or a module
    named for evaluation (a word of its name: eval, valid, metric, score, compare, promote,
    gate) that imports an ML or numeric library and fails (``raise``, ``sys.exit``,
    ``assert``, ``return 1``/``False``) when a check naming a metric (a word such as
    ``accuracy``, ``f1``, ``rmse``, ``threshold``) does not hold.
    On ML platforms: a TFX ``Evaluator`` given an ``eval_config`` with ``tfma`` thresholds
    (its blessing gates the ``Pusher``); a SageMaker ``ConditionStep`` with ``conditions`` on a
    metric read by ``JsonGet`` and ``if_steps``; an Azure ML v1 evaluation step that compares
    metrics and cancels the pipeline run (``run.parent.cancel()``). Not evidence: a
    ``ConditionStep`` on a parameter rather than a metric; an ``Evaluator`` without thresholds.
    """
    out = platform_gates(tree, "validation_gate_present")
    for rel in tree.importing({"mlflow"}):
        facts = tree.python(rel)
        calls = facts.find_calls(("mlflow.models.MetricThreshold",)) if facts else []
        calls += [
            c
            for c in (facts.calls if facts else [])
            if c.name == "mlflow.evaluate" and "validation_thresholds" in c.keywords
        ]
        if calls:
            out.append(
                tree.finding(
                    "validation_gate_present", rel, calls[0].line, "MLflow validation thresholds"
                )
            )
    for rel in _eval_sources(tree):
        if rel in {f.file for f in out}:
            continue
        facts = tree.python(rel)
        gate = (
            next((c for c in facts.checks if c.fails and _names_metric(c.test)), None)
            if (facts)
            else None
        )
        if gate is not None:
            out.append(
                tree.finding(
                    "validation_gate_present",
                    rel,
                    gate.line,
                    "evaluation fails when "
                    + (gate.test if len(gate.test) <= 60 else gate.test[:59] + "…"),
                )
            )
    return out


@detector("champion_challenger_present")
def champion_challenger_present(tree: RepoTree) -> list[Finding]:
    """New models compete with the production model online (champion/challenger, shadow
    deployment, A/B traffic split between model versions): MLflow aliases, SageMaker production
    and shadow variants, Azure ML ``mirror_traffic`` to a shadow deployment, a Databricks
    serving endpoint routing traffic over two versions of one model."""
    out = config_findings(tree, "champion_challenger_present")
    for rel in tree.importing({"mlflow", "sagemaker", "azure", "google"}):
        facts = tree.python(rel)
        for call in facts.calls if facts else []:
            if any(_CHAMPION.search(a) for a in call.str_args) and (
                "alias" in call.name
                or "deploy" in call.name
                or "variant" in call.name.lower()
                or "traffic" in " ".join(call.keywords)
            ):
                out.append(
                    tree.finding(
                        "champion_challenger_present",
                        rel,
                        call.line,
                        f"champion/challenger: {call.name}()",
                    )
                )
                break
            if call.name.endswith(("ProductionVariant", "ShadowProductionVariants")):
                out.append(
                    tree.finding(
                        "champion_challenger_present",
                        rel,
                        call.line,
                        "SageMaker production variants",
                    )
                )
                break
    for rel, doc in k8s_objects(tree):
        spec = doc.get("spec")
        if doc.get("kind") in ("SeldonDeployment", "Experiment") and (
            mentions(spec, "shadow", "traffic")
        ):
            out.append(
                tree.finding(
                    "champion_challenger_present",
                    rel,
                    getattr(doc, "line", 1),
                    f"{doc.get('kind')} with traffic split or shadow",
                )
            )
    return out


DETECTORS = [baseline_comparison_present, validation_gate_present, champion_challenger_present]
