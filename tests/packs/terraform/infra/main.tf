# expect: infrastructure_as_code
resource "google_storage_bucket" "data" {
  name     = "ml-data"
  location = "EU"
}
