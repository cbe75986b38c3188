# expect: drift_detection_used
# Vertex AI Model Monitoring (v2): a monitor on a registered model version
from vertexai.resources.preview import ml_monitoring

schema = ml_monitoring.spec.ModelMonitoringSchema(
    feature_fields=[ml_monitoring.spec.FieldSchema(name="amount", data_type="float")])
monitor = ml_monitoring.ModelMonitor.create(
    model_name="projects/p/locations/l/models/m", model_version_id="1",
    model_monitoring_schema=schema)
