"""Model and data cards judged by their content, not their name.

A model card (Mitchell et al., "Model Cards for Model Reporting", 2019; Hugging Face's model
card template) reports the model's details, intended use, training data, evaluation and
limitations; a data card or datasheet (Gebru et al., "Datasheets for Datasets", 2021; Hugging
Face's dataset card) its source and collection, composition, owner and maintenance, licence
and access, preprocessing, uses and known issues. A card counts when at least
:data:`MIN_SECTIONS` of those sections hold text, each a heading or a labelled line
(``- Source: ...``, ``**Licence:** ...``) followed by words; otherwise it is partial and the
finding names what is missing. ``MODEL_CARD.md`` holding ``x``, or headings with nothing under
them, are not a card. Code named for the model card it writes (``model_card.py``) makes one
with each model (:func:`card_modules`); a card kept as a PDF or Word document is one
by its name (:func:`card_documents`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from mlkaizen.evidence.findings import Context, Finding, Outcome
from mlkaizen.evidence.parse.headings import headings_parser
from mlkaizen.evidence.parse.python_src import PyFacts
from mlkaizen.evidence.tree import RepoTree

MIN_SECTIONS = 3
MODEL_SECTIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "model details": r"model (details|description|overview|type|architecture)|"
        r"^(overview|description|architecture|details)$",
        "intended use": r"intended use|\buses\b|use cases?|direct use|out-of-scope|^usage$",
        "training data": r"training (data|details|set|procedure)|^(data|datasets?)$",
        "evaluation": r"evaluat|metrics?|performance|results|quantitative",
        "limitations": r"limitations?|caveats|recommendations|risks?|bias|ethic|fairness",
    }.items()
}
DATA_SECTIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "source and collection": r"sources?|provenance|origin|collect|motivation",
        "composition": r"composition|contents?|schema|fields|columns|features|structure|"
        r"instances|^(description|overview)$",
        "owner and maintenance": r"owners?|maintain|maintenance|contact|steward|refresh",
        "licence and access": r"licen[cs]e|terms|access|privacy|personal data|consent",
        "preprocessing": r"preprocess|cleaning|label",
        "uses": r"\buses\b|intended use|use cases?",
        "known issues": r"known issues|limitations?|bias|quality|caveats|gaps",
    }.items()
}
# a labelled line: ``- Source: text``, ``**Licence:** text``, ``Owner: text``
_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?([A-Za-z][\w /&()'-]{1,40}?)(?:\*\*|__)?\s*:")
_MARKUP = re.compile(r"<!--.*?-->|[#*_`>|=~^:\[\]()-]", re.S)
# words that say nothing yet
_EMPTY_WORDS = re.compile(r"\b(?:todo|tbd|tbc|n/?a|none|xxx+|fixme|lorem ipsum)\b", re.I)


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str


def _has_text(text: str) -> bool:
    """Words under a section, markup and placeholder words aside (``x`` is not text)."""
    words = re.findall(r"[^\W\d_]{2,}", _EMPTY_WORDS.sub(" ", _MARKUP.sub(" ", text)))
    return len(words) >= 2


def _sections(tree: RepoTree, rel: str, text: str) -> list[tuple[str, str]]:
    """(title, text under it) for every heading (up to the next heading) and labelled line
    (up to the next heading or label) of a document."""
    lines = text.splitlines()
    headings = {
        at - 1: title
        for title, at in tree.parsed(rel, "headings", headings_parser(rel)) or []
        if 1 <= at <= len(lines)
    }
    labels = {
        i: (m.group(1), line[m.end() :])
        for i, line in enumerate(lines)
        if i not in headings and not line.lstrip().startswith("#") and (m := _LABEL.match(line))
    }
    out = []
    heads = sorted(headings)
    for n, start in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        out.append((headings[start].strip(), "\n".join(lines[start + 1 : end])))
    marks = sorted([*heads, *labels])
    for start, (title, inline) in labels.items():
        # the next heading or label (a search, not a scan: a card of labels stays linear)
        after = bisect.bisect_right(marks, start)
        end = marks[after] if after < len(marks) else len(lines)
        out.append((title.strip(), "\n".join([inline, *lines[start + 1 : end]])))
    return out


def judge(tree: RepoTree, rel: str, kind: str) -> Verdict:
    """Whether ``rel`` is a model card (``kind`` "model") or a data card ("data") by its
    sections: found with :data:`MIN_SECTIONS` filled, else partial naming what is missing."""
    expected = MODEL_SECTIONS if kind == "model" else DATA_SECTIONS
    text = tree.text(rel) or ""
    filled: set[str] = set()
    for title, body in _sections(tree, rel, text):
        for name, pattern in expected.items():
            if pattern.search(title.lower()) and _has_text(body):
                filled.add(name)
    have = [n for n in expected if n in filled]
    what = f"{kind} card {rel}"
    if len(have) >= MIN_SECTIONS:
        return Verdict(Outcome.FOUND, f"{what}: {', '.join(have)}")
    missing = [n for n in expected if n not in filled]
    said = f" ({', '.join(have)})" if have else ""
    return Verdict(
        Outcome.PARTIAL,
        f"{what} has text for {len(have)} of the expected sections{said}, "
        f"{MIN_SECTIONS} needed; missing: {', '.join(missing)}",
    )


def _defines_function(facts: PyFacts) -> bool:
    """A function or method of its own (snake case, not a dunder): not only classes."""
    return any(
        name[:1].islower() or (name.startswith("_") and not name.startswith("__"))
        for name in facts.functions
    )


# a module named for the card it writes: ``model_card.py``, ``modelcard_writer.py`` (never
# ``model_cardinality.py``)
_CARD_MODULE = re.compile(r"(?i)^model[_-]?cards?(?:[_-]\w*)?\.py$")


def card_modules(tree: RepoTree, seen: set[str | None]) -> list[Finding]:
    """Project code named for the model card it writes (``model_card.py``, ``modelcard.py``),
    wherever it lives: the card is made with each model, not kept by hand. It defines a
    function and calls something; a test of it, or a module of constants or of a bare data
    class, is not."""
    out: list[Finding] = []
    for rel in tree.with_suffix(".py"):
        if rel in seen or not _CARD_MODULE.match(rel.rsplit("/", 1)[-1]):
            continue
        if tree.context(rel) is not Context.PROJECT:
            continue
        facts = tree.python(rel)
        if facts is not None and facts.calls and _defines_function(facts):
            out.append(tree.finding("model_card_present", rel, 1, f"model card generated by {rel}"))
    return out


# a model card kept as a document (``Model-Card-UEBA-CNN-GRU.pdf``, ``model_card.docx``): its
# sections cannot be read, its name says what it is (never ``model_cardinality.pdf``)
_CARD_DOCUMENT = re.compile(
    r"(?i)(?:^|[^a-z])model[_\s-]?cards?(?![a-z])[^/]*\.(?:pdf|docx?)$"
)


def card_documents(tree: RepoTree, seen: set[str | None]) -> list[Finding]:
    """Model cards kept as documents (PDF, Word) in project or documentation folders (an HTML
    file of that name is more often a web component or a coverage page):
    a team that exports its card from a card toolkit or a platform (SageMaker Model Cards
    export PDFs) keeps it so."""
    return [
        tree.finding("model_card_present", rel, 1, f"model card document {rel}")
        for rel in tree.with_suffix(".pdf", ".docx", ".doc")
        if rel not in seen
        and _CARD_DOCUMENT.search(rel.rsplit("/", 1)[-1])
        and tree.context(rel) is not Context.TEST
    ]
