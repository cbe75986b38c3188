# ok: feature_store_used
store = {"feature_store": None}
