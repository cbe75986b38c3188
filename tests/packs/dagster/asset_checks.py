# expect: data_validation_in_pipeline
import dagster as dg
import pandas as pd


@dg.asset_check(asset="bookings", blocking=True)
def bookings_have_no_null_ids(bookings: pd.DataFrame) -> dg.AssetCheckResult:
    nulls = int(bookings["booking_id"].isna().sum())
    return dg.AssetCheckResult(passed=nulls == 0, metadata={"nulls": nulls})
