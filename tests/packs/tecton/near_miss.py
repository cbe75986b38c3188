# ok: feature_store_used
entity = {"tecton": "a word"}
