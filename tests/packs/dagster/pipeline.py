# expect: pipeline_defined
from dagster import Definitions, asset
@asset
def features(): ...
defs = Definitions(assets=[features])
