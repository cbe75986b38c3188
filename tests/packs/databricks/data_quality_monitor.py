# expect: drift_detection_used
# expect: data_quality_tracked
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.dataquality import DataProfilingConfig, Monitor

w = WorkspaceClient()
w.data_quality.create_monitor(
    monitor=Monitor(object_type="table", data_profiling_config=DataProfilingConfig())
)
