"""Model and data cards are judged by their content, not their name: a card needs text
under at least three of the sections that make it one (Mitchell et al. for model cards,
Gebru et al. and Hugging Face's dataset card for data cards), else it is partial and says
what is missing. Near misses both ways."""

from __future__ import annotations

import pytest

from mlkaizen import assess
from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo, lines_run_in

GOOD_MODEL = """# Model card: churn

## Intended use
Scores customers' churn risk for the retention team; not for credit decisions.

## Training data
Billing exports from 2023, one row per customer and month.

## Evaluation
AUC 0.81 on the 2024 hold-out month, against 0.74 for the rules baseline.

## Limitations
Customers younger than three months are scored poorly.
"""
HEADINGS_ONLY = "# Model card\n\n## Intended use\n\n## Training data\n\n## Evaluation\n\n" \
                "## Limitations\n"
TWO_SECTIONS = GOOD_MODEL.split("## Evaluation", maxsplit=1)[0]
TODO_SECTIONS = "# Model card\n\n## Intended use\nTODO\n\n## Training data\nTBD\n\n" \
                "## Evaluation\nTODO\n\n## Limitations\nn/a\n"
LABELLED = """# Model card: churn

**Intended use:** retention offers for customers at risk of leaving.
**Training data:** billing exports from 2023.
**Metrics:** AUC 0.81 on the hold-out month.
"""


def verdict(make_repo: MakeRepo, detector: str, files: dict[str, str]) -> list[tuple[str, str]]:
    tree = RepoTree(make_repo(files))
    return [(f.outcome.value, f.detail) for f in REGISTRY[detector].detect(tree)]


@pytest.mark.parametrize(("text", "expected"), [
    ("x\n", ("partial", "model card MODEL_CARD.md has text for 0 of the expected sections, "
                        "3 needed; missing: model details, intended use, training data, "
                        "evaluation, limitations")),
    (HEADINGS_ONLY, ("partial", "model card MODEL_CARD.md has text for 0 of the expected "
                                "sections, 3 needed; missing: model details, intended use, "
                                "training data, evaluation, limitations")),
    (TODO_SECTIONS, ("partial", "model card MODEL_CARD.md has text for 0 of the expected "
                                "sections, 3 needed; missing: model details, intended use, "
                                "training data, evaluation, limitations")),
    (TWO_SECTIONS, ("partial", "model card MODEL_CARD.md has text for 2 of the expected "
                               "sections (intended use, training data), 3 needed; missing: "
                               "model details, evaluation, limitations")),
    (GOOD_MODEL, ("found", "model card MODEL_CARD.md: intended use, training data, "
                           "evaluation, limitations")),
    (LABELLED, ("found", "model card MODEL_CARD.md: intended use, training data, evaluation")),
])
def test_a_model_card_is_judged_by_its_sections(
        make_repo: MakeRepo, text: str, expected: tuple[str, str]) -> None:
    assert verdict(make_repo, "model_card_present", {"MODEL_CARD.md": text}) == [expected]


def test_the_practice_is_partial_for_a_card_in_name_only(make_repo: MakeRepo) -> None:
    root = make_repo({"MODEL_CARD.md": "x\n"}, git=True)
    result = assess(root).practice("model.model-card")
    assert result is not None and result.state.value == "partial"
    assert (result.note or "").startswith(
        "partly: model card MODEL_CARD.md has text for 0 of the expected sections")
    good = make_repo({"MODEL_CARD.md": GOOD_MODEL}, git=True)
    result = assess(good).practice("model.model-card")
    assert result is not None and result.state.value == "met"


@pytest.mark.parametrize(("front", "found"), [
    ("license: mit\npipeline_tag: text-classification\n", True),
    ("license: apache-2.0\nlibrary_name: transformers\n", True),
    ("model-index:\n- name: churn\n", True),
    ("title: My blog post\nlayout: post\n", False),  # near miss: a static site's front matter
])
def test_hugging_face_front_matter_makes_a_readme_a_model_card(
        make_repo: MakeRepo, front: str, found: bool) -> None:
    readme = f"---\n{front}---\n\n# churn\n\nA classifier.\n"
    outcomes = verdict(make_repo, "model_card_present", {"README.md": readme})
    assert outcomes == ([("found", "Hugging Face model card")] if found else [])


GOOD_DATA = """# Data card: customers

- Source: the billing system's nightly export (Postgres `billing.customers`).
- Owner: data platform team, data-platform@example.org.
- Licence and access: internal; personal data, access through the data portal only.
- Known issues: customers migrated in 2021 lack a signup date.
"""


@pytest.mark.parametrize(("text", "outcome", "detail"), [
    (GOOD_DATA, "found", "data card DATA_CARD.md: source and collection, owner and "
                         "maintenance, licence and access, known issues"),
    ("# Data card\n\n- Source: billing export, nightly.\n- Owner: data platform team.\n",
     "partial", "data card DATA_CARD.md has text for 2 of the expected sections (source and "
                "collection, owner and maintenance), 3 needed; missing: composition, licence "
                "and access, preprocessing, uses, known issues"),
    ("# Data card\n\n## Source\n\n## Owner\n\n## Licence\n", "partial",
     "data card DATA_CARD.md has text for 0 of the expected sections, 3 needed; missing: "
     "source and collection, composition, owner and maintenance, licence and access, "
     "preprocessing, uses, known issues"),
])
def test_a_data_card_is_judged_by_its_sections(
        make_repo: MakeRepo, text: str, outcome: str, detail: str) -> None:
    assert verdict(make_repo, "data_card_present", {"DATA_CARD.md": text}) == [(outcome, detail)]


def _lines_run_judging(make_repo: MakeRepo, card: str) -> int:
    """How many lines of the card module run to judge ``card``: the work, counted, not timed."""

    from mlkaizen.evidence.detectors import cards

    root = make_repo({"MODEL_CARD.md": card})
    tree = RepoTree(root)
    tree.text("MODEL_CARD.md")  # read and parse outside the count
    tree.parsed("MODEL_CARD.md", "headings", cards.headings_parser("MODEL_CARD.md"))
    verdict, count = lines_run_in(
        cards.__file__, lambda: cards.judge(tree, "MODEL_CARD.md", "model")
    )
    assert verdict.detail.startswith("model card MODEL_CARD.md has text for 0")
    return count


def test_a_card_of_many_labelled_lines_is_judged_in_linear_work(make_repo: MakeRepo) -> None:
    """A card of labelled lines (``ab: c`` a line, as a 2 MiB file holds 340,000 of them)
    once took time quadratic in their number to find where each label's text ends."""
    small = _lines_run_judging(make_repo, "ab: c\n" * 400)
    large = _lines_run_judging(make_repo, "ab: c\n" * 800)
    assert large < 2.2 * small  # twice the labels, twice the work (quadratic: four times)
    assert large < 40 * 800
