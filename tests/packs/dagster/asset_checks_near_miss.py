# ok: data_validation_in_pipeline
# an asset that records how many rows it wrote checks nothing
import dagster as dg


@dg.asset
def bookings(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 1200})
