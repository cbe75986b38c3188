"""Jupyter notebooks: code cells through :mod:`json`, then the Python parser.

Lines in the result are lines of the ``.ipynb`` file itself, so a finding points at the cell.
"""

from __future__ import annotations

import re

from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.python_src import Call, PyFacts, parse_python
from mlkaizen.evidence.parse.structured import load_json

_MAGIC = re.compile(r"^\s*[!%]")


def notebook_code(text: str) -> tuple[str, list[int]]:
    """Concatenated code cells, and for each code line the ``.ipynb`` line it came from."""
    try:
        doc = load_json(text)
    except ParseError as exc:
        raise ParseError(f"notebook: {exc.message}", exc.line) from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise ParseError("notebook has no 'cells' list")
    raw_lines = text.splitlines()
    source_starts = [i + 1 for i, line in enumerate(raw_lines) if '"source"' in line]
    code: list[str] = []
    origin: list[int] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text_src = "".join(source) if isinstance(source, list) else str(source)
        start = source_starts[index] if index < len(source_starts) else 1
        for offset, line in enumerate(text_src.splitlines()):
            code.append("" if _MAGIC.match(line) else line)
            origin.append(start + (offset + 1 if isinstance(source, list) else 0))
        code.append("")
        origin.append(start)
    return "\n".join(code), origin


def parse_notebook(text: str) -> PyFacts:
    """Facts of a notebook's code cells; a cell that fails to parse fails the notebook."""
    source, origin = notebook_code(text)
    try:
        facts = parse_python(source)
    except ParseError as exc:
        line = origin[exc.line - 1] if exc.line and exc.line <= len(origin) else None
        raise ParseError(exc.message, line) from None

    def remap(line: int) -> int:
        return origin[line - 1] if 0 < line <= len(origin) else line

    facts.imports = {name: remap(line) for name, line in facts.imports.items()}
    facts.calls = [
        Call(c.name, remap(c.line), c.keywords, c.str_args, c.constants) for c in facts.calls
    ]
    facts.decorators = [Call(c.name, remap(c.line), c.keywords) for c in facts.decorators]
    facts.functions = {name: remap(line) for name, line in facts.functions.items()}
    return facts
