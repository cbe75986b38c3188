"""Data read in a function that takes an object store's address from the environment: the
function reads a variable named for a bucket and, in its own body, reads a data frame
(``pd.read_csv(os.environ.get("BUCKET_URL") + name)``). The address is kept out of the
repository, as a deployment's settings are, but every run reads the same shared store.

The two are tied by the function they share, not by following the value: a function that
reads a local file and writes to ``OUTPUT_BUCKET`` is left out by the variable's name (an
output, a model, a project or credentials are no data source)."""

from __future__ import annotations

import bisect
import re

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.python_src import Call, PyFacts
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

_ENV_READS = ("os.environ.get", "os.getenv")
# a variable that names an object store or its bucket: ``BUCKET_URL``, ``GCS_BUCKET``,
# ``S3_DATA_PATH``, ``AZURE_BLOB_CONTAINER``; not where results go (``OUTPUT_BUCKET``,
# ``MODEL_BUCKET``), nor its credentials, settings or project (``S3_REGION``,
# ``BLOB_CONNECTION_STRING``, ``S3_USE_SSL``, ``GCS_PROJECT``), nor a local folder
_STORE_VARIABLE = re.compile(r"(?i)(?:^|_)(?:bucket|gcs|s3|blob|adls|datalake)(?:_|$)|bucket")
_NOT_A_SOURCE = re.compile(
    r"(?i)region|endpoint|key|secret|token|access|profile|credential|connection|ssl|project"
    r"|model|artifact|output|result|export|log|upload|dest"
)
_FRAME_READS = re.compile(r"^(?:pandas|polars|dask\.dataframe|pyarrow\.parquet)\.read_\w+$")


def _is_store(variable: str) -> bool:
    return bool(_STORE_VARIABLE.search(variable)) and not _NOT_A_SOURCE.search(variable)


def _in_one_function(facts: PyFacts, stores: list[Call], reads: list[Call]) -> Call | None:
    """The first read in a function that also reads a store's variable (code before any
    ``def`` is in none; code after the last one counts as the last function's). Each call is
    placed once, by bisection on the ``def`` lines."""
    spans = facts.spans()
    starts = [line for _, line, _ in spans]

    def span_of(line: int) -> int | None:
        i = bisect.bisect_right(starts, line) - 1
        return i if i >= 0 else None

    with_store = {span_of(c.line) for c in stores} - {None}
    return next((c for c in reads if span_of(c.line) in with_store), None)


def env_store_reads(tree: RepoTree) -> list[Finding]:
    """One finding per project module with a function that reads a data frame and, in the
    same function, an environment variable named for an object store it reads from. Test
    code does not count."""
    out: list[Finding] = []
    for rel in tree.importing(("pandas", "polars", "dask", "pyarrow")):
        facts = tree.python(rel)
        if facts is None or is_test_path(rel):
            continue
        stores = [
            c
            for c in facts.find_calls(_ENV_READS, include_decorators=False)
            if c.str_args and _is_store(c.str_args[0])
        ]
        if not stores:
            continue
        reads = [c for c in facts.calls if _FRAME_READS.match(c.name)]
        read = _in_one_function(facts, stores, reads)
        if read is not None:
            variable = next(c.str_args[0] for c in stores)
            out.append(
                tree.finding(
                    "data_remote_storage_configured",
                    rel,
                    read.line,
                    f"code reads data from the store the environment names "
                    f"({variable}): {read.name}()",
                )
            )
    return out
