"""Names from the repository (files, folders, columns, packages, the project) as each
generated language needs them: shell, Python, JSON/YAML, Dockerfile, Markdown. A name that
cannot be represented safely makes the fix refuse, with the reason."""

from __future__ import annotations

import json
import keyword
import re
import shlex
import unicodedata

from mlkaizen.errors import MLKaizenError

_PLAIN_PATH = re.compile(r"[A-Za-z0-9_./@+-]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def refuse(what: str, name: str, why: str) -> MLKaizenError:
    shown = name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    return MLKaizenError(
        f"cannot write this fix safely: {what} {shown!r} {why}; rename it or write the file by hand"
    )


def checked(name: str, what: str) -> str:
    """``name`` if it holds no control, format or undecodable character (line breaks would
    start a new instruction in every generated format)."""
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise refuse(what, name, "contains a control character")
    return name


def sh(name: str, what: str) -> str:
    """One shell word (POSIX quoting), also safe in a CI ``run:`` line: a GitHub Actions
    expression (``${{``) is refused, as the runner would expand it before the shell runs."""
    if "${{" in name:
        raise refuse(what, name, "contains a CI expression `${{`")
    return shlex.quote(checked(name, what))


def py(name: str, what: str) -> str:
    """A Python string literal."""
    return json.dumps(checked(name, what), ensure_ascii=False)


def py_doc(name: str, what: str) -> str:
    """Text safe inside a triple-quoted Python docstring."""
    return checked(name, what).replace("\\", "\\\\").replace('"', '\\"')


def json_str(name: str, what: str) -> str:
    """A JSON (and so YAML flow) string."""
    return json.dumps(checked(name, what), ensure_ascii=False)


def identifier(name: str, what: str) -> str:
    """A dotted Python name (``pkg.module``): every part an identifier, none a keyword."""
    parts = checked(name, what).split(".")
    if not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        raise refuse(what, name, "is not a Python module name")
    return name


def plain_path(name: str, what: str) -> str:
    """A path of letters, digits and ``_ . / @ + -`` only (Dockerfile instructions expand
    ``$`` and split on spaces, and no quoting covers every instruction)."""
    if not _PLAIN_PATH.fullmatch(name):
        raise refuse(what, name, "has characters a Dockerfile cannot hold safely")
    return name


def md_code(text: str, what: str) -> str:
    """An inline Markdown code span that no backtick in ``text`` can close early."""
    checked(text, what)
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_text(text: str, what: str) -> str:
    """Plain Markdown text: every character that could start markup inline (emphasis, code,
    links, HTML, tables) is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", checked(text, what))
