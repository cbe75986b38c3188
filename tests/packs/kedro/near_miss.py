# ok: pipeline_defined
from kedro.io import DataCatalog
catalog = DataCatalog()
