"""HTML: one self-contained file (inline CSS and SVG chart, no network), with links from
every finding to its file and line."""

from __future__ import annotations

import re
from importlib import resources

from markupsafe import Markup, escape

from mlkaizen.engine.explain import rule_text
from mlkaizen.engine.model import Assessment, State
from mlkaizen.report.context import STATE_MARK, RenderContext, location
from mlkaizen.report.escape import visible


def render(a: Assessment, ctx: RenderContext) -> str:
    from jinja2 import Environment, StrictUndefined, select_autoescape

    from mlkaizen.report.chart import levels_svg

    nxt = next((s for s in ctx.catalogue.stages if s.name == a.next_stage), None)
    gate = dict(nxt.requires) if nxt else {}
    env = Environment(
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    env.filters["code"] = _inline_code
    template = env.from_string(
        (resources.files("mlkaizen.report") / "templates" / "report.html.j2").read_text("utf-8")
    )
    remediation = {p.id: p.remediation for p in ctx.catalogue.practices}
    return template.render(
        a=a,
        chart=levels_svg(a, gate, [lv.name for lv in ctx.catalogue.levels if lv.value > 0]),
        mark=STATE_MARK,
        State=State,
        link=ctx.link,
        location=location,
        remediation=remediation,
        gate=gate,
        rule_text=lambda rule: rule_text(rule, a),
        css=Markup(report_css()),
    )


def report_css() -> str:
    """The style sheet of the HTML pages (the assessment report, the history page, the
    map), inlined in each so that a page is one self-contained file."""
    return (resources.files("mlkaizen.report") / "templates" / "report.css").read_text("utf-8")


_BACKTICKS = re.compile(r"`([^`]+)`")


def _visible(value: object) -> object:
    """Every ``{{ value }}`` of the template: text with its control characters made visible
    (then autoescaped); markup the renderer built itself (the chart) passes as is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _inline_code(text: str) -> Markup:
    """Escape ``text`` and render its `backtick` spans as ``<code>``."""
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", str(escape(visible(text)))))
