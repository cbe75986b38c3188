# ok: model_registry_used
az ml model list --output table
