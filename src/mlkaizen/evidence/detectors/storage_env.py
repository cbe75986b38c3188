"""Data read from an object store whose address the environment gives: the code reads a
variable named for a bucket and, in the same function, reads a data frame
(``pd.read_csv(os.environ.get("BUCKET_URL") + name)``). The address is kept out of the
repository, as a deployment's settings are, but every run reads the same shared store."""

from __future__ import annotations

import re

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

_ENV_READS = ("os.environ.get", "os.getenv")
# a variable that names an object store or its bucket: ``BUCKET_URL``, ``GCS_BUCKET``,
# ``S3_DATA_PATH``, ``AZURE_BLOB_CONTAINER``; not its credentials or region (``S3_REGION``,
# ``AZURE_STORAGE_KEY``), nor a local folder (``DATA_DIR``)
_STORE_VARIABLE = re.compile(r"(?i)(?:^|_)(?:bucket|gcs|s3|blob|adls|datalake)(?:_|$)|bucket")
_NOT_A_PLACE = re.compile(r"(?i)region|endpoint|key|secret|token|access|profile|credential")
_FRAME_READS = re.compile(r"^(?:pandas|polars|dask\.dataframe|pyarrow\.parquet)\.read_\w+$")


def _is_store(variable: str) -> bool:
    return bool(_STORE_VARIABLE.search(variable)) and not _NOT_A_PLACE.search(variable)


def env_store_reads(tree: RepoTree) -> list[Finding]:
    """One finding per project module with a function that reads a data frame and, in the
    same function, an environment variable named for an object store. Test code does not
    count."""
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
        reads = [c for c in facts.calls if _FRAME_READS.match(c.name)]
        for store in stores:
            around = facts.enclosing(store.line)
            if around is None:
                continue
            _, start, end = around
            read = next((c for c in reads if start <= c.line <= (end or c.line)), None)
            if read is not None:
                out.append(
                    tree.finding(
                        "data_remote_storage_configured",
                        rel,
                        read.line,
                        f"code reads data from the store the environment names "
                        f"({store.str_args[0]}): {read.name}()",
                    )
                )
                break
    return out
