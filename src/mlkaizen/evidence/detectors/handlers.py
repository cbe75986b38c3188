"""Mechanism: a serverless function's entry point in source text: a Cloud Function or Lambda
``(event, context)`` handler, a CloudEvent handler, an Azure Functions trigger binding.

Each pattern starts with a literal, which the regex engine scans for quickly; the line start
and the word boundary are checked at each hit instead of being part of the pattern (as one
pattern, anchored per line, it took most of a detector's time on large notebooks).
"""

from __future__ import annotations

import re

# ``(event, context)``, ``(cloud_event)``, ``(req: func.HttpRequest)``: the parameter list is
# bounded, so a file of unclosed ``def f(event`` lines cannot make the search cubic
_HANDLER_DEF = re.compile(r"def\s+(\w+)\s*\(\s*(?:event|cloud_event|req)\b[^)]{0,300}\)")
_HANDLER_MARK = re.compile(
    r"@functions_framework\.(?:cloud_event|http)|func\.\w+Trigger\b|@app\.\w+_trigger"
)
_WORD_CHAR = re.compile(r"\w")


def has_event_handler(text: str) -> bool:
    """Whether ``text`` defines an event handler: a ``def handler(event, context)`` at the
    start of a line (after indentation), or a Functions Framework, Azure Functions or
    function-app trigger decorator."""
    found = _HANDLER_DEF.search(text)
    while found is not None:
        line_start = text.rfind("\n", 0, found.start()) + 1
        if not text[line_start : found.start()].strip(" \t"):
            return True
        found = _HANDLER_DEF.search(text, found.start() + 1)
    found = _HANDLER_MARK.search(text)
    while found is not None:
        at = found.start()
        if not (text.startswith("func.", at) and at and _WORD_CHAR.match(text, at - 1)):
            return True
        found = _HANDLER_MARK.search(text, at + 1)
    return False
