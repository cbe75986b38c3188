# ok: data_validation_in_pipeline
# a pandera schema declared next to a Dagster asset that never uses it as its type
import pandera as pa
from dagster import asset


class Forecast(pa.DataFrameModel):
    danger_level: int = pa.Field(ge=1, le=5)


@asset
def forecasts(raw):
    return raw
