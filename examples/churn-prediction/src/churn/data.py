"""The customer table's schema, and validation of a snapshot against it."""

from __future__ import annotations

import sys

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class CustomerSchema(pa.DataFrameModel):
    customer_id: Series[str] = pa.Field(unique=True)
    tenure_months: Series[int] = pa.Field(ge=0, le=600)
    plan: Series[str] = pa.Field(isin=["basic", "standard", "premium"])
    region: Series[str] = pa.Field(nullable=True)
    monthly_charges: Series[float] = pa.Field(gt=0)
    support_tickets: Series[int] = pa.Field(ge=0)
    churned: Series[int] = pa.Field(isin=[0, 1])


def validate(frame: pd.DataFrame) -> pd.DataFrame:
    return CustomerSchema.validate(frame, lazy=True)


if __name__ == "__main__":
    validate(pd.read_parquet(sys.argv[1]))
