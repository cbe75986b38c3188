"""Documentation as evidence: model cards, data cards, workflow and release docs, records."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.cards import card_documents, card_modules, judge
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.headings import headings_parser
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted

# a line that gives someone a role or a responsibility, not only a name
_ROLE_LINE = re.compile(
    r"\b(roles?|responsib\w*|accountab\w*|approvers?|reviewers?|owns|owner of|owners? for|"
    r"lead|steward|on-call|oncall|raci|maintains|in charge)\b",
    re.I,
)
_ROLE_FILES = ("MAINTAINERS", "MAINTAINERS.md", "OWNERS", "OWNERS.md", "TEAM.md", "GOVERNANCE.md")


def _headings(tree: RepoTree, rel: str) -> list[tuple[str, int]]:
    """Section headings (lower case) of a document, read with a Markdown/reST parser."""
    return [
        (title.lower(), line)
        for title, line in tree.parsed(rel, "headings", headings_parser(rel)) or []
    ]


def _docs(tree: RepoTree) -> list[str]:
    return tree.memo(
        "markdown_docs", lambda: [f for f in tree.with_suffix(".md", ".rst") if f.count("/") <= 2]
    )


def _by_name_or_heading(
    tree: RepoTree, detector_id: str, names: re.Pattern[str], headings: re.Pattern[str], what: str
) -> list[Finding]:
    out: list[Finding] = []
    for rel in _docs(tree):
        base = rel.rsplit("/", 1)[-1]
        if names.search(base):
            out.append(tree.finding(detector_id, rel, 1, f"{what}: {rel}"))
            continue
        if base.lower().startswith(("readme", "index")):
            for heading, line in _headings(tree, rel):
                if headings.search(heading):
                    out.append(tree.finding(detector_id, rel, line, f"{what}: section {heading!r}"))
                    break
    return out


# a README section about one aspect of the model; two different aspects in one README make
# it the model's documentation (a single "Model evaluation" section in a project README does
# not)
_MODEL_SECTION = re.compile(
    r"(?i)\bmodel\b.{0,20}?\b(hyperparameters?|evaluation|metrics|performance|limitations|"
    r"architecture|artifacts?|inputs?|outputs?|training data|biases?|ethical)\b"
)


# a page about the model(s) (``docs/models.md``, ``model_training.rst``,
# ``model_selection_results.md``, ``ml_specs.md``, a French ``modele-segmentation.md``): its
# headings need not say "model" to be about one (each name segment unambiguous: linear)
_MODEL_DOC_NAME = re.compile(
    r"(?:models?|mod[eè]les?(?:[_-][^_\-./]+)*|ml[_-]specs?)(?:[_-](?:overview|details|description|docs?"
    r"|documentation|training|architecture|evaluation|report|results|summary|specs?|selection)"
    r"(?:[_-](?:results|report|summary))?)?\.(?:md|rst)$"
)
_ASPECT = re.compile(
    r"(?i)\b(hyperparameters?|evaluation|metrics|performance|limitations|architecture|"
    r"training data|biases?|ethical|intended use)\b"
)
_MODEL_CARD_NAME = re.compile(r"model[_\-\s]?card", re.I)
_DATA_CARD_NAME = re.compile(r"(data[_\-\s]?card|datasheet|dataset[_\-\s]?card)", re.I)
# Hugging Face model card metadata in a README's YAML front matter
_HF_CARD = re.compile(r"(?m)^(model-index|pipeline_tag|library_name|base_model):")


def _judged(
    tree: RepoTree, found: list[Finding], names: re.Pattern[str], kind: str
) -> list[Finding]:
    """``found`` with every file named as a card judged by its sections (:mod:`.cards`)."""
    out = []
    for f in found:
        if f.file and names.search(f.file.rsplit("/", 1)[-1]):
            verdict = judge(tree, f.file, kind)
            out.append(f.model_copy(update={"outcome": verdict.outcome, "detail": verdict.detail}))
        else:
            out.append(f)
    return out


@detector("model_card_present")
def model_card_present(tree: RepoTree) -> list[Finding]:
    """A model card documents intended use, data, metrics and limitations.

    Evidence: ``MODEL_CARD.md``/``model_card.md``/``modelcard.md``, a README section "Model
    card" (or Hugging Face ``model-index`` front matter), a README with sections on two
    aspects of the model ("Model hyperparameters", "Model evaluation", "Model limitations"),
    a page about the model (``docs/models.md``, ``model_training.md``) with sections on two
    aspects ("Architecture", "Evaluation"), the model-card toolkits, or project code named
    for the card it writes (``model_card.py``).
    """
    out = _judged(
        tree,
        _by_name_or_heading(
            tree,
            "model_card_present",
            _MODEL_CARD_NAME,
            re.compile(r"model card|intended use|model details"),
            "model card",
        ),
        _MODEL_CARD_NAME,
        "model",
    )
    carded = {f.file for f in out}
    for rel in tree.with_suffix(".md", ".rst"):  # a model's README sits beside its code
        name = rel.rsplit("/", 1)[-1].lower()
        about = _MODEL_DOC_NAME.match(name) is not None  # a page about the model(s)
        if rel in carded or not (name.startswith("readme") or about):
            continue
        sections = [
            (m.group(1).lower(), h, n)
            for h, n in _headings(tree, rel)
            if (m := (_ASPECT if about else _MODEL_SECTION).search(h))
        ]
        if len({aspect for aspect, _, _ in sections}) >= 2:
            line = sections[0][2]
            out.append(
                tree.finding(
                    "model_card_present",
                    rel,
                    line,
                    "model documentation: sections "
                    + ", ".join(repr(h) for _, h, _ in sections[:3]),
                )
            )
    for rel in tree.named("README.md"):
        text = tree.text(rel) or ""
        if text.startswith("---") and _HF_CARD.search(text[:5000].split("\n---", 1)[0]):
            out.append(tree.finding("model_card_present", rel, 1, "Hugging Face model card"))
    for rel in tree.importing({"model_card_toolkit", "modelcards", "huggingface_hub"}):
        facts = tree.python(rel)
        if facts and facts.find_calls(
            (
                "huggingface_hub.ModelCard",
                "modelcards.ModelCard",
                "model_card_toolkit.ModelCardToolkit",
            )
        ):
            out.append(tree.finding("model_card_present", rel, 1, "model card generated"))
    out += card_modules(tree, carded | {f.file for f in out})
    return out + card_documents(tree, {f.file for f in out})


@detector("data_card_present")
def data_card_present(tree: RepoTree) -> list[Finding]:
    """Data sources are documented: a data card, datasheet or a data README.

    Evidence: ``DATA_CARD.md``/``datasheet*.md``/``dataset_card.md``, a README in the data
    folder, or a README section about the data's sources. ``partial``: a data README that does
    not name source, owner or licence, or a README "Dataset" section alone.
    """
    out = _judged(
        tree,
        _by_name_or_heading(
            tree,
            "data_card_present",
            _DATA_CARD_NAME,
            re.compile(r"data ?card|datasheet|data sources?|data provenance"),
            "data documentation",
        ),
        _DATA_CARD_NAME,
        "data",
    )
    if not out:  # a README "Dataset" section says where data comes from, not all a card does
        out = [
            f.model_copy(update={"outcome": Outcome.PARTIAL})
            for f in _by_name_or_heading(
                tree,
                "data_card_present",
                re.compile(r"^$"),
                re.compile(r"^(the )?(data|datasets?|training data)$"),
                "README data section",
            )
        ]
    for rel in tree.glob("data/README*", "*/data/README*", "datasets/README*"):
        text = (tree.text(rel) or "").lower()
        full = "source" in text and ("licen" in text or "collected" in text or "owner" in text)
        out.append(
            tree.finding(
                "data_card_present",
                rel,
                1,
                "data folder README",
                Outcome.FOUND if full else Outcome.PARTIAL,
            )
        )
    return out


@detector("workflow_documented")
def workflow_documented(tree: RepoTree) -> list[Finding]:
    """The team's development workflow is written down (CONTRIBUTING, a development guide,
    or README sections on development/workflow)."""
    return _by_name_or_heading(
        tree,
        "workflow_documented",
        re.compile(r"^(contributing|development|workflow|developing)", re.I),
        re.compile(r"contribut|development|workflow|how we work"),
        "workflow documented",
    )


@detector("release_process_documented")
def release_process_documented(tree: RepoTree) -> list[Finding]:
    """How a model/service is released is written down (RELEASE/DEPLOY docs, a runbook,
    README sections on release or deployment). A changelog alone records releases but is
    not a procedure."""
    return _by_name_or_heading(
        tree,
        "release_process_documented",
        re.compile(r"^(release|releasing|deploy|deployment|runbook)", re.I),
        re.compile(r"releas|deploy"),
        "release process documented",
    )


@detector("roles_documented")
def roles_documented(tree: RepoTree) -> list[Finding]:
    """Roles and responsibilities are written down.

    Evidence: a MAINTAINERS/OWNERS/TEAM/GOVERNANCE file with at least one line that gives a
    role or responsibility (approvers, reviewers, "responsible for", "lead"...), a RACI file,
    or a README section on roles, responsibilities, ownership or RACI.
    Not evidence: a file or section that only lists names (an author list is not roles).
    """
    out: list[Finding] = []
    for rel in tree.named(*_ROLE_FILES):
        text = tree.text(rel) or ""
        hit = next(
            (n for n, ln in enumerate(text.splitlines(), start=1) if _ROLE_LINE.search(ln)), None
        )
        if hit is not None:
            out.append(tree.finding("roles_documented", rel, hit, f"roles file {rel}"))
    return out + _by_name_or_heading(
        tree,
        "roles_documented",
        re.compile(r"^raci", re.I),
        re.compile(r"\broles?\b|responsibilit|\braci\b|ownership"),
        "roles documented",
    )


@detector("postmortems_recorded")
def postmortems_recorded(tree: RepoTree) -> list[Finding]:
    """Post-incident reviews are recorded (a postmortems/incidents folder with write-ups)."""
    files = tree.glob(
        "*postmortem*/*.md", "*post-mortem*/*.md", "*incidents/*.md", "*incident-reviews/*.md"
    )
    return (
        [
            tree.finding(
                "postmortems_recorded", files[0], 1, counted(len(files), "post-incident review")
            )
        ]
        if files
        else []
    )


@detector("retrospectives_recorded")
def retrospectives_recorded(tree: RepoTree) -> list[Finding]:
    """Process retrospectives are recorded (a retros/retrospectives folder)."""
    files = tree.glob("*retro*/*.md", "*retrospective*.md")
    return (
        [
            tree.finding(
                "retrospectives_recorded", files[0], 1, counted(len(files), "retrospective record")
            )
        ]
        if files
        else []
    )


DETECTORS = [
    model_card_present,
    data_card_present,
    workflow_documented,
    release_process_documented,
    roles_documented,
    postmortems_recorded,
    retrospectives_recorded,
]
