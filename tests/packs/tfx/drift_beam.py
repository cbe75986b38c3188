# expect: drift_detection_used
import apache_beam as beam
import tensorflow_data_validation as tfdv

checked = stats | "Validate" >> beam.Map(tfdv.validate_statistics, schema=schema, previous_statistics=base)
