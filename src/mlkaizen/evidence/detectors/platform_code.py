"""Mechanism: platform SDK code whose meaning needs more than one call.

* **Promotion gates**: a TFX ``Evaluator`` given metric thresholds (its blessing gates the
  ``Pusher``); a SageMaker ``ConditionStep`` that compares a metric read from the evaluation
  report and runs the registration only when it holds; an Azure ML v1 evaluation step that
  cancels the pipeline run when a metric comparison fails; an AWS Step Functions ``Choice``
  state (Data Science SDK) whose numeric rule tests a metric.
* **Pipeline triggers**: the schedule or data-change trigger a platform SDK puts on a
  pipeline defined in the same file.
"""

from __future__ import annotations

import re

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.python_src import Call, PyFacts
from mlkaizen.evidence.tree import RepoTree

_METRIC = re.compile(
    r"(accuracy|auc|f1|rmse|mae|mse|precision|recall|score|metric|loss|r2)", re.IGNORECASE
)
_TFX_EVALUATOR = ("tfx.components.Evaluator", "tfx.v1.components.Evaluator")
_TFMA_THRESHOLDS = (
    "tensorflow_model_analysis.MetricThreshold",
    "tensorflow_model_analysis.GenericValueThreshold",
    "tensorflow_model_analysis.GenericChangeThreshold",
)
_SM_CONDITION_STEP = ("sagemaker.workflow.condition_step.ConditionStep",)
_SM_CONDITIONS = ("sagemaker.workflow.conditions.Condition*",)
_SM_METRIC_READ = (
    "sagemaker.workflow.functions.JsonGet",
    "sagemaker.workflow.condition_step.JsonGet",
)
_AML_RUN = ("azureml.core.Run.get_context", "azureml.core.run.Run.get_context")
_SFN_CHOICE = ("stepfunctions.steps.Choice", "stepfunctions.steps.states.Choice")
_SFN_NUMERIC_RULE = (
    "stepfunctions.steps.ChoiceRule.Numeric*",
    "stepfunctions.steps.choice_rule.ChoiceRule.Numeric*",
)


def platform_gates(tree: RepoTree, detector_id: str) -> list[Finding]:
    """One finding per file holding a platform promotion gate."""
    out: list[Finding] = []
    for rel in tree.importing({"tfx", "sagemaker", "azureml", "stepfunctions"}):
        facts = tree.python(rel)
        if facts is None:
            continue
        gate = _gate(facts)
        if gate is not None:
            out.append(tree.finding(detector_id, rel, gate[0], gate[1], tool=gate[2]))
    return out


def _gate(facts: PyFacts) -> tuple[int, str, str] | None:
    evaluators = [c for c in facts.find_calls(_TFX_EVALUATOR) if "eval_config" in c.keywords]
    if evaluators and facts.find_calls(_TFMA_THRESHOLDS):
        return evaluators[0].line, "TFX Evaluator blesses the model only above thresholds", "TFX"
    steps = [
        c for c in facts.find_calls(_SM_CONDITION_STEP) if {"conditions", "if_steps"} <= c.keywords
    ]
    if steps and facts.find_calls(_SM_CONDITIONS) and facts.find_calls(_SM_METRIC_READ):
        return (
            steps[0].line,
            "SageMaker ConditionStep runs the next steps only when a metric passes",
            "SageMaker Pipelines",
        )
    choices = facts.find_calls(_SFN_CHOICE)
    rules = facts.find_calls(_SFN_NUMERIC_RULE)
    if choices and rules and any(_METRIC.search(" ".join(c.str_args)) for c in [*choices, *rules]):
        return (
            choices[0].line,
            "Step Functions Choice state runs the next steps only when a metric passes",
            "AWS Step Functions",
        )
    cancels = [c for c in facts.calls if c.name.endswith(".parent.cancel")]
    if (
        cancels
        and facts.find_calls(_AML_RUN)
        and any(_METRIC.search(check.test) for check in facts.checks)
    ):
        return cancels[0].line, "Azure ML evaluation cancels the run on a worse metric", "Azure ML"
    return None


_SCHEDULES = (
    "google.cloud.aiplatform.PipelineJobSchedule",
    ".create_schedule_from_job_spec",
    "azure.ai.ml.entities.JobSchedule",
    "sagemaker.workflow.triggers.PipelineSchedule",
)
# (call, keyword that makes it a schedule): Vertex PipelineJob, EventBridge rules (boto3, CDK)
_KEYWORD_SCHEDULES = (
    (".create_schedule", "cron"),
    (".put_rule", "ScheduleExpression"),
    ("aws_cdk.aws_events.Rule", "schedule"),
)
# the modules whose SDKs create those schedules
SCHEDULE_ROOTS = frozenset({"google", "azure", "azureml", "sagemaker", "boto3", "aws_cdk"})
_AML_V1_SCHEDULE = (
    "azureml.pipeline.core.Schedule.create",
    "azureml.pipeline.core.schedule.Schedule.create",
)


def schedule_calls(facts: PyFacts) -> list[Call]:
    """The calls of a module that put an ML platform's pipeline (or job) on a schedule."""
    return (
        facts.find_calls(_SCHEDULES)
        + [
            c
            for pattern, keyword in _KEYWORD_SCHEDULES
            for c in facts.find_calls((pattern,))
            if keyword in c.keywords
        ]
        + [c for c in facts.find_calls(_AML_V1_SCHEDULE) if "recurrence" in c.keywords]
    )


def platform_triggers(facts: PyFacts) -> tuple[str | None, str | None]:
    """(schedule, event trigger) a platform SDK puts on the pipeline of this file."""
    schedule: str | None = None
    event: str | None = None
    calls = schedule_calls(facts)
    for call in facts.find_calls(_AML_V1_SCHEDULE):
        if "path_on_datastore" in call.keywords or "datastore" in call.keywords:
            event = event or f"{call.name} on a datastore change (line {call.line})"
    if calls:
        first = min(calls, key=lambda c: c.line)
        schedule = f"{first.name} (line {first.line})"
    return schedule, event
