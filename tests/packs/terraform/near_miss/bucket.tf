# ok: data_remote_storage_configured (a bucket and an empty dataset: they may hold anything)
resource "google_storage_bucket" "artifacts" {
  name     = "ml-artifacts"
  location = "EU"
}

resource "google_bigquery_dataset" "scratch" {
  dataset_id = "scratch"
}
