# expect: drift_detection_used
import tensorflow_data_validation as tfdv

tfdv.get_feature(schema, "payment_type").skew_comparator.infinity_norm.threshold = 0.01
