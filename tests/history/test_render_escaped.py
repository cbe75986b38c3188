"""Commit authors and subjects, and the repository's folder name, reach every history format
through that format's escaping: no control character reaches a terminal, no link, image,
HTML or mention survives in Markdown, HTML shows them as text."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.history import replay
from mlkaizen.history.render import render
from tests.history.gitrepo import BASE_ENV, TRACKING, git, init

AUTHOR = "\x1b]52;c;ZXZpbA==\x07Eve"
SUBJECT = (
    "[click](http://evil) <script>alert(1)</script> @org/admins "
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[2J"
)
FOLDER = "repo\x1b]0;title\x07<b>[x](y)"
TRACK = "model.experiment-tracking"

# the subject and author as each format must show them
TERMINAL_SUBJECT = (
    "[click](http://evil) <script>alert(1)</script> @org/admins "
    "\\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\ \\x1b[2J"
)
TERMINAL_AUTHOR = "\\x1b]52;c;ZXZpbA==\\x07Eve"
MD_SUBJECT = (
    "\\[click\\](http\\://evil) \\<script\\>alert(1)\\</script\\> \\@\u2060org/admins "
    "\\\\x1b\\]8;;http\\://x\\\\x1b\\\\link\\\\x1b\\]8;;\\\\x1b\\\\ \\\\x1b\\[2J"
)
MD_AUTHOR = "\\\\x1b\\]52;c;ZXZpbA==\\\\x07Eve"
HTML_SUBJECT = (
    "[click](http://evil) &lt;script&gt;alert(1)&lt;/script&gt; @org/admins "
    "\\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\ \\x1b[2J"
)


def hostile_commit(root: Path, files: dict[str, str], when: str) -> str:
    """A commit written as raw object (as an attacker would: ``git commit`` strips the
    leading control character of a name), by ``AUTHOR <e@x>`` with subject ``SUBJECT``."""
    for rel, content in files.items():
        (root / rel).write_text(content, encoding="utf-8")
    git(root, "add", "-A")
    tree = git(root, "write-tree")
    parent = subprocess.run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"],
                            capture_output=True, text=True, env=BASE_ENV, check=False)
    stamp = int(dt.datetime.fromisoformat(f"{when}T12:00:00+00:00").timestamp())
    body = f"tree {tree}\n"
    if parent.returncode == 0:
        body += f"parent {parent.stdout.strip()}\n"
    body += f"author {AUTHOR} <e@x> {stamp} +0000\ncommitter {AUTHOR} <e@x> {stamp} +0000\n"
    body += f"\n{SUBJECT}\n"
    raw = root / ".git" / "raw-commit"
    raw.write_text(body, encoding="utf-8")
    sha = git(root, "hash-object", "-w", "-t", "commit", str(raw))
    raw.unlink()
    git(root, "update-ref", "HEAD", sha)
    return sha


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = init(tmp_path_factory.mktemp("h") / FOLDER)
    ids = [
        hostile_commit(root, {"README.md": "# x\n"}, "2025-01-15"),
        hostile_commit(root, {"train.py": TRACKING}, "2025-02-10"),
    ]
    return root, ids


def _no_controls(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b\x9d"), repr(text)


def test_the_author_and_subject_are_stored_as_git_has_them(
    hostile_repo: tuple[Path, list[str]],
) -> None:
    root, _ = hostile_repo
    h = replay(root, every=1)
    assert h.changes[0].commit.author == AUTHOR
    assert h.changes[0].commit.message == SUBJECT
    assert h.subject == FOLDER
    # JSON carries them as JSON strings: escaped by the encoding, exact once parsed
    doc = json.loads(render(h, "json"))
    assert doc["changes"][0]["commit"]["author"] == AUTHOR
    assert doc["subject"] == FOLDER
    _no_controls(render(h, "json"))


def test_terminal_shows_every_control_character(hostile_repo: tuple[Path, list[str]]) -> None:
    root, ids = hostile_repo
    out = render(replay(root, every=1), "terminal")
    _no_controls(out)
    assert out.splitlines()[0] == (
        "MLKaizen history · repo\\x1b]0;title\\x07<b>[x](y) (2 points, 2025-01-15 .. 2025-02-10)"
    )
    assert (
        f"  + {TRACK} since {ids[1][:7]}, 2025-02-10, by {TERMINAL_AUTHOR} ({TERMINAL_SUBJECT})"
        in out.splitlines()
    )


def test_markdown_has_no_live_markup(hostile_repo: tuple[Path, list[str]]) -> None:
    root, ids = hostile_repo
    out = render(replay(root, every=1), "markdown")
    _no_controls(out)
    assert out.splitlines()[0] == (
        "# MLKaizen history · repo\\\\x1b\\]0;title\\\\x07\\<b\\>\\[x\\](y)"
    )
    assert (
        f"- + `{TRACK}` since {ids[1][:7]}, 2025-02-10, by {MD_AUTHOR} ({MD_SUBJECT})"
        in out.splitlines()
    )
    # every [ ] < > @ of a value is escaped: none can open a link, image, tag or mention
    assert not re.search(r"(?<!\\)[\[<@]", "".join(
        line for line in out.splitlines() if line.startswith(("# ", "- "))))
    # the table rows keep their columns: no raw pipe from a value
    rows = [line for line in out.splitlines() if line.startswith("| 2025")]
    assert len(rows) == 2 and all(r.count(" | ") == 3 + 4 for r in rows)


def test_html_escapes_every_value(hostile_repo: tuple[Path, list[str]]) -> None:
    root, ids = hostile_repo
    out = render(replay(root, every=1), "html")
    _no_controls(out)
    assert "<script>" not in out and "<b>" not in out
    assert "<title>MLKaizen history · repo\\x1b]0;title\\x07&lt;b&gt;[x](y)</title>" in out
    assert (
        f'<li class="met">+ {TRACK} since {ids[1][:7]}, 2025-02-10, by {TERMINAL_AUTHOR} '
        f"({HTML_SUBJECT})</li>"
        in out
    )


@pytest.mark.parametrize(("fmt", "expected"), [
    ("terminal", f"by {TERMINAL_AUTHOR} ({TERMINAL_SUBJECT})"),
    ("markdown", f"by {MD_AUTHOR} ({MD_SUBJECT})"),
    ("html", f"by {TERMINAL_AUTHOR} ({HTML_SUBJECT})"),
])
def test_cli_history_escapes_in_each_format(
    hostile_repo: tuple[Path, list[str]], fmt: str, expected: str
) -> None:
    root, _ = hostile_repo
    proc = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "history", str(root), "--every", "commit",
         "-f", fmt, "--no-cache"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    _no_controls(proc.stdout)
    _no_controls(proc.stderr)
    assert expected in proc.stdout
