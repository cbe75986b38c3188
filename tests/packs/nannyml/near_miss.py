# ok: drift_detection_used
estimator = {"nannyml": "mentioned, not used"}
