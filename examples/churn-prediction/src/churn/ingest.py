"""Ingest the versioned customer snapshot into a typed parquet file."""

from __future__ import annotations

import argparse

import pandas as pd
import yaml


def ingest(snapshot: str, out: str) -> pd.DataFrame:
    frame = pd.read_csv(snapshot, parse_dates=["signup_date"])
    frame = frame.drop_duplicates("customer_id")
    frame.to_parquet(out, index=False)
    return frame


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open("params.yaml") as fh:
        params = yaml.safe_load(fh)
    ingest(params["data"]["snapshot"], args.out)
