"""A static SVG badge of the stage, coloured by stage (shields.io-like layout, no network)."""

from __future__ import annotations

from mlkaizen.engine.model import Assessment
from mlkaizen.report.escape import svg, visible

COLORS = {1: "#e05d44", 2: "#fe7d37", 3: "#dfb317", 4: "#97ca00", 5: "#4c1"}
LABEL = "MLOps stage"


def _width(text: str) -> int:
    """Approximate rendered width at 11px Verdana: about 6.5 px a character, plus padding."""
    return int(len(text) * 6.5) + 10


def render_badge(a: Assessment) -> str:
    value = visible(
        a.stage
        if a.potential_stage_index == a.stage_index
        else (f"{a.stage} (≤ {a.potential_stage})")
    )
    left, right = _width(LABEL), _width(value)
    total = left + right
    color = COLORS.get(a.stage_index, "#9f9f9f")
    label, text = svg(LABEL), svg(value)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" \
aria-label="{label}: {text}">
<title>{label}: {text}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\
<stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>\
<rect x="{left}" width="{right}" height="20" fill="{color}"/>\
<rect width="{total}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" \
font-size="11">
<text x="{left / 2:.1f}" y="14">{label}</text>
<text x="{left + right / 2:.1f}" y="14">{text}</text>
</g>
</svg>
"""
