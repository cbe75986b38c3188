# expect: data_remote_storage_configured
resource "google_bigquery_dataset" "sales" {
  dataset_id = "sales"
}

resource "google_bigquery_table" "daily" {
  dataset_id = google_bigquery_dataset.sales.dataset_id
  table_id   = "daily"
  schema     = file("schemas/daily.json")
}
