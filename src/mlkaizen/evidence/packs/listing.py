"""What the stack packs know, for people: ``mlkaizen stacks`` and ``docs/stacks.md``."""

from __future__ import annotations

from typing import Any

from mlkaizen.evidence.packs import all_packs


def stack_rows() -> list[dict[str, Any]]:
    """One row per pack, sorted by name: ``name``, ``category``, ``summary``, ``docs``,
    ``evidences`` (the facts its signs show), ``steps`` (the CI step kinds its commands are
    read as), ``signs`` (how many of each kind) and ``source`` (built-in file or plugin path)."""
    rows = []
    for where, pack in all_packs():
        rows.append(
            {
                "name": pack.stack,
                "category": pack.category,
                "summary": pack.summary,
                "docs": pack.docs,
                "evidences": pack.evidences(),
                "steps": pack.steps(),
                "signs": {
                    kind: len(getattr(pack, kind))
                    for kind in ("python", "pipelines", "config", "files", "commands")
                    if getattr(pack, kind)
                },
                "source": where,
            }
        )
    return sorted(rows, key=lambda r: str(r["name"]).casefold())


def stacks_markdown() -> str:
    """The reference of the built-in packs (``docs/stacks.md``)."""
    rows = [r for r in stack_rows() if str(r["source"]).startswith("<builtin>")]
    out = [
        "# Stacks",
        "",
        "<!-- generated from src/mlkaizen/evidence/packs/stacks/ by `mlkaizen model docs`; "
        "do not edit -->",
        "",
        "What each stack looks like is data: one YAML file per stack in "
        "`src/mlkaizen/evidence/packs/stacks/`, validated when loaded. A sign is an import "
        "with its calls and keywords, a configuration document (`kind`, `apiVersion`, keys), a "
        "file glob with an optional pattern, or a command a CI step, script, Makefile or "
        "Dockerfile runs. Each sign names the facts it evidences (detector ids); a command can "
        "also say what kind of CI step it is (train, deploy, ...), and that it counts only in "
        "a CI step (`ci_only`: what every run does, not a script a person may run once). A "
        "plugin adds packs through "
        "the `mlkaizen.packs` entry-point group (a YAML file or a folder of them). "
        "`mlkaizen stacks --format json` lists the same, plugins included.",
        "",
        f"{len(rows)} stacks.",
        "",
        "| stack | category | evidences | CI steps | signs |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        signs = ", ".join(f"{n} {k}" for k, n in r["signs"].items())
        out.append(
            f"| [{r['name']}]({r['docs']}) | {r['category']} | "
            f"{', '.join(f'`{e}`' for e in r['evidences']) or '-'} | "
            f"{', '.join(r['steps']) or '-'} | {signs} |"
        )
    return "\n".join(out) + "\n"
