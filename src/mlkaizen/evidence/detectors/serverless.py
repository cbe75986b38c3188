"""Models served by a serverless function: a module that loads a model and holds the
function a platform calls per request or event (an AWS Lambda handler, a Google Cloud
Function, an Azure Function). Such a function answers with the model's predictions as a
web app does, without one."""

from __future__ import annotations

import posixpath

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

_DECORATED = ("functions_framework.http",)  # an HTTP function (a CloudEvent one scores batches)
# an Azure Functions app answering HTTP requests
_AZURE_HTTP = ("azure.functions.HttpResponse", "azure.functions.FunctionApp().route", ".route")
_REQUEST_READS = ("request.get_json", "request.get_data", "request.args.get", "req.get_json")
# where a platform looks for a handler by convention, when it is only named ``handler``
_HANDLER_FILES = frozenset({"main.py", "handler.py", "app.py", "lambda_function.py", "function.py"})
_HANDLER_FOLDERS = frozenset(
    {
        "lambda",
        "lambdas",
        "function",
        "functions",
        "cloud_function",
        "cloud_functions",
        "serverless",
    }
)
# loads that are no model: a payload deserialised (``pickle.loads(body)``)
_NOT_MODELS = frozenset({"pickle.loads"})


def function_handlers(
    tree: RepoTree, loading_roots: frozenset[str] | set[str], loads: tuple[str, ...]
) -> list[Finding]:
    """One finding per module (not a notebook, not test code) that loads a model
    (``loads``; a payload unpickled with ``pickle.loads`` is no model) and holds a
    serverless function: a ``lambda_handler``; a function decorated with
    ``functions_framework.http``; an Azure Functions app answering HTTP requests
    (``func.HttpResponse``, ``app.route``); or a ``handler`` that reads an HTTP request
    (``request.get_json()``) or sits where a platform looks for one: a ``main.py``,
    ``handler.py`` or ``app.py`` in a folder named ``lambda``, ``functions`` or
    ``serverless``. A Lambda that loads a model to evaluate it, not to answer, is taken
    as serving too: what it returns is not read."""
    out: list[Finding] = []
    for rel in tree.importing(loading_roots):
        if rel.endswith(".ipynb") or is_test_path(rel):
            continue
        facts = tree.python(rel)
        if facts is None:
            continue
        load = [
            c
            for c in facts.find_calls(loads, include_decorators=False)
            if c.name not in _NOT_MODELS
        ]
        if not load:
            continue
        kind = None
        if facts.find_calls(_DECORATED):
            kind = "Google Cloud Function"
        elif any(n.startswith("azure.functions") for n in facts.imports) and facts.find_calls(
            _AZURE_HTTP
        ):
            kind = "Azure Function"
        elif "lambda_handler" in facts.functions:
            kind = "AWS Lambda handler"
        elif "handler" in facts.functions:
            folders = set(rel.lower().split("/")[:-1])
            if facts.find_calls(_REQUEST_READS, include_decorators=False):
                kind = "HTTP function"
            elif posixpath.basename(rel) in _HANDLER_FILES and folders & _HANDLER_FOLDERS:
                kind = "function handler"
        if kind is not None:
            out.append(
                tree.finding(
                    "model_serving_present",
                    rel,
                    load[0].line,
                    f"{kind} serving a model loaded with {load[0].name}()",
                    tool=kind,
                )
            )
    return out
