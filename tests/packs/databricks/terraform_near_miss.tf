# ok: model_serving_present
# ok: model_registry_used
# A cluster and a schema: a workspace set up, nothing registered or served.
resource "databricks_cluster" "shared" {
  cluster_name  = "shared"
  spark_version = data.databricks_spark_version.latest.id
}

resource "databricks_schema" "models" {
  catalog_name = "ml"
  name         = "models"
}
