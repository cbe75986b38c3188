"""Prometheus configuration read as text or as a loaded document: does a scrape config
scrape the team's services, does a document hold alerting rules. Mechanism only; the
monitoring detectors decide what it shows."""

from __future__ import annotations

import re
from typing import Any

from mlkaizen.evidence.parse.yamlfile import as_dict, as_list, walk

_SCRAPE_JOB = re.compile(r"""job_name:\s*["']?([\w.-]+)""")
# a target starts after a quote, a space, a bracket, a comma or a list's dash (not a dash
# inside a name: each position of a long ``-a-a-a...`` would start a scan to its end)
_TARGET = re.compile(r"""(?:["'\s\[,]|(?<![\w.-])-)([A-Za-z][\w.-]*+):\d{2,5}\b""")
# what a cluster's own Prometheus scrapes, whatever runs on it (``kubernetes-pods`` is
# not: it scrapes the pods that ask to be scraped, the team's among them)
_CLUSTER_JOBS = re.compile(
    r"prometheus|node[-_]?exporter|node|cadvisor|kubelet|kube[-_].*|alertmanager|grafana"
    r"|pushgateway|blackbox.*|docker.*|containers?|localhost|127\.0\.0\.1",
    re.IGNORECASE,
)


def scrapes_a_service(config: str) -> bool:
    """A Prometheus scrape config (comments aside) with a job or a target for something
    other than the cluster: ``job_name: fraud-api``, or ``targets: ['model-api:8000']``."""
    text = "\n".join(line.split("#", 1)[0] for line in config.splitlines())
    if "scrape_configs" not in text:
        return False
    names = _SCRAPE_JOB.findall(text) + _TARGET.findall(text[text.index("scrape_configs") :])
    return any(not _CLUSTER_JOBS.fullmatch(n) for n in names)


# a rule of a rule group: ``- alert: ModelDriftDetected`` (a rule file kept as text, as in a
# ConfigMap's data or a chart's values)
_ALERT_RULE = re.compile(r"(?m)^[ \t]*(?:-[ \t]+)?alert[ \t]*:[ \t]*[\"']?\w")
_RULES_BUDGET = 5_000  # nodes of one document looked at for a rule group
_MAX_RULES_TEXT = 200_000  # characters of a string read as a rule file


def _rule_groups(node: Any) -> bool:
    """``{groups: [{rules: [{alert: ...}]}]}``: alerting rule groups, loaded."""
    return isinstance(node, dict) and any(
        isinstance(g, dict)
        and any(isinstance(r, dict) and "alert" in r for r in as_list(g.get("rules")))
        for g in as_list(node.get("groups"))
    )


def _rules_text(text: str) -> bool:
    """A rule file kept as text: rule groups with an alerting rule and its expression."""
    return "groups:" in text and "expr:" in text and _ALERT_RULE.search(text) is not None


def has_alert_rules(doc: Any) -> bool:
    """Prometheus alerting rules in a document: a rule file itself, a ConfigMap whose data
    holds one as text, or rule groups nested in a chart's values (the Prometheus chart's
    ``serverFiles: {alerting_rules.yml: {groups: ...}}``, kube-prometheus-stack's
    ``additionalPrometheusRulesMap``). Recording rules alone do not alert."""
    if _rule_groups(doc):
        return True
    if isinstance(doc, dict) and doc.get("kind") == "ConfigMap":
        return any(isinstance(v, str) and _rules_text(v) for v in as_dict(doc.get("data")).values())
    if not isinstance(doc, dict):
        return False
    seen: set[int] = set()  # an alias is the same object: looked at once
    for node in walk(doc, _RULES_BUDGET):
        if id(node) in seen:
            continue
        seen.add(id(node))
        if _rule_groups(node) or (
            isinstance(node, str)
            and "\n" in node
            and len(node) <= _MAX_RULES_TEXT
            and _rules_text(node)
        ):
            return True
    return False
