# expect: drift_detection_used
# expect: data_validation_library_used
import tensorflow_data_validation as tfdv

anomalies = tfdv.validate_statistics(serving_stats, schema=schema, previous_statistics=baseline)
