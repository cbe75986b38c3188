import pandas as pd
import pandera.pandas as pa
import pytest

from churn.data import validate


def test_sample_snapshot_is_valid() -> None:
    validate(pd.read_csv("data/sample/customers_sample.csv"))


def test_negative_tenure_is_rejected() -> None:
    frame = pd.read_csv("data/sample/customers_sample.csv")
    frame.loc[0, "tenure_months"] = -1
    with pytest.raises(pa.errors.SchemaErrors):
        validate(frame)
