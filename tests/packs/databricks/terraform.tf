# expect: model_serving_present
# expect: model_registry_used
# expect: drift_detection_used
resource "databricks_registered_model" "churn" {
  name         = "churn"
  catalog_name = "ml"
  schema_name  = "models"
}

resource "databricks_model_serving" "churn" {
  name = "churn"
  config {
    served_entities {
      entity_name    = "ml.models.churn"
      entity_version = "3"
      workload_size  = "Small"
    }
  }
}

resource "databricks_quality_monitor" "predictions" {
  table_name = "ml.monitoring.predictions"
}
