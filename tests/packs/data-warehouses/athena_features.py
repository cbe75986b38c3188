# expect: warehouse_data_used
# a preprocessing job that queries the catalogued churn table through Athena
import argparse

import awswrangler as wr


def load(database: str, table: str):
    return wr.athena.read_sql_query(f"SELECT * FROM {table}", database=database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database")
    args = parser.parse_args()
    frame = load(args.database, "customers")
    frame.to_csv("/opt/ml/processing/train/train.csv", index=False)
