# ok: model_serving_present
# A dataset and a notebook runtime: Vertex AI resources that serve nothing.
resource "google_vertex_ai_dataset" "images" {
  display_name        = "images"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
}

resource "google_notebooks_instance" "dev" {
  name = "dev"
}
