# expect: data_validation_in_pipeline
import pandera as pa
from dagster import asset
from dagster_pandera import pandera_schema_to_dagster_type


class Forecast(pa.DataFrameModel):
    danger_level: int = pa.Field(ge=1, le=5)


ForecastType = pandera_schema_to_dagster_type(Forecast)


@asset(dagster_type=ForecastType)
def forecasts(raw):
    return raw
