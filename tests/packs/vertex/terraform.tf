# expect: model_serving_present
# expect: feature_store_used
resource "google_vertex_ai_endpoint" "churn" {
  name         = "churn"
  display_name = "churn"
  location     = "europe-west4"
}

resource "google_vertex_ai_feature_online_store" "customers" {
  name   = "customers"
  region = "europe-west4"
}
