# ok: model_registry_used
from zenml.client import Client
version = Client().get_artifact_version("raw_rows")
