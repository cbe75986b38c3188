# ok: drift_detection_used
# statistics validated against the schema alone: a data check, not a comparison of spans
import tensorflow_data_validation as tfdv

anomalies = tfdv.validate_statistics(statistics=train_stats, schema=schema)
# a comparator read, never set
print(tfdv.get_feature(schema, "fare").drift_comparator)
