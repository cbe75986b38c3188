# ok: data_remote_storage_configured (a bucket and an empty dataset: they may hold anything)
# ok: dashboards_defined (a bucket named for dashboards is no dashboard)
resource "google_storage_bucket" "artifacts" {
  name     = "ml-artifacts"
  location = "EU"
}

resource "google_bigquery_dataset" "scratch" {
  dataset_id = "scratch"
}

resource "google_storage_bucket" "dashboard_exports" {
  name = "ml-dashboard-exports"
}
