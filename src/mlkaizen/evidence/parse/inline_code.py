"""Python code a CloudFormation or SAM template holds inline: a Lambda function's
``Code: ZipFile: |`` block or a serverless function's ``InlineCode: |``, in a template whose
functions run Python (``Runtime: python3.x``). The code keeps the template's line numbers
(every other line blank), so a finding points at the template's own line. A block that is
not Python (a Node.js function beside the Python ones) is left out alone; ``${...}``
substitutions of a ``!Sub`` block become a name."""

from __future__ import annotations

import ast
import re

from mlkaizen.evidence.parse.python_src import MAX_PARSED_SOURCE, PyFacts, parse_python

_BLOCK = re.compile(
    r"^(?P<indent> *)(?:ZipFile|InlineCode) *: *(?P<sub>!Sub +)?[|>][-+0-9]* *(?:#.*)?$"
)
PYTHON_RUNTIME = re.compile(r"\bRuntime\s*:\s*['\"]?python", re.IGNORECASE)
_SUBSTITUTION = re.compile(r"\$\{[^}\n]*\}")


def holds_inline_python(text: str) -> bool:
    """A cheap test: the template has an inline code key and a Python runtime."""
    return ("ZipFile" in text or "InlineCode" in text) and bool(PYTHON_RUNTIME.search(text))


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def inline_python(text: str) -> str | None:
    """The template's inline Python, one line for each of its lines; ``None`` when it has
    none."""
    if not holds_inline_python(text):
        return None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    out = [""] * len(lines)
    found = False
    budget = MAX_PARSED_SOURCE  # characters of code parsed at most, all blocks together
    i = 0
    while i < len(lines):
        match = _BLOCK.match(lines[i])
        if match is None:
            i += 1
            continue
        indent = len(match.group("indent"))
        j = i + 1
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip(" ")) > indent
        ):
            j += 1
        body = [line for line in lines[i + 1 : j] if line.strip()]
        if body:
            cut = min(len(line) - len(line.lstrip(" ")) for line in body)
            code = [line[cut:] if line.strip() else "" for line in lines[i + 1 : j]]
            if match.group("sub"):
                code = [_SUBSTITUTION.sub("_", line) for line in code]
            source = "\n".join(code)
            if len(source) <= budget and _parses(source):
                budget -= len(source)
                out[i + 1 : j] = code
                found = True
        i = j
    return "\n".join(out) if found else None


def parse_inline_python(text: str) -> PyFacts:
    """:class:`PyFacts` of a template's inline Python: none when it holds none that parses
    (a Node.js function, Python 2), which is no error of the template."""
    code = inline_python(text)
    return parse_python(code) if code is not None else PyFacts()
