# ok: feature_store_used
features = {"feast": "a word in a dict"}
