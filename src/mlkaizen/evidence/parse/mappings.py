"""Literal mappings bound to names, for the keywords a call passes by spreading one.

boto3's usual style builds a request first and spreads it into the call::

    request = {"ModelPackageGroupName": group, "ModelApprovalStatus": "Approved"}
    sm.create_model_package(**request)

The call passes ``ModelPackageGroupName`` as surely as if it were written there. What the
parser's visitor (:mod:`mlkaizen.evidence.parse.python_src`) tells this table, statement by
statement in source order, decides what a ``**name`` in a call stands for:

- a name bound by a plain assignment (``=`` or annotated) to a dict display whose keys are all
  literal strings that are identifiers, or to ``dict(k=...)`` with keywords only, stands for
  those keys (the last value of a repeated key, as Python keeps it), at most
  :data:`MAX_KEYS` of them (a bigger mapping is data, not a request);
- a key set by subscript (``request["Tags"] = tags``) is added;
- any other binding of the name (a tuple target, ``for``, ``with ... as``, ``:=``, ``+=``,
  an import), a ``del`` of it or of one of its keys, or a call of a method that may remove
  keys (``pop``, ``popitem``, ``clear``, ``update``, ``setdefault``) forgets it: it then
  stands for nothing, and the call passes no keyword through it;
- each function and class body starts a scope of its own (a name bound in one function says
  nothing of a parameter or a name of the same spelling elsewhere), and the enclosing scope
  is as it was after the body.

Each binding keeps its keyword set and the constants among its values once, so a module that
spreads one mapping into many calls costs each call a lookup, not a copy.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

MAX_KEYS = 64
_REMOVES = frozenset({"pop", "popitem", "clear", "update", "setdefault"})

Bound = tuple[frozenset[str], tuple[tuple[str, str], ...]]


def constant_text(value: ast.Constant) -> str:
    """A constant as calls keep it: its ``repr``, cut at 200 characters."""
    return repr(value.value)[:200]


def _names(target: ast.expr) -> Iterable[str]:
    """The names a target binds (``a``, ``a, (b, *c)``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _names(item)
    elif isinstance(target, ast.Starred):
        yield from _names(target.value)


def _literal(value: ast.expr) -> dict[str, ast.expr] | None:
    """The keys and values of a literal request mapping, or ``None``."""
    pairs: dict[str, ast.expr] = {}
    if isinstance(value, ast.Dict):
        if len(value.keys) > MAX_KEYS:
            return None
        for key, item in zip(value.keys, value.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                    and key.value.isidentifier()):
                return None  # a ``**other`` inside, or a key that is no keyword
            pairs[key.value] = item
        return pairs
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "dict" and not value.args
            and len(value.keywords) <= MAX_KEYS):
        for k in value.keywords:
            if k.arg is None:
                return None  # dict(**other, ...): keys not known here
            pairs[k.arg] = k.value
        return pairs
    return None


def _bound(pairs: dict[str, ast.expr]) -> Bound:
    consts = tuple(
        (key, constant_text(item)) for key, item in pairs.items() if isinstance(item, ast.Constant)
    )
    return frozenset(pairs), consts


class Mappings:
    """The literal mappings bound in the scope being read (see the module's docstring)."""

    def __init__(self) -> None:
        self._scope: dict[str, Bound] = {}
        self._keys: dict[str, dict[str, ast.expr]] = {}

    def enter(self) -> tuple[dict[str, Bound], dict[str, dict[str, ast.expr]]]:
        """Start a function's or a class's scope; give what :meth:`leave` restores."""
        saved = self._scope, self._keys
        self._scope, self._keys = {}, {}
        return saved

    def leave(self, saved: tuple[dict[str, Bound], dict[str, dict[str, ast.expr]]]) -> None:
        self._scope, self._keys = saved

    def forget(self, names: Iterable[str]) -> None:
        for name in names:
            self._scope.pop(name, None)
            self._keys.pop(name, None)

    def assign(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        """An assignment statement (``a = b = value``; annotated: one target)."""
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self._set_key(target.value.id, target.slice, value)
            else:
                self.forget(_names(target))
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and value is not None:
            pairs = _literal(value)
            if pairs is not None:
                self._keys[targets[0].id] = pairs
                self._scope[targets[0].id] = _bound(pairs)

    def _set_key(self, name: str, key: ast.expr, value: ast.expr | None) -> None:
        pairs = self._keys.get(name)
        if pairs is None:
            return
        if (value is None or not isinstance(key, ast.Constant) or not isinstance(key.value, str)
                or not key.value.isidentifier() or len(pairs) >= MAX_KEYS):
            self.forget([name])
            return
        pairs = {**pairs, key.value: value}
        self._keys[name] = pairs
        self._scope[name] = _bound(pairs)

    def delete(self, targets: list[ast.expr]) -> None:
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self.forget([target.value.id])
            else:
                self.forget(_names(target))

    def called(self, func: ast.expr) -> None:
        """A call: a method that may remove keys forgets its mapping."""
        if (isinstance(func, ast.Attribute) and func.attr in _REMOVES
                and isinstance(func.value, ast.Name) and func.value.id in self._scope):
            self.forget([func.value.id])

    def spread(self, call: ast.Call) -> list[Bound]:
        """What each distinct ``**name`` of ``call`` stands for, in name order."""
        names = sorted({
            k.value.id for k in call.keywords if k.arg is None and isinstance(k.value, ast.Name)
        })
        return [self._scope[n] for n in names if n in self._scope]
