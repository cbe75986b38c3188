"""Terminal, Markdown, HTML and JSON list the same roadmap: the same steps, in the same order,
with the same count, none left out (the engine builds it, the renderers only print it)."""

from __future__ import annotations

import json
import re

from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.engine.model import Assessment
from mlkaizen.report import RenderContext, get_renderer
from tests.engine.helpers import run
from tests.engine.test_roadmap_next_stage import DVC_PROJECT

Step = tuple[int, str, str]  # number, practice, what is shown of it


def _assessment() -> Assessment:
    # more steps than any renderer used to print (12 in the terminal, 15 in Markdown)
    a = run([f for f in DVC_PROJECT if f.detector != "baseline_comparison_present"])
    assert len(a.roadmap) == 16
    return a


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def _terminal(a: Assessment) -> tuple[str, list[Step]]:
    ctx = RenderContext(catalogue=load_catalogue(), width=200)
    text = get_renderer("terminal")(a, ctx)
    head = re.search(r"^Roadmap \((\d+ steps?)\):$", text, re.M)
    assert head is not None
    body = _section(text, head.group(0), "\n\n")
    found = re.findall(r"^\s*(\d+)\. \[([SML?])\] ([a-z.-]+): ", body, re.M)
    return head.group(1), [(int(n), pid, "verify" if e == "?" else "do") for n, e, pid in found]


def _markdown(a: Assessment) -> tuple[str, list[Step]]:
    text = get_renderer("markdown")(a, RenderContext(catalogue=load_catalogue()))
    head = re.search(r"^### Roadmap \((\d+ steps?)\)$", text, re.M)
    assert head is not None
    body = _section(text, head.group(0), "\n\n<")
    found = re.findall(r"^(\d+)\. \*\*(verify: )?.*?\*\* \(`([a-z.-]+)`", body, re.M)
    assert "more steps" not in body
    return head.group(1), [(int(n), pid, "verify" if v else "do") for n, v, pid in found]


def _html(a: Assessment) -> list[Step]:
    text = get_renderer("html")(a, RenderContext(catalogue=load_catalogue()))
    body = _section(text, "<h2>Roadmap</h2>", "</table>")
    found = re.findall(
        r'<tr><td>(\d+)</td><td><a href="#([a-z.-]+)"><code>[^<]*</code></a><br>(verify: )?',
        body,
    )
    return [(int(n), pid, "verify" if v else "do") for n, pid, v in found]


def test_every_format_lists_the_same_steps_in_the_same_order() -> None:
    a = _assessment()
    data = json.loads(get_renderer("json")(a, RenderContext(catalogue=load_catalogue())))
    expected = [(r["step"], r["practice"], r["action"]) for r in data["roadmap"]]
    assert expected == [(r.step, r.practice, r.action) for r in a.roadmap]
    assert expected[0] == (1, "operations.monitoring", "verify")
    terminal_count, terminal_steps = _terminal(a)
    markdown_count, markdown_steps = _markdown(a)
    assert terminal_count == markdown_count == "16 steps"
    assert terminal_steps == expected
    assert markdown_steps == expected
    assert _html(a) == expected


def test_a_step_to_verify_reads_as_a_question_in_every_format() -> None:
    a = _assessment()
    ctx = RenderContext(catalogue=load_catalogue(), width=200)
    question = a.roadmap[0].question
    assert question
    line = f"verify: {question} (answer with `mlkaizen survey`)"
    assert f"1. [?] operations.monitoring: {line} (for Manual MLOps)" in get_renderer(
        "terminal")(a, ctx)
    # Markdown and HTML print the remediation next to the step: it says how to answer
    assert (
        f"1. **verify: {question}** (`operations.monitoring`, to verify, for Manual MLOps) — "
        "Answer with `mlkaizen survey` (or attest it in the config); if it is not in place: "
    ) in get_renderer("markdown")(a, ctx)
    html = get_renderer("html")(a, ctx)
    assert "<br>verify: Are the serving system&#39;s health" in html
    assert "<td>Answer with <code>mlkaizen survey</code> (or attest it in the config)" in html


def _steps(text: str, start: str, end: str) -> list[str]:
    return re.split(r"\n(?=\s*\d+\. )|<tr>", _section(text, start, end))


def test_a_step_to_verify_says_how_to_answer_it_once_in_every_format() -> None:
    a = _assessment()
    ctx = RenderContext(catalogue=load_catalogue(), width=200)
    markdown = get_renderer("markdown")(a, ctx)
    html = get_renderer("html")(a, ctx)
    terminal = get_renderer("terminal")(a, ctx)
    for steps in (
        _steps(markdown, "### Roadmap", "\n\n<"),
        _steps(html, "<h2>Roadmap</h2>", "</table>"),
        _steps(terminal, "Roadmap (", "\n\n"),
    ):
        asked = [s for s in steps if "verify: " in s]
        assert asked
        for step in asked:
            flat = re.sub(r"\s+", " ", step.replace("<code>", "`").replace("</code>", "`"))
            assert flat.lower().count("answer with `mlkaizen survey`") == 1, step
