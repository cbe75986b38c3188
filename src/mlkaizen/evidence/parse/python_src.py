"""Python source -> imports, calls, decorators and class bases, via :mod:`ast`."""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.mappings import Mappings, constant_text

# Cheap pre-pass: the roots of modules a file imports, without building an AST. A line
# (as ``re.MULTILINE`` sees lines: after a newline) that starts an import statement.
_IMPORT_LINE = re.compile(
    r"[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import|import[ \t]+([A-Za-z_][\w., \t]*))"
)


def import_roots(source: str) -> frozenset[str]:
    """Top-level module names imported anywhere in ``source`` (a fast over-approximation).
    Only lines holding ``import`` are tried: the pattern at every line start cost most of
    the import index of a large tree."""
    roots: set[str] = set()
    for line in source.split("\n"):
        match = _IMPORT_LINE.match(line) if "import" in line else None
        if match is not None:
            roots.update(roots_of_import(match))
    return frozenset(roots)


def roots_of_import(match: re.Match[str]) -> list[str]:
    """The top-level names an import line's match names: ``from a.b import c`` -> ``a``,
    ``import a.b as x, c`` -> ``a``, ``c``."""
    if match.group(1):
        return [match.group(1).split(".")[0]]
    names = (part.strip().split(" ")[0] for part in match.group(2).split(","))
    return [name.split(".")[0] for name in names if name]


@dataclass(frozen=True, slots=True)
class Call:
    """A call (or decorator) with its callee as a dotted name, resolved through imports.

    ``import mlflow as mf; mf.log_metric(...)`` gives ``mlflow.log_metric``; a method on a
    local object keeps the name as written (``client.create_registered_model``).
    """

    name: str
    line: int
    keywords: frozenset[str] = frozenset()
    str_args: tuple[str, ...] = ()
    constants: tuple[tuple[str, str], ...] = ()  # keyword -> repr of a constant value

    def constant(self, keyword: str) -> str | None:
        """The constant passed as ``keyword`` (``repr``), or ``None`` if absent or computed."""
        return next((value for key, value in self.constants if key == keyword), None)


@dataclass(frozen=True, slots=True)
class Check:
    """An ``assert`` or ``if`` whose test compares something, and whether its ``if`` branch
    makes the program fail (``raise``, ``sys.exit``, ``return 1``/``False``)."""

    line: int
    test: str
    fails: bool


@dataclass
class PyFacts:
    """What detectors need from one Python module (or a notebook's code cells)."""

    imports: dict[str, int] = field(default_factory=dict)  # dotted name -> first line
    calls: list[Call] = field(default_factory=list)
    decorators: list[Call] = field(default_factory=list)
    bases: list[Call] = field(default_factory=list)
    functions: dict[str, int] = field(default_factory=dict)
    has_main_guard: bool = False
    checks: list[Check] = field(default_factory=list)
    # an ``assert`` looks at a value (a name, attribute, subscript or call), not only constants
    asserts_values: bool = False

    def import_line(self, roots: frozenset[str] | set[str]) -> tuple[str, int] | None:
        """The first import of a module under one of ``roots``, as (name, line)."""
        hits = [(line, name) for name, line in self.imports.items() if name.split(".")[0] in roots]
        if not hits:
            return None
        line, name = min(hits)
        return name, line

    def spans(self) -> list[tuple[str, int, int | None]]:
        """Each function as (name, its ``def`` line, the next ``def``'s line or ``None``), in
        line order: the lines its body may take (a nested ``def`` ends the span)."""
        ordered = sorted(self.functions.items(), key=lambda item: item[1])
        nexts = [line for _, line in ordered[1:]]
        return [
            (name, line, nexts[i] if i < len(nexts) else None)
            for i, (name, line) in enumerate(ordered)
        ]

    def enclosing(self, line: int) -> tuple[str, int, int | None] | None:
        """The span of :meth:`spans` that holds ``line`` (the last ``def`` at or before it),
        ``None`` at the top level before any ``def``."""
        inside = [span for span in self.spans() if span[1] <= line]
        return inside[-1] if inside else None

    def find_calls(self, names: tuple[str, ...], *, include_decorators: bool = True) -> list[Call]:
        """Calls whose dotted name equals, starts with (``x.``) or ends with (``.x``) a pattern.

        A pattern ending in ``.`` or ``*`` matches a prefix (``mlflow.``, ``mlflow.log_*``); one
        starting with ``.`` matches a method name on any object (``.register_model``), and
        ``.expect_*`` any method whose name starts with ``expect_``.
        """
        pool = self.calls + self.decorators if include_decorators else self.calls
        match = name_matcher(names if isinstance(names, tuple) else tuple(names))
        return [c for c in pool if match(c.name)]


def compact(facts: PyFacts) -> PyFacts:
    """``facts`` with equal names, keyword sets and argument tuples made one object each (as
    the parser makes them): what a cache or a worker process hands back is kept as small."""
    shared: dict[Any, Any] = {}
    one = shared.setdefault

    def call(c: Call) -> Call:
        return Call(one(c.name, c.name), c.line, one(c.keywords, c.keywords),
                    one(c.str_args, c.str_args), one(c.constants, c.constants))

    facts.calls = [call(c) for c in facts.calls]
    facts.decorators = [call(c) for c in facts.decorators]
    facts.bases = [call(c) for c in facts.bases]
    return facts


@lru_cache(maxsize=1024)
def module_matcher(modules: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a dotted module name is one of ``modules`` or inside one of them."""
    exact = frozenset(modules)
    inside = tuple(m + "." for m in modules)
    return lambda name: name in exact or name.startswith(inside)


@lru_cache(maxsize=2048)
def name_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """One test for a dotted name against all of ``patterns`` (see :meth:`PyFacts.find_calls`),
    built once per tuple: a set lookup and three ``str`` prefix/suffix tests, where matching
    pattern by pattern cost a third of a large repository's detector time."""
    exact: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    method_prefixes: list[str] = []
    for pattern in patterns:
        if pattern.startswith(".") and pattern.endswith("*"):
            method_prefixes.append(pattern[1:-1])
        elif pattern.startswith("."):
            suffixes.append(pattern)
            exact.add(pattern[1:])
        elif pattern.endswith("*"):
            prefixes.append(pattern[:-1])
        elif pattern.endswith("."):
            prefixes.append(pattern)
        else:
            exact.add(pattern)
    pre, suf, meth = tuple(prefixes), tuple(suffixes), tuple(method_prefixes)

    def match(name: str) -> bool:
        return (
            name in exact
            or name.startswith(pre)
            or name.endswith(suf)
            or (bool(meth) and name.rsplit(".", 1)[-1].startswith(meth))
        )

    return match


# nodes with nothing under them a visitor method looks at: names, constants, contexts and
# operators (a third of a module's nodes), never descended into
_LEAVES = (ast.Constant, ast.Name, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop,
           ast.boolop)
_METHODS: dict[type[ast.AST], Callable[[_Visitor, Any], None]] = {}


class _Visitor(ast.NodeVisitor):
    """What :class:`ast.NodeVisitor` does, in the same order, with the method for a node's
    class looked up once a process and leaves skipped: about 40 % less time per module."""

    def __init__(self) -> None:
        self.facts = PyFacts()
        self.aliases: dict[str, str] = {}
        self.offset = 0  # added to every line recorded (a notebook cell's place in the code)
        # one object for each distinct name, keyword set and argument tuple of a module: a
        # module repeating one call keeps its facts small (kept for the whole scan)
        self.shared: dict[Any, Any] = {}
        # names bound to literal mappings of keywords, spread into calls (boto3's style)
        self.mappings = Mappings()

    def visit(self, node: ast.AST) -> None:
        kind = node.__class__
        method = _METHODS.get(kind)
        if method is None:
            method = _METHODS[kind] = getattr(_Visitor, "visit_" + kind.__name__,
                                              _Visitor.generic_visit)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, _LEAVES):
                        self.visit(item)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                self.visit(value)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.facts.imports.setdefault(alias.name, node.lineno + self.offset)
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else local
            self.mappings.forget([local])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            # a relative import is kept as written, with its dots (``..jobs.retrain_job``,
            # ``.steps``): which file it names depends on where the module lies, which
            # :func:`~mlkaizen.evidence.detectors.pipeline_schedules.local_module` knows.
            # Calls through its names keep the names as written.
            dots = "." * node.level
            for alias in node.names:
                name = f"{dots}{node.module}.{alias.name}" if node.module else dots + alias.name
                self.facts.imports.setdefault(name, node.lineno + self.offset)
                self.mappings.forget([alias.asname or alias.name])
            return
        if not node.module:
            return
        self.facts.imports.setdefault(node.module, node.lineno + self.offset)
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.facts.imports.setdefault(full, node.lineno + self.offset)
            self.aliases[alias.asname or alias.name] = full
            self.mappings.forget([alias.asname or alias.name])

    def _dotted(self, expr: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if isinstance(expr, ast.Call):  # Foo().bar() -> Foo().bar
            inner = self._dotted(expr.func)
            if inner is None:
                return None
            parts.append(inner + "()")
        elif isinstance(expr, ast.Subscript):  # df["age"].isna() -> df[].isna
            inner = self._dotted(expr.value)
            if inner is None:
                return None
            parts.append(inner + "[]")
        elif isinstance(expr, ast.Name):
            parts.append(self.aliases.get(expr.id, expr.id))
        else:
            return None
        return ".".join(reversed(parts))

    def _call(self, node: ast.expr) -> Call | None:
        func = node.func if isinstance(node, ast.Call) else node
        name = self._dotted(func)
        if name is None:
            return None
        keywords: frozenset[str] = frozenset()
        str_args: tuple[str, ...] = ()
        constants: tuple[tuple[str, str], ...] = ()
        if isinstance(node, ast.Call):
            constants = tuple(
                (k.arg, constant_text(k.value))
                for k in node.keywords
                if k.arg and isinstance(k.value, ast.Constant)
            )
            keywords = frozenset(k.arg for k in node.keywords if k.arg)
            for spread_keys, spread_constants in self.mappings.spread(node):
                keywords |= spread_keys
                constants += spread_constants
            str_args = tuple(
                a.value
                for a in [*node.args, *(k.value for k in node.keywords)]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
        share = self.shared.setdefault
        return Call(
            share(name, name),
            node.lineno + self.offset,
            share(keywords, keywords),
            share(str_args, str_args),
            share(constants, constants),
        )

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        self.mappings.assign(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        self.mappings.assign([node.target], node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        self.mappings.assign([node.target], None)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.generic_visit(node)
        self.mappings.forget([node.target.id])

    def visit_Delete(self, node: ast.Delete) -> None:
        self.generic_visit(node)
        self.mappings.delete(node.targets)

    def _visit_loop(self, node: ast.For | ast.AsyncFor) -> None:
        self.mappings.assign([node.target], None)
        self.generic_visit(node)

    visit_For = _visit_loop  # noqa: N815
    visit_AsyncFor = _visit_loop  # noqa: N815

    def _visit_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self.mappings.assign([item.optional_vars], None)
        self.generic_visit(node)

    visit_With = _visit_with  # noqa: N815
    visit_AsyncWith = _visit_with  # noqa: N815

    def _visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        saved = self.mappings.enter()  # its targets may shadow a mapping's name
        self.generic_visit(node)
        self.mappings.leave(saved)

    visit_ListComp = _visit_comprehension  # noqa: N815
    visit_SetComp = _visit_comprehension  # noqa: N815
    visit_GeneratorExp = _visit_comprehension  # noqa: N815
    visit_DictComp = _visit_comprehension  # noqa: N815

    def visit_Call(self, node: ast.Call) -> None:
        self.mappings.called(node.func)
        call = self._call(node)
        if call is not None:
            self.facts.calls.append(call)
        self.generic_visit(node)

    def _visit_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.facts.functions.setdefault(node.name, node.lineno + self.offset)
        for dec in node.decorator_list:
            call = self._call(dec)
            if call is not None:
                self.facts.decorators.append(call)
            if isinstance(dec, ast.Call):  # calls in its arguments: @pipeline(model=Model(...))
                for arg in [*dec.args, *(k.value for k in dec.keywords)]:
                    self.visit(arg)
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = self._dotted(base)
                if name is not None:
                    self.facts.bases.append(Call(name, node.lineno + self.offset))
        saved = self.mappings.enter()  # a body of its own: names bound there stay there
        for child in ast.iter_child_nodes(node):
            if child not in node.decorator_list:
                self.visit(child)
        self.mappings.leave(saved)

    visit_FunctionDef = _visit_def  # noqa: N815 - ast.NodeVisitor's naming
    visit_AsyncFunctionDef = _visit_def  # noqa: N815
    visit_ClassDef = _visit_def  # noqa: N815

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ):
            self.facts.has_main_guard = True
        elif any(isinstance(n, ast.Compare) for n in ast.walk(test)):
            self._check(node.lineno + self.offset, test, any(_fails(stmt) for stmt in node.body))
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if isinstance(node.test, ast.Compare):
            self._check(node.lineno + self.offset, node.test, True)
        if not self.facts.asserts_values and any(
            isinstance(n, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))
            for n in ast.walk(node.test)
        ):
            self.facts.asserts_values = True
        self.generic_visit(node)

    def _check(self, line: int, test: ast.expr, fails: bool) -> None:
        try:
            text = ast.unparse(test)[:300]
        except (RecursionError, ValueError):
            return
        self.facts.checks.append(Check(line, text, fails))


def _fails(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Raise):
        return True
    if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant):
        value = stmt.value.value  # ``return 0`` (success) is not failure, although 0 == False
        return value is False or (type(value) is int and value != 0)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in ("exit", "_exit", "fail")
    return False


_MAGIC_LINE = re.compile(r"(?m)^[ \t]*(?:%{1,2}[A-Za-z]|![A-Za-z./])")


def parse_python(source: str) -> PyFacts:
    """Parse Python source. Raises :class:`ParseError` on syntax errors and runaway nesting.

    A ``.py`` file that is a notebook in disguise (a Databricks notebook source, a Jupytext
    script, an IPython script) and fails only on its magics (``%pip``, ``!ls``) is parsed
    again with those lines made harmless, line numbers kept."""
    try:
        return facts_of(python_ast(source))
    except ParseError:
        if not _MAGIC_LINE.search(source):
            raise
    from mlkaizen.evidence.parse.ipython import transform_cell

    return facts_of(python_ast("\n".join(transform_cell(source).python)))


# the longest source given to ast.parse: its syntax tree takes up to about 300 bytes a
# character of dense code while it exists (a 2 MB module of calls: over 600 MB)
MAX_PARSED_SOURCE = 256 * 1024


def python_ast(source: str) -> ast.Module:
    """The syntax tree of ``source``; :class:`ParseError` (with its line) if it has none, or
    if it is longer than :data:`MAX_PARSED_SOURCE` characters."""
    if len(source) > MAX_PARSED_SOURCE:
        raise ParseError(
            f"limit max_parsed_source={MAX_PARSED_SOURCE:,} characters: Python code of "
            f"{len(source):,} characters not parsed"
        )
    try:
        with warnings.catch_warnings():  # invalid escapes etc. are the scanned code's business
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except SyntaxError as exc:
        raise ParseError(f"Python syntax error: {exc.msg}", exc.lineno) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ParseError(f"Python file could not be parsed ({type(exc).__name__})") from None


def facts_of(tree: ast.Module, offsets: list[int] | None = None) -> PyFacts:
    """The facts of a parsed module (imports resolve calls in the order they appear).
    ``offsets``, one per top-level statement, are added to the lines recorded under it (the
    cells of a notebook, each parsed alone, read as one module without renumbering them)."""
    visitor = _Visitor()
    try:
        if offsets is None:
            visitor.visit(tree)
        else:
            for stmt, offset in zip(tree.body, offsets, strict=True):
                visitor.offset = offset
                visitor.visit(stmt)
    except RecursionError:
        raise ParseError("Python file nests too deeply to analyse") from None
    return visitor.facts
