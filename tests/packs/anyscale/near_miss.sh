# ok: model_serving_present
anyscale login
anyscale cloud list
