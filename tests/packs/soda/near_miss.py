# ok: data_validation_library_used
drinks = ["soda", "water"]
