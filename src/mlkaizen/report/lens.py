"""A framework lens (:mod:`mlkaizen.engine.lenses`) in the report formats that can show it:
terminal, JSON, Markdown and HTML. SARIF carries file-anchored results only, so a lens (a
framework-level reading with no file or line) is refused in it."""

from __future__ import annotations

from markupsafe import escape

from mlkaizen.engine.lenses import Lens
from mlkaizen.engine.lenses import render_lens as render_text
from mlkaizen.errors import MLKaizenError

LENS_FORMATS = ("terminal", "json", "markdown", "html")


def render(lens: Lens, fmt: str) -> str:
    if fmt not in LENS_FORMATS:
        raise MLKaizenError(
            f"--lens cannot be rendered as {fmt}: a lens has no file-anchored results; "
            f"use -f {', '.join(LENS_FORMATS)}"
        )
    if fmt != "html":
        return render_text(lens, fmt)
    rows = "".join(
        f"<tr><td>{escape(i.key)}</td><td>{escape(_value(i.value))}</td>"
        f"<td>{escape(i.note or '')}</td></tr>\n"
        for i in lens.items
    )
    undetermined = ", ".join(lens.undetermined) or "nothing"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MLKaizen: {escape(lens.framework)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; }}
table {{ border-collapse: collapse; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .3rem .8rem; text-align: left; }}
</style>
</head>
<body>
<h1>{escape(lens.framework)}: {escape(lens.result)}</h1>
<p>Rule: {escape(lens.rule)}.</p>
<table>
<tr><th>item</th><th>value</th><th>note</th></tr>
{rows}</table>
<p>Could not determine: {escape(undetermined)}</p>
</body>
</html>
"""


def _value(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
