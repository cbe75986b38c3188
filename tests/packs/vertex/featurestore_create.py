# expect: feature_store_used
def online_store(project: str, region: str):
    from google.cloud import aiplatform

    aiplatform.init(project=project, location=region)
    store = aiplatform.Featurestore.create(featurestore_id="fraud", online_store_fixed_node_count=1)
    return store.create_entity_type(entity_type_id="customer")
