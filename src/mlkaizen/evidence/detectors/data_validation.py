"""Data validation: schemas and expectations declared, validation libraries used."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

VALIDATION_TOOLS = vocabulary().tools["validation"]  # plugins'; the stack packs' come by themselves


@detector("data_validation_library_used")
def data_validation_library_used(tree: RepoTree) -> list[Finding]:
    """Code validates data with a dedicated library (Great Expectations, pandera, TFDV,
    Deepchecks, Evidently test suites, Soda).

    Evidence: an import of the library and a call into it in the same file. A mention in a
    README or a requirements file is not usage.
    """
    return find_usage(tree, "data_validation_library_used", VALIDATION_TOOLS)


@detector("data_schema_declared")
def data_schema_declared(tree: RepoTree) -> list[Finding]:
    """A data schema or expectation suite is declared as a file or as code.

    Evidence: a pandera ``DataFrameModel``/``SchemaModel``/``DataFrameSchema``, Great
    Expectations suites (``expectations/*.json``, ``great_expectations.yml``, ``gx/``), a TFDV
    ``schema.pbtxt``, or a JSON Schema / Avro schema for data under a data or schema folder.
    """
    out: list[Finding] = []
    for rel in tree.importing({"pandera"}):
        facts = tree.python(rel)
        if facts is None:
            continue
        for base in facts.bases:
            if base.name.startswith("pandera.") and base.name.endswith(
                ("DataFrameModel", "SchemaModel")
            ):
                out.append(
                    tree.finding(
                        "data_schema_declared",
                        rel,
                        base.line,
                        f"pandera schema class ({base.name})",
                    )
                )
        for call in facts.find_calls(("pandera.DataFrameSchema",)):
            out.append(
                tree.finding("data_schema_declared", rel, call.line, "pandera DataFrameSchema")
            )
    for rel in tree.named("great_expectations.yml"):
        out.append(tree.finding("data_schema_declared", rel, 1, "Great Expectations project"))
    for rel in tree.glob("*expectations/*.json"):
        out.append(tree.finding("data_schema_declared", rel, 1, "expectation suite"))
    for rel in tree.named("schema.pbtxt"):
        out.append(tree.finding("data_schema_declared", rel, 1, "TFDV schema"))
    for rel in tree.glob(
        "*.avsc", "*schema*/*.json", "*data*/*schema*.json", "*data*/*schema*.y*ml"
    ):
        out.append(tree.finding("data_schema_declared", rel, 1, "data schema file"))
    return out


DETECTORS = [data_validation_library_used, data_schema_declared]
