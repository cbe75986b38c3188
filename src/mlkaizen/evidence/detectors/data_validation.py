"""Data validation: schemas and expectations declared, validation libraries used."""

from __future__ import annotations

import posixpath
import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.packs import MAX_SEARCHED_BYTES
from mlkaizen.evidence.parse.python_src import PyFacts
from mlkaizen.evidence.testcode import is_test_path
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
    ``schema.pbtxt``, or a JSON Schema / Avro schema for data under a data or schema folder
    that another file of the repository names (code that loads it, a config that points at it).
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
    files = tree.glob("*.avsc", "*schema*/*.json", "*data*/*schema*.json", "*data*/*schema*.y*ml")
    for rel, user in _referenced(tree, files).items():
        detail = f"data schema file named in {user}"
        out.append(tree.finding("data_schema_declared", rel, 1, detail))
    return out + _hand_written_checks(tree)


# a function named for checking data: ``validate_data``, ``_validate_required_columns``,
# ``check_null_values``, ``validateSchema`` (not ``validate_model_performance``, a
# ``health_check``, a serving ``validate_input`` or a loader's ``_check_df_load``)
_CHECKS = frozenset({"validate", "check", "verify", "ensure"})
_DATA_WORDS = frozenset(
    {
        "data",
        "dataframe",
        "df",
        "dataset",
        "schema",
        "columns",
        "column",
        "nulls",
        "null",
        "missing",
        "ranges",
        "range",
        "dtypes",
        "types",
        "quality",
        "contract",
        "raw",
    }
)
# ``_check_df_load``, ``check_data_path``, ``check_data_drift``: a loader, a file check or
# monitoring, not a data check
_LOADS = frozenset({"load", "read", "path", "file", "exists", "dir", "url", "drift"})
# a module named for checking data says so with one of these (``validate_data.py``; not
# ``validate_schema.py``, which may check a config's schema); a function in it that checks
# something else says so (``validate_config``, ``verify_model``)
_DATA_NAMES = frozenset({"data", "dataframe", "dataset", "df"})
_OTHERS = frozenset({"config", "args", "arguments", "params", "settings", "model", "models"})
_WEB_ERRORS = frozenset({"HTTPException", "WebSocketException", "RequestValidationError"})
_FRAMES = frozenset({"pandas", "polars", "pyarrow", "pyspark", "ray", "dask"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def _checks_data(name: str, module: str = "") -> bool:
    """A function named for checking data (``validate_data``); or, in a module named for
    it (``validate_data.py``, ``data_checks.py``), one named for checking
    (``run_validation``)."""
    words = _words(name)
    rest = set(words[1:])
    if set(words) & _LOADS:
        return False
    if words and words[0] in _CHECKS and rest & _DATA_WORDS:
        return True
    stem = set(_words(posixpath.basename(module).removesuffix(".py")))
    checking = _CHECKS | {"validation", "checks"}
    named = set(words)
    return bool(stem & _DATA_NAMES and stem & checking and named & checking and not named & _OTHERS)


def _fails_within(facts: PyFacts, start: int, end: int | None) -> bool:
    """A check between lines ``start`` and ``end`` fails the run: a failing ``if``/``assert``
    or an error raised (not a web framework's ``HTTPException``: that answers a request)."""

    def inside(line: int) -> bool:
        return start <= line and (end is None or line < end)

    return any(c.fails and inside(c.line) for c in facts.checks) or any(
        inside(c.line)
        and c.name.rpartition(".")[2].endswith(("Error", "Exception"))
        and c.name.rpartition(".")[2] not in _WEB_ERRORS
        for c in facts.calls
    )


def _hand_written_checks(tree: RepoTree) -> list[Finding]:
    """Data checked by the team's own code: a function named for validating data (its
    columns, nulls, types or ranges), or for validating in a module named for it
    (``run_validation`` in ``validate_data.py``), in a module that handles data frames,
    that fails the run on a check (``raise``, ``sys.exit``) in its own body. Not test code:
    a test of a data processor checks code."""
    out: list[Finding] = []
    for rel in tree.importing(_FRAMES):
        facts = tree.python(rel)
        if facts is None or is_test_path(rel):
            continue
        for name, line, end in facts.spans():
            if _checks_data(name, rel) and _fails_within(facts, line, end):
                detail = f"hand-written data checks: {name}()"
                out.append(tree.finding("data_schema_declared", rel, line, detail))
                break
    return out


_READERS = (
    *(".py", ".ipynb", ".yaml", ".yml", ".tf", ".toml", ".cfg", ".sh", ".sql", ".json"),
    *(".ts", ".js", ".java", ".scala", ".kt", ".gradle", ".xml", ".conf"),
)
# names too common to say which file is meant (``package.json`` names ``config.json`` too)
_GENERIC = frozenset({"config.json", "settings.json", "schema.json", "package.json", "index.json"})


def _referenced(tree: RepoTree, schemas: list[str]) -> dict[str, str]:
    """The schema files that another file of the repository names (its file name, as a word
    of its own: code that loads it, a config or Terraform that points at it), each with the
    first such file. A schema file that nothing names declares nothing the data is held to;
    one with a name as common as ``config.json`` is taken when its path is named."""
    if not schemas:
        return {}
    wanted: dict[str, list[str]] = {}
    for rel in schemas:
        name = posixpath.basename(rel)
        wanted.setdefault(rel if name in _GENERIC else name, []).append(rel)
    words = "|".join(re.escape(n) for n in sorted(wanted, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.-])(?:{words})(?![\w-])")
    found: dict[str, str] = {}
    own = set(schemas)
    readers = [*tree.with_suffix(*_READERS), *tree.named("Makefile", "Dockerfile")]
    for rel in readers:
        if rel in own or is_test_path(rel) or tree.sizes.get(rel, 0) > MAX_SEARCHED_BYTES:
            continue
        for name in set(pattern.findall(tree.text(rel) or "")):
            for schema in wanted.pop(name, []):
                found[schema] = rel
        if not wanted:
            break
    return found


DETECTORS = [data_validation_library_used, data_schema_declared]
