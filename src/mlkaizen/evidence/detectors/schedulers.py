"""Mechanism: cloud schedulers declared in infrastructure code that start ML pipelines.

A schedule is often kept away from the pipeline it runs: a Terraform
``google_cloud_scheduler_job`` that publishes a pipeline template to the topic a launcher
listens on, an EventBridge rule or schedule (``aws_cloudwatch_event_rule``,
``aws_scheduler_schedule``, CloudFormation ``AWS::Events::Rule``/``AWS::Scheduler::Schedule``)
that starts a SageMaker pipeline (with the ``aws_cloudwatch_event_target`` resources that
name the rule), an Azure Data Factory or Logic App recurrence, a Terraform ``databricks_job``
with an unpaused ``schedule`` block, a ``gcloud scheduler jobs create`` command, or an ML
platform's schedule created by code in a module of its own (Vertex AI
``PipelineJob.create_schedule(cron=...)`` on a compiled template, an Azure ML
``JobSchedule``, a SageMaker ``PipelineSchedule``, an EventBridge ``put_rule``). Each
becomes a :class:`CloudSchedule` with the text of its declaration, so detectors can tell a
training schedule from a scoring one.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from mlkaizen.evidence.detectors.documents import yaml_documents
from mlkaizen.evidence.detectors.platform_code import SCHEDULE_ROOTS, schedule_calls
from mlkaizen.evidence.detectors.text_search import line_at
from mlkaizen.evidence.parse.python_src import PyFacts
from mlkaizen.evidence.parse.yamlfile import as_dict, strings
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

_TF_RESOURCE = re.compile(
    r'^[ \t]*resource\s+"(google_cloud_scheduler_job|aws_scheduler_schedule|'
    r"aws_cloudwatch_event_rule|azurerm_data_factory_trigger_schedule|"
    r'azurerm_logic_app_trigger_recurrence|databricks_job)"\s+"([^"]+)"\s*\{',
    re.MULTILINE,
)
# an attribute (``schedule_expression = "cron(...)"``) or a Databricks job's block
# (``schedule { quartz_cron_expression = ... }``); a paused block is no schedule
_TF_SCHEDULE_ATTR = re.compile(
    r"^[ \t]*(?:(?:schedule|schedule_expression|frequency|interval)[ \t]*="
    r"|quartz_cron_expression[ \t]*=)",
    re.MULTILINE,
)
_TF_PAUSED = re.compile(r'^[ \t]*pause_status[ \t]*=[ \t]*"PAUSED"', re.MULTILINE)
# an EventBridge rule's targets are resources of their own that name it
_TF_TARGET = re.compile(
    r'^[ \t]*resource\s+"aws_cloudwatch_event_target"\s+"[^"]+"\s*\{', re.MULTILINE
)
# a module's resource takes its values from the module's variables; its callers set them
_TF_VARIABLE = re.compile(r"\b(?:var|each)\.\w")
_TF_MODULE = re.compile(r'^[ \t]*module\s+"[^"]+"\s*\{', re.MULTILINE)
_CFN_TYPES = ("AWS::Events::Rule", "AWS::Scheduler::Schedule")
_GCLOUD = re.compile(r"\bgcloud\s+(?:beta\s+)?scheduler\s+jobs\s+create\b[^\n]*(?:\\\n[^\n]*)*")
MAX_BLOCK = 20_000  # characters of one resource block read


@dataclass(frozen=True)
class CloudSchedule:
    kind: str  # the resource type or command
    name: str
    file: str
    line: int
    text: str  # the declaration, for what it starts


def cloud_schedules(tree: RepoTree) -> list[CloudSchedule]:
    """Every cloud scheduler declaration in the tree (memoised)."""
    return tree.memo(
        "cloud_schedules", lambda: _terraform(tree) + _cfn(tree) + _gcloud(tree) + _sdk(tree)
    )


def _block(text: str, start: int) -> str:
    """The ``{ ... }`` block opening at ``start`` (braces counted; bounded)."""
    depth = 0
    for i in range(start, min(len(text), start + MAX_BLOCK)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return text[start : start + MAX_BLOCK]


def _event_targets(tree: RepoTree, folder: str) -> list[str]:
    """The ``aws_cloudwatch_event_target`` blocks of a Terraform module (one folder's files:
    a rule and its targets are often in files of their own)."""

    def compute() -> list[str]:
        blocks = []
        for rel in tree.with_suffix(".tf"):
            if rel.rpartition("/")[0] != folder:
                continue
            text = tree.text(rel) or ""
            if "aws_cloudwatch_event_target" in text:
                blocks += [_block(text, t.end() - 1) for t in _TF_TARGET.finditer(text)]
        return blocks

    return tree.memo("tf-event-targets:" + folder, compute)


def _module_values(tree: RepoTree, folder: str) -> str:
    """What a Terraform module's callers give it: the ``module`` blocks whose ``source`` is
    ``folder`` and, when they take values from variables, the ``.tfvars`` files of the
    callers' folders (or below them) that set schedules
    (``cloud_schedulers_config = {retraining = {schedule = "0 0 * * 2", ...}}``)."""

    def compute() -> str:
        name = folder.rpartition("/")[2]
        if not name:
            return ""
        source = re.compile(
            r'^[ \t]*source[ \t]*=[ \t]*"[^"\n]*/' + re.escape(name) + r'/?"', re.MULTILINE
        )
        calls, callers = [], set()
        for rel in tree.with_suffix(".tf"):
            text = tree.text(rel) or ""
            if name in text:
                found = [
                    block
                    for m in _TF_MODULE.finditer(text)
                    if source.search(block := _block(text, m.end() - 1))
                ]
                calls += found
                if found:
                    callers.add(posixpath.dirname(rel))
        values = [  # the callers' own variable files: in their folders or below
            text[:MAX_BLOCK]
            for rel in tree.with_suffix(".tfvars")
            if any(not c or rel.startswith(c + "/") for c in callers)
            and "schedul" in (text := tree.text(rel) or "")
        ]
        if not calls:
            return ""
        return " " + " ".join(calls + (values if _TF_VARIABLE.search(" ".join(calls)) else []))

    return tree.memo("tf-module-values:" + folder, compute)


def _terraform(tree: RepoTree) -> list[CloudSchedule]:
    out: list[CloudSchedule] = []
    for rel in tree.with_suffix(".tf"):
        text = tree.text(rel) or ""
        if not ("schedul" in text or "event_rule" in text or "recurrence" in text):
            continue
        for match in _TF_RESOURCE.finditer(text):
            block = _block(text, match.end() - 1)
            if not _TF_SCHEDULE_ATTR.search(block) or _TF_PAUSED.search(block):
                continue
            what = f"{match.group(2)} {block}"  # its name says what it starts, too
            if _TF_VARIABLE.search(block):  # a module's resource: its callers say what
                what += _module_values(tree, rel.rpartition("/")[0])
            if match.group(1) == "aws_cloudwatch_event_rule":
                # ``aws_cloudwatch_event_rule.train.name``, never ``...train_scoring.name``
                ref = re.compile(
                    re.escape(f"aws_cloudwatch_event_rule.{match.group(2)}") + r"(?![\w-])"
                )
                targets = _event_targets(tree, rel.rpartition("/")[0])
                what += "".join(" " + t for t in targets if ref.search(t))
            out.append(
                CloudSchedule(
                    match.group(1), match.group(2), rel, line_at(text, match.start()), what
                )
            )
    return out


def _cfn(tree: RepoTree) -> list[CloudSchedule]:
    out: list[CloudSchedule] = []
    for rel, doc in yaml_documents(tree):
        resources = as_dict(as_dict(doc).get("Resources"))
        for name, raw in resources.items():
            body = as_dict(raw)
            if body.get("Type") not in _CFN_TYPES:
                continue
            props = as_dict(body.get("Properties"))
            if "ScheduleExpression" not in props:
                continue
            text = " ".join(strings(props, budget=2_000)) + " " + " ".join(map(str, props))
            out.append(
                CloudSchedule(str(body["Type"]), str(name), rel, getattr(body, "line", 1), text)
            )
    return out


def _gcloud(tree: RepoTree) -> list[CloudSchedule]:
    out: list[CloudSchedule] = []
    for rel in tree.with_suffix(".sh", ".yml", ".yaml", ".bash"):
        text = tree.text(rel) or ""
        if "scheduler" not in text:
            continue
        for match in _GCLOUD.finditer(text):
            out.append(
                CloudSchedule(
                    "gcloud scheduler job", "", rel, line_at(text, match.start()), match.group(0)
                )
            )
    return out


def _sdk(tree: RepoTree) -> list[CloudSchedule]:
    """Schedules an ML platform's SDK creates, each with the text of the function that
    creates it (the module's text when it is created at the top level) for what it starts:
    the module that schedules a compiled pipeline rarely defines it. Not test code."""
    out: list[CloudSchedule] = []
    for rel in tree.importing(SCHEDULE_ROOTS):
        facts = tree.python(rel)
        if facts is None or is_test_path(rel):
            continue
        calls = sorted(schedule_calls(facts), key=lambda c: c.line)
        if calls:
            text = enclosing_text(tree.text(rel) or "", facts, calls[0].line)
            out.append(CloudSchedule(calls[0].name, "", rel, calls[0].line, text))
    return out


def enclosing_text(text: str, facts: PyFacts, line: int) -> str:
    """The lines of the function around ``line``, from its ``def`` to the next ``def`` (the
    whole text when no ``def`` comes before ``line``)."""
    span = facts.enclosing(line)
    if span is None:
        return text
    _, start, end = span
    return "\n".join(text.splitlines()[start - 1 : end - 1 if end else None])
