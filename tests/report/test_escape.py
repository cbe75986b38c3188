"""One escaping function per format, each pinned to its exact output, and every report format
fed the same hostile names (golden snippets: the escaped text each must show)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.report import RenderContext, get_renderer
from mlkaizen.report.badge import render_badge
from mlkaizen.report.escape import (
    csv_cell,
    html,
    md_code,
    md_prose,
    md_text,
    svg,
    terminal,
    uri_path,
    visible,
)

ANSI = "\x1b[2J\x1b]0;owned\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"
C1 = "\x9b31m"  # CSI as one C1 character
BIDI = "a\u202eb\u2066c\u200fd"


# --------------------------------------------------------------------------- visible
@pytest.mark.parametrize(("raw", "shown"), [
    (ANSI, "\\x1b[2J\\x1b]0;owned\\x07\\x1b]8;;http://evil.example\\x1b\\link\\x1b]8;;\\x1b\\"),
    (C1, "\\x9b31m"),
    (BIDI, "a\\u202eb\\u2066c\\u200fd"),
    ("line\nbreak\r\ttab\u2028sep\x00nul\x7fdel",
     "line\\nbreak\\r\\ttab\\u2028sep\\x00nul\\x7fdel"),
    ("\udcff-undecodable", "\\udcff-undecodable"),
])
def test_visible_shows_every_control_character(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize("plain", [
    "src/churn/train.py", "Operations & Infrastructure", "naïve 日本語 ✔ ◐ — …", "👩‍💻 ZWJ emoji",
    "[bold]not markup[/bold] :smile: $x$",
])
def test_visible_keeps_printable_text_as_is(plain: str) -> None:
    assert visible(plain) == plain


def test_terminal_text_is_never_markup() -> None:
    from rich.console import Console

    text = terminal("[bold red]x[/] :smile: [link=http://evil.example]y[/link]\x1b[31m")
    assert text.plain == "[bold red]x[/] :smile: [link=http://evil.example]y[/link]\\x1b[31m"
    buf = io.StringIO()
    Console(file=buf, force_terminal=True, color_system="truecolor", width=200).print(text)
    out = buf.getvalue()
    assert "[bold red]x[/] :smile: [link=http://evil.example]y[/link]\\x1b[31m" in out
    assert "\x1b]8;" not in out and "😄" not in out


# --------------------------------------------------------------------------- Markdown
@pytest.mark.parametrize(("raw", "escaped"), [
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("[click](http://evil.example)", "\\[click\\](http\\://evil.example)"),
    ("![p](https://evil.example/p.png)", "!\\[p\\](https\\://evil.example/p.png)"),
    ("see www.evil.example or WWW.evil.example", "see www\\.evil.example or WWW\\.evil.example"),
    ("mail me@evil.example", "mail me\\@\u2060evil.example"),
    ("ping @org/admins", "ping \\@\u2060org/admins"),
    ("**bold** _em_ ~~del~~ `code` $x^2$",
     "\\*\\*bold\\*\\* \\_em\\_ \\~\\~del\\~\\~ \\`code\\` \\$x^2\\$"),
    ("a | b", "a \\| b"),
    ("&lt; &#60;", "\\&lt; \\&#60;"),
    ("back\\slash", "back\\\\slash"),
    ("one\n# heading\n- item", "one\\\\n# heading\\\\n- item"),
    ("evil\x1b]0;t\x07", "evil\\\\x1b\\]0;t\\\\x07"),
])
def test_md_text(raw: str, escaped: str) -> None:
    assert md_text(raw) == escaped


@pytest.mark.parametrize("plain", [
    "Manual MLOps (stage 3 of 5).", "a:b, c; d-e + f = g # h", "python train.py --epochs 3",
    "ratio: 1/2", "http", "wwwx.example",
])
def test_md_text_leaves_harmless_punctuation(plain: str) -> None:
    assert md_text(plain) == plain


@pytest.mark.parametrize(("raw", "table", "code"), [
    ("src/train.py:3", False, "`src/train.py:3`"),
    ("a`b", False, "``a`b``"),
    ("``x", False, "``` ``x ```"),
    ("x`", False, "`` x` ``"),
    ("a|b", True, "`a\\|b`"),
    ("a|b", False, "`a|b`"),
    ("<img src=x>\x1b", False, "`<img src=x>\\x1b`"),
    ("", False, "` `"),
])
def test_md_code(raw: str, table: bool, code: str) -> None:
    assert md_code(raw, table=table) == code


def test_md_prose_keeps_backtick_spans_as_code_and_escapes_the_rest() -> None:
    assert md_prose("Run `dvc repro` on <b>merge</b> [x](y)") == (
        "Run `dvc repro` on \\<b\\>merge\\</b\\> \\[x\\](y)")
    assert md_prose("odd ` backtick") == "odd \\` backtick"


# --------------------------------------------------------------------------- HTML, SVG, CSV, URI
def test_html_and_svg() -> None:
    raw = "\"><svg onload=alert(1)> & 'x'\x1b"
    assert html(raw) == "&quot;&gt;&lt;svg onload=alert(1)&gt; &amp; &#39;x&#39;\\x1b"
    assert svg(raw) == html(raw)
    assert html("plain text") == "plain text"


@pytest.mark.parametrize(("raw", "cell"), [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\\t=1"), ("\r=1", "'\\r=1"),
    (" =1+1", "' =1+1"), ("\u00a0=1+1", "'\u00a0=1+1"), ("\u3000+1", "'\u3000+1"),
    ("\u2003 \u00a0-1", "'\u2003 \u00a0-1"), (" \t @SUM(A1)", "' \\t @SUM(A1)"),
    ("\n\r=1", "'\\n\\r=1"), ("\u200b=1", "'\u200b=1"),
    ("\uff1d1+1", "'\uff1d1+1"), ("\t", "'\\t"),
    ("Acme = Retail", "Acme = Retail"), ("a-b", "a-b"), (" a=1", " a=1"),
    ("\u00a0Acme", "\u00a0Acme"), ("x\u00a0=1", "x\u00a0=1"), (3, 3), (None, None),
])
def test_csv_cell(raw: object, cell: object) -> None:
    assert csv_cell(raw) == cell


@pytest.mark.parametrize(("path", "uri"), [
    ("src/churn/train.py", "src/churn/train.py"),
    ("javascript:alert(1)/x.py", "javascript%3Aalert%281%29/x.py"),
    ("a b#c?d%e/f.yaml", "a%20b%23c%3Fd%25e/f.yaml"),
    ("ü/\x1b.py", "%C3%BC/%1B.py"),
])
def test_uri_path(path: str, uri: str) -> None:
    assert uri_path(path) == uri


# --------------------------------------------------------------------------- the reports
HOSTILE_STAGE = "\"/><script>alert(1)</script><x onload=\"alert(2)\x1b[2J"


def _hostile_assessment(example_copy: Path) -> tuple[object, RenderContext]:
    a = assess(example_copy)
    a = a.model_copy(update={
        "stage": HOSTILE_STAGE,
        "potential_stage": "[bold]potential[/bold] ![p](http://evil.example/p.png)",
        "potential_stage_index": 5,
        "explanation": "<img src=x onerror=alert(1)>\x1b]52;c;aGk=\x07 [x](http://evil.example)",
    })
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=example_copy)
    return a, ctx


def test_badge_cannot_gain_attributes_or_elements(example_copy: Path) -> None:
    a, _ = _hostile_assessment(example_copy)
    badge = render_badge(a)  # type: ignore[arg-type]
    assert ("&quot;/&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;x onload=&quot;alert(2)"
            "\\x1b[2J") in badge
    tree = ET.fromstring(badge)  # well-formed XML: no control character, no broken attribute
    tags = {el.tag.rsplit("}", 1)[-1] for el in tree.iter()}
    assert tags == {"svg", "title", "linearGradient", "stop", "clipPath", "rect", "g", "text"}
    assert all("onload" not in el.attrib for el in tree.iter())


def test_markdown_terminal_and_html_reports_escape_catalogue_texts(example_copy: Path) -> None:
    a, ctx = _hostile_assessment(example_copy)
    md = get_renderer("markdown")(a, ctx)
    assert md.startswith(
        '## MLKaizen: "/\\>\\<script\\>alert(1)\\</script\\>\\<x onload="alert(2)\\\\x1b\\[2J\n')
    assert ("\\<img src=x onerror=alert(1)\\>\\\\x1b\\]52;c;aGk=\\\\x07 "
            "\\[x\\](http\\://evil.example)") in md
    assert ("potential **\\[bold\\]potential\\[/bold\\] "
            "!\\[p\\](http\\://evil.example/p.png)**") in md
    term = get_renderer("terminal")(a, ctx)
    assert "\x1b" not in term and "\x07" not in term
    assert "<img src=x onerror=alert(1)>\\x1b]52;c;aGk=\\x07 [x](http://evil.example)" in term
    assert "potential [bold]potential[/bold]" in term
    page = get_renderer("html")(a, ctx)
    assert "\x1b" not in page and "<script>alert" not in page and "<img src=x" not in page
    assert ("&lt;img src=x onerror=alert(1)&gt;\\x1b]52;c;aGk=\\x07 [x](http://evil.example)"
            in page)


# --------------------------------------------------------------------------- map
def _answers_subject(folder: Path, subject: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "ann.yaml").write_text(
        "respondent: ann\nanswered_at: '2026-11-20T10:00:00Z'\n"
        "catalogue: {id: ad-hoc-to-kaizen, version: 2026.11.0}\n"
        f"subject: {subject!r}\nanswers:\n  model.experiment-tracking: 'yes'\n",
        encoding="utf-8")
    return folder


def _map(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", "map", *args], capture_output=True,
                          text=True, check=False)


def test_map_escapes_subject_names_in_every_format(tmp_path: Path) -> None:
    formula = _answers_subject(tmp_path / "a", "=HYPERLINK(\"http://evil.example\",\"x\")")
    control = _answers_subject(tmp_path / "b", "evil\x1b[2J <img src=x> [b]x[/b] | y")
    plain = _answers_subject(tmp_path / "c", "Acme Retail")
    folders = [str(formula), str(control), str(plain)]

    rows = list(csv.DictReader(io.StringIO(_map(*folders, "-f", "csv").stdout)))
    assert [r["subject"] for r in rows] == [
        "'=HYPERLINK(\"http://evil.example\",\"x\")",
        "evil\\x1b[2J <img src=x> [b]x[/b] | y",
        "Acme Retail",
    ]

    md = _map(*folders, "-f", "markdown").stdout
    assert "| evil\\\\x1b\\[2J \\<img src=x\\> \\[b\\]x\\[/b\\] \\| y | Ad hoc |" in md
    assert "| Acme Retail | " in md

    term = _map(*folders).stdout
    assert "\x1b" not in term and "[b]x[/b]" in term

    out = tmp_path / "map.html"
    done = _map(*folders, "-f", "html", "-o", str(out))
    assert done.returncode == 0, done.stderr  # a control character no longer breaks the chart
    page = out.read_text(encoding="utf-8")
    assert "\x1b" not in page and "<img src=x>" not in page
    assert "<td>evil\\x1b[2J &lt;img src=x&gt; [b]x[/b] | y</td>" in page
    assert re.search(r"<svg.*evil\\x1b\[2J", page, re.DOTALL)


def test_sarif_help_markdown_is_escaped_prose(example_copy: Path) -> None:
    import json

    a = assess(example_copy)
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=example_copy)
    rules = json.loads(get_renderer("sarif")(a, ctx))["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["help"]["markdown"] == md_prose(r["help"]["text"]) for r in rules)


def test_explain_stage_shows_a_hostile_folder_name_visibly(tmp_path: Path) -> None:
    root = tmp_path / "repo\x1b]0;owned\x07"
    root.mkdir()
    (root / "train.py").write_text("import mlflow\n")
    done = subprocess.run([sys.executable, "-m", "mlkaizen", "explain", "--stage", "--path",
                           str(root)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert done.stdout.startswith("repo\\x1b]0;owned\\x07: ")


def test_html_report_of_a_repository_with_hostile_names(tmp_path: Path) -> None:
    """Names from the tree itself (the HTML report is slow to render, so it is checked here
    rather than in the hostile corpus)."""
    from tests.hostile.cases import _hostile_workflow, _named_script

    root = tmp_path / "repo"
    _named_script(root)
    _hostile_workflow(root)
    page = get_renderer("html")(assess(root), RenderContext(catalogue=load_catalogue(),
                                                            scan_root=root))
    assert "<img" not in page and "\x1b" not in page and "\x07" not in page
    assert "\u202e" not in page
    assert ("&lt;img src=x onerror=alert(1)&gt;`ain\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J"
            "\\u202e.py:3</a>") in page
    assert ("triggers ![p](http://evil.example/p.png) &lt;img src=x onerror=alert(1)&gt; "
            "www.evil.example $x$, push") in page


# --------------------------------------------------------------------------- attestations
ATTESTER = "\x1b]52;c;ZXZpbA==\x07Eve <script>alert(1)</script> [x](http://evil) @org/admins"


def test_attestation_authors_are_escaped_in_every_format(example_copy: Path) -> None:
    import json

    from mlkaizen.engine.model import Evidence, State

    practice = next(p.id for p in assess(example_copy).practices if p.state is State.UNMET)
    by = ATTESTER.replace("\x1b", "\\e").replace("\x07", "\\a")
    (example_copy / ".mlkaizen.yaml").write_text(
        f'attest:\n  {practice}:\n    answer: partly\n    by: "{by}"\n    date: 2026-01-01\n',
        encoding="utf-8")
    a = assess(example_copy)
    found = next(p for p in a.practices if p.id == practice)
    assert found.state is State.PARTIAL and ATTESTER in found.note
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=example_copy)
    shown = {fmt: get_renderer(fmt)(a, ctx) for fmt in ("terminal", "markdown", "html", "json")}
    # SARIF lists a practice at its evidence: give this one a place in the repository
    anchored = a.model_copy(update={"practices": [
        p.model_copy(update={"evidence": [Evidence(detector="d", file="train.py", line=3)]})
        if p.id == practice else p for p in a.practices]})
    shown["sarif"] = get_renderer("sarif")(anchored, ctx)
    for fmt, text in shown.items():
        assert "\x1b" not in text and "\x07" not in text, fmt
    assert f"attested 'partly' by {visible(ATTESTER)}" in " ".join(shown["terminal"].split())
    assert ("answered 'partly' by \\\\x1b\\]52;c;ZXZpbA==\\\\x07Eve \\<script\\>alert(1)"
            "\\</script\\> \\[x\\](http\\://evil) \\@\u2060org/admins") in shown["markdown"]
    assert ("attested &#39;partly&#39; by \\x1b]52;c;ZXZpbA==\\x07Eve &lt;script&gt;alert(1)"
            "&lt;/script&gt; [x](http://evil) @org/admins") in shown["html"]
    note = next(p["note"] for p in json.loads(shown["json"])["practices"] if p["id"] == practice)
    assert note.startswith(f"attested 'partly' by {ATTESTER}")  # JSON: exact
    results = json.loads(shown["sarif"])["runs"][0]["results"]
    message = next(r["message"]["text"] for r in results if r["ruleId"] == practice)
    assert f"attested 'partly' by {visible(ATTESTER)}" in message


# --------------------------------------------------------------------------- the level chart
def test_level_names_with_control_characters_reach_the_chart_escaped(
    example_copy: Path, tmp_path: Path
) -> None:
    """A catalogue's level names label the practice matrix: with the chart engine installed,
    an escape sequence in one once made it abort the whole process (exit 134, no report)."""
    import yaml

    src = Path(__file__).resolve().parents[2] / "src" / "mlkaizen" / "catalogue"
    data = yaml.safe_load((src / "ad-hoc-to-kaizen.yaml").read_text(encoding="utf-8"))
    for level in data["levels"]:
        level["name"] += " \x1b[31m<b>x</b>"
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "assess", str(example_copy), "--catalogue",
         str(catalogue), "-f", "html", "-o", str(out), "-q"],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    page = out.read_text(encoding="utf-8")
    assert "\x1b" not in page and "<b>x</b>" not in page
    chart = page[page.index('id="chart"'):]
    assert "\\x1b[31m" in chart[: chart.index("</svg>")]
