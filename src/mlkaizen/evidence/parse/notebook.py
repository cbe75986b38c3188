"""Jupyter notebooks: code cells through :mod:`json`, IPython syntax rewritten
(:mod:`.ipython`), then the Python parser, one cell at a time.

Lines in the result are lines of the ``.ipynb`` file itself, so a finding points at the cell.
A cell that does not parse is skipped alone (and listed in ``skipped``); the rest counts.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache

from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.ipython import CellCode, transform_cell
from mlkaizen.evidence.parse.python_src import Call, PyFacts, facts_of, python_ast
from mlkaizen.evidence.parse.structured import load_json

_SOURCE_KEY = re.compile(r'^\s*"source"\s*:')


@dataclass
class NotebookFacts(PyFacts):
    """:class:`PyFacts` of the code cells, plus what is not Python in them."""

    shell: list[tuple[int, str]] = field(default_factory=list)  # (line, command)
    # %%writefile cells not read as Python or shell: (path, line, text)
    writes: list[tuple[str, int, str]] = field(default_factory=list)
    skipped: list[tuple[int, int | None, str]] = field(default_factory=list)  # (cell, line, why)


@dataclass(frozen=True)
class _Cell:
    number: int  # 1-based position among all cells
    source: str
    origin: list[int]  # .ipynb line of each source line


def _code_cells(text: str) -> list[_Cell]:
    try:
        doc = load_json(text)
    except ParseError as exc:
        raise ParseError(f"notebook: {exc.message}", exc.line) from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise ParseError("notebook has no 'cells' list")
    source_starts = [
        i + 1
        for i, line in enumerate(text.splitlines())
        if '"source"' in line and _SOURCE_KEY.match(line)  # the substring first: cheaper
    ]
    out: list[_Cell] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        joined = "".join(str(s) for s in source) if isinstance(source, list) else str(source)
        start = source_starts[index] if index < len(source_starts) else 1
        step = 1 if isinstance(source, list) else 0
        count = len(joined.splitlines())
        out.append(_Cell(index + 1, joined, [start + (o + 1) * step for o in range(count)]))
    return out


def notebook_code(text: str) -> tuple[str, list[int]]:
    """Concatenated code cells as Python, and for each code line the ``.ipynb`` line it came
    from. Cheap: no syntax tree (the import pre-pass reads this)."""
    code: list[str] = []
    origin: list[int] = []
    for cell, rewritten in _rewritten_cells(text):
        code.extend(rewritten.python)
        origin.extend(cell.origin)
    return "\n".join(code), origin


@lru_cache(maxsize=1)
def _rewritten_cells(text: str) -> tuple[tuple[_Cell, CellCode], ...]:
    """Each code cell and its rewriting as Python (read, never changed, by the callers).
    The last notebook's are kept: its import pre-pass and its facts are asked for one after
    the other where a worker parses it, and this spares the second its JSON and rewriting."""
    return tuple((cell, transform_cell(cell.source)) for cell in _code_cells(text))


def parse_notebook(text: str) -> NotebookFacts:
    """Facts of a notebook's code cells; cells that fail to parse are skipped alone."""
    body: list[ast.stmt] = []
    offsets: list[int] = []  # per statement: the lines of the code cells before its own
    origin: list[int] = []
    shell: list[tuple[int, str]] = []
    writes: list[tuple[str, int, str]] = []
    skipped: list[tuple[int, int | None, str]] = []
    for cell, code in _rewritten_cells(text):
        at = cell.origin

        def line_of(n: int | None, at: list[int] = at) -> int | None:
            return at[n - 1] if n and 0 < n <= len(at) else (at[0] if at else None)

        try:
            module = python_ast("\n".join(code.python))
        except ParseError as exc:
            skipped.append((cell.number, line_of(exc.line), exc.message))
        else:
            body.extend(module.body)
            offsets.extend([len(origin)] * len(module.body))
        origin.extend(at)
        shell.extend((line_of(n) or 1, command) for n, command in code.shell)
        writes.extend((path, line_of(n) or 1, content) for path, n, content in code.writes)
    base = facts_of(ast.Module(body=body, type_ignores=[]), offsets)

    def remap(line: int) -> int:
        return origin[line - 1] if 0 < line <= len(origin) else line

    return NotebookFacts(
        imports={name: remap(line) for name, line in base.imports.items()},
        calls=[
            Call(c.name, remap(c.line), c.keywords, c.str_args, c.constants) for c in base.calls
        ],
        decorators=[
            Call(c.name, remap(c.line), c.keywords, c.str_args, c.constants)
            for c in base.decorators
        ],
        bases=[Call(c.name, remap(c.line), c.keywords) for c in base.bases],
        functions={name: remap(line) for name, line in base.functions.items()},
        has_main_guard=base.has_main_guard,
        checks=[type(c)(remap(c.line), c.test, c.fails) for c in base.checks],
        asserts_values=base.asserts_values,
        shell=shell,
        writes=writes,
        skipped=skipped,
    )
