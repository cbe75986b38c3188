# ok: drift_detection_used
# statistics validated against the schema alone: a data check, not a comparison of spans
import tensorflow_data_validation as tfdv

anomalies = tfdv.validate_statistics(statistics=train_stats, schema=schema)
# a comparator read, never set
print(tfdv.get_feature(schema, "fare").drift_comparator)
# a comment that names the comparison, and a later assignment of serving statistics that
# are only shown
# TODO: beam.Map(tfdv.validate_statistics, schema=schema, previous_statistics=prev)
checked = tfdv.validate_statistics(train_stats, schema)
serving_statistics = tfdv.generate_statistics_from_csv("serving.csv")
