"""Data read from a warehouse or a platform's dataset service counts as shared storage."""

from __future__ import annotations

import pytest

from mlkaizen.evidence.detectors.warehouse import warehouse_data_used
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo


@pytest.mark.parametrize(("source", "expected"), [
    ("from google.cloud import bigquery\nclient = bigquery.Client()\n"
     "df = client.query(SQL).to_dataframe()\n",
     [("load.py", 2, "BigQuery: google.cloud.bigquery.Client()")]),
    ("from google.cloud import aiplatform as vertex_ai\n"
     "ds = vertex_ai.TabularDataset.create(display_name='churn', bq_source=URI)\n",
     [("load.py", 2, "Vertex AI datasets: google.cloud.aiplatform.TabularDataset.create()")]),
    ("import snowflake.connector\nconn = snowflake.connector.connect(user=U)\n",
     [("load.py", 2, "Snowflake: snowflake.connector.connect()")]),
    # near misses: an import alone, a query on an unrelated object, a name in a string
    ("from google.cloud import bigquery\n", []),
    ("import pandas as pd\nfrom sqlalchemy import text\ndf = db.query(text('select 1'))\n", []),
    ("print('we use BigQuery and Snowflake')\n", []),
])
def test_warehouse_clients_through_their_imports(
        make_repo: MakeRepo, source: str, expected: list[tuple[str, int, str]]) -> None:
    found = warehouse_data_used.detect(RepoTree(make_repo({"load.py": source})))
    assert [(f.file, f.line, f.detail) for f in found] == expected
