"""Training data read from a managed warehouse or a platform's dataset service."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.notebook_runs import by_hand_in_notebooks
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

WAREHOUSES = (
    Signature(
        "BigQuery",
        ("google.cloud.bigquery",),
        ("google.cloud.bigquery.Client",),
    ),
    Signature(
        "Vertex AI datasets",
        ("google.cloud.aiplatform",),
        (
            "google.cloud.aiplatform.TabularDataset",
            "google.cloud.aiplatform.ImageDataset",
            "google.cloud.aiplatform.TextDataset",
            "google.cloud.aiplatform.TimeSeriesDataset",
            "google.cloud.aiplatform.TabularDataset.create",
        ),
    ),
    Signature("Snowflake", ("snowflake.connector",), ("snowflake.connector.connect",)),
    Signature("Databricks SQL", ("databricks.sql",), ("databricks.sql.connect",)),
    Signature("Redshift", ("redshift_connector",), ("redshift_connector.connect",)),
    # a lakehouse's Delta table opened through Spark's catalogue or path API (``delta-rs``
    # on a local folder is a file on one machine)
    Signature(
        "Delta Lake tables",
        ("delta.tables",),
        (
            "delta.tables.DeltaTable.forName",
            "delta.tables.DeltaTable.forPath",
            "delta.tables.DeltaTable.create*",
            "delta.tables.DeltaTable.replace",
        ),
    ),
)


@detector("warehouse_data_used", settle=by_hand_in_notebooks)
def warehouse_data_used(tree: RepoTree) -> list[Finding]:
    """Project code reads its data from a managed warehouse or a platform dataset service.

    Why: data queried from a shared warehouse (BigQuery, Snowflake, Databricks SQL, Redshift)
    or a lakehouse's Delta tables, or kept as a managed dataset (Vertex AI datasets), is a
    team asset, not a file on a laptop.
    Evidence: a client of one of these created or queried through its import
    (``bigquery.Client()``, ``aiplatform.TabularDataset(...)``, ``snowflake.connector.connect``).
    An import alone, or a method called ``query`` on an unrelated object, is not enough.
    ``partial``: every such read is in a notebook (a session's query, not the project's).
    How to satisfy it: read training data from the team's warehouse or a registered dataset.
    """
    return find_usage(tree, "warehouse_data_used", WAREHOUSES)


DETECTORS = [warehouse_data_used]
