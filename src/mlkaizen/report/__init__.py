"""Renderers: one per output format, all with one signature, all reading one Assessment."""

from __future__ import annotations

from collections.abc import Callable

from mlkaizen.report.context import RenderContext

Renderer = Callable[[object, RenderContext], str]  # render(assessment, ctx) -> text


def get_renderer(fmt: str) -> Renderer:
    """The ``render(assessment, ctx) -> str`` function of a format (imported lazily)."""
    from importlib import import_module

    module = {
        "terminal": "terminal",
        "json": "json_report",
        "markdown": "markdown",
        "html": "html",
        "sarif": "sarif",
    }[fmt]
    render: Renderer = import_module(f"mlkaizen.report.{module}").render
    return render


FORMATS = ("terminal", "json", "markdown", "html", "sarif")

__all__ = ["FORMATS", "RenderContext", "Renderer", "get_renderer"]
