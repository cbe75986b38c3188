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
# what each CI system expands in a pipeline file before any shell sees it, whatever the
# shell quoting: template expressions ``${{ }}`` (GitHub Actions, Azure Pipelines), Azure
# macros ``$(var)`` and runtime expressions ``$[ ]``, GitLab CI inputs ``$[[ ]]``
CI_EXPANDS = {
    "github-actions": ("GitHub Actions", ("${{",)),
    "azure-pipelines": ("Azure Pipelines", ("${{", "$(", "$[")),
    "gitlab-ci": ("GitLab CI", ("$[[",)),
}
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


def no_ci_expansion(name: str, what: str, ci: str = "github-actions") -> str:
    """``name`` if the CI system ``ci`` expands no part of it in a pipeline file (see
    ``CI_EXPANDS``): the CI substitutes such syntax before the shell runs, so no shell
    quoting protects it, and the name is refused."""
    label, tokens = CI_EXPANDS.get(ci, CI_EXPANDS["github-actions"])
    for token in tokens:
        if token in name:
            raise refuse(
                what, name, f"contains the CI expression `{token}`, which {label} expands "
                "before the shell runs"
            )
    return name


def sh(name: str, what: str, ci: str = "github-actions") -> str:
    """One shell word (POSIX quoting), also safe in a ``run:``/``script:`` line of the CI
    system ``ci``: a name it would expand (:func:`no_ci_expansion`) is refused."""
    return shlex.quote(checked(no_ci_expansion(name, what, ci), what))


def ci_str(name: str, what: str, ci: str) -> str:
    """A JSON (YAML flow) string in a pipeline file of the CI system ``ci``: :func:`json_str`
    with what that CI expands refused (:func:`no_ci_expansion`)."""
    return json_str(no_ci_expansion(name, what, ci), what)


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
