"""IPython-only syntax in a notebook cell -> plain Python, with the shell it runs kept aside.

Line magics (``%load_ext x``), shell escapes (``!pip install x``, ``files = !ls``), help
(``obj?``, ``??obj``) and auto-call (``/f a``, ``,f a b``) become harmless statements on the
same line, so every line keeps its number. Cell magics decide what their body is: Python
(``%%time``, ``%%capture``), shell (``%%bash``, ``%%sh``, ``%%script bash``), a file written
to disk (``%%writefile train.py``: Python if the name ends in ``.py``, shell if ``.sh``, kept
as text otherwise), or something else (``%%html``, ``%%sql``) that is dropped.

A line is only rewritten where a statement may start: never inside a string that spans lines,
open brackets or a backslash continuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "python", "python3", "memit", "mprun"}
)
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "system", "!"})
SHELL_INTERPRETERS = frozenset({"bash", "sh", "zsh"})
WRITE_CELL_MAGICS = frozenset({"writefile", "file"})
SHELL_LINE_MAGICS = frozenset({"pip", "conda", "mamba", "sx", "system", "cd"})

_ASSIGN = re.compile(r"^([A-Za-z_][\w.,\s\[\]()*]*?)\s*=\s*[!%]")
_HELP = re.compile(r"^(\?{1,2}[\w.*\[\]]+|[\w.*\[\]]+\?{1,2})$")
_AUTOCALL = re.compile(r"^[/,;][A-Za-z_]")
# where an auto-call may start a line (after any break ``str.splitlines`` knows)
_LINE_LED_BY_AUTOCALL_CHAR = re.compile(
    r"(?:\A|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])\s*[/,;]"
)


@dataclass
class CellCode:
    """One code cell after rewriting: Python lines (same count as the cell), the shell
    commands it runs as (cell line, command), and files it writes as (path, line, text)."""

    python: list[str]
    shell: list[tuple[int, str]] = field(default_factory=list)
    writes: list[tuple[str, int, str]] = field(default_factory=list)


class _Scanner:
    """Whether the next line starts a statement: tracks strings spanning lines, bracket depth
    and backslash continuations over the Python lines seen so far."""

    def __init__(self) -> None:
        self.quote = ""  # the open triple quote, if any
        self.depth = 0
        self.continued = False

    @property
    def at_statement(self) -> bool:
        return not self.quote and self.depth <= 0 and not self.continued

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        while i < n:
            if self.quote:
                end = line.find(self.quote, i)
                if end < 0:
                    return
                i, self.quote = end + 3, ""
                continue
            ch = line[i]
            if ch == "#":
                break
            if ch in "\"'":
                if line.startswith(ch * 3, i):
                    self.quote = ch * 3
                    i += 3
                    continue
                j = i + 1
                while j < n and line[j] != ch:
                    j += 2 if line[j] == "\\" else 1
                i = j + 1
                continue
            if ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth -= 1
            i += 1
        self.continued = not self.quote and line.rstrip().endswith("\\")


def _shell_magic(name: str, args: str) -> bool:
    if name in SHELL_CELL_MAGICS:
        return True
    return name == "script" and args.split()[:1] in ([i] for i in SHELL_INTERPRETERS)


def _written_path(args: str) -> str:
    words = [w for w in args.split() if not w.startswith("-")]
    return words[0].strip("'\"") if words else ""


def _join_continued(lines: list[str], start: int) -> tuple[str, int]:
    """A shell command from ``start`` over backslash continuations: (command, lines used)."""
    parts: list[str] = []
    i = start
    while i < len(lines):
        text = lines[i].rstrip()
        if text.endswith("\\"):
            parts.append(text[:-1].strip())
            i += 1
            continue
        parts.append(text.strip())
        i += 1
        break
    return " ".join(p for p in parts if p), i - start


def _shell_body(lines: list[str], first: int, out: CellCode) -> None:
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        command, used = _join_continued(lines, i)
        out.shell.append((first + i, command))
        i += used


def transform_cell(source: str) -> CellCode:
    """The cell as Python that parses like the original would run, line for line."""
    lines = source.splitlines()
    out = CellCode(python=[""] * len(lines))
    head = next((i for i, line in enumerate(lines) if line.strip()), None)
    body_start = 0
    if head is not None and lines[head].lstrip().startswith("%%"):
        magic = lines[head].strip()[2:]
        name, _, args = magic.partition(" ")
        body = lines[head + 1 :]
        if _shell_magic(name, args):
            _shell_body(body, head + 2, out)
            return out
        if name in WRITE_CELL_MAGICS:
            path = _written_path(args)
            if path.endswith(".sh"):
                _shell_body(body, head + 2, out)
                return out
            if not path.endswith(".py"):
                out.writes.append((path, head + 2, "\n".join(body)))
                return out
        elif name not in PYTHON_CELL_MAGICS:
            return out
        body_start = head + 1
    if _plain_python(source):
        out.python[body_start:] = lines[body_start:]
        return out
    _python_lines(lines, body_start, out)
    return out


def _plain_python(source: str) -> bool:
    """Whether no line of ``source`` can be IPython-only: each needs a ``!``, ``%`` or ``?``,
    or starts with an auto-call's ``/``, ``,`` or ``;``. Most cells are plain Python, and
    this spares them the scan character by character."""
    return not (
        "!" in source
        or "%" in source
        or "?" in source
        or _LINE_LED_BY_AUTOCALL_CHAR.search(source)
    )


def _python_lines(lines: list[str], start: int, out: CellCode) -> None:
    scanner = _Scanner()
    magic_continues = False
    for i in range(start, len(lines)):
        line = lines[i]
        if magic_continues:  # a continuation line of a shell escape or magic
            magic_continues = line.rstrip().endswith("\\")
            continue
        if not scanner.at_statement:
            out.python[i] = line
            scanner.feed(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        replacement = _rewrite(stripped, lines, i, out)
        if replacement is None:
            out.python[i] = line
            scanner.feed(line)
            continue
        out.python[i] = indent + replacement
        magic_continues = line.rstrip().endswith("\\")


def _rewrite(stripped: str, lines: list[str], i: int, out: CellCode) -> str | None:
    """The harmless statement replacing an IPython-only line, or ``None`` for Python."""
    if stripped.startswith("!"):
        command, _ = _join_continued(lines, i)
        out.shell.append((i + 1, command.lstrip("!").strip()))
        return "pass"
    if stripped.startswith("%"):
        name = stripped.lstrip("%").partition(" ")[0]
        if name in SHELL_LINE_MAGICS:
            command, _ = _join_continued(lines, i)
            words = command.lstrip("%").split(None, 1)
            rest = words[1] if len(words) > 1 else ""
            out.shell.append((i + 1, rest if name in ("sx", "system") else f"{name} {rest}"))
        return "pass"
    assign = _ASSIGN.match(stripped)
    if assign:
        rhs = stripped[assign.end() - 1 :]
        if rhs.startswith("!"):
            command, _ = _join_continued([rhs, *lines[i + 1 :]], 0)
            out.shell.append((i + 1, command[1:].strip()))
        elif rhs.startswith("%"):
            name, _, _ = rhs[1:].partition(" ")
            if name in ("sx", "system"):
                command, _ = _join_continued([rhs, *lines[i + 1 :]], 0)
                out.shell.append((i + 1, command.split(None, 1)[1] if " " in command else ""))
        return f"{assign.group(1).strip()} = None"
    if _HELP.match(stripped.split("#", 1)[0].strip()):
        return "pass"
    if _AUTOCALL.match(stripped):
        return "pass"
    return None
