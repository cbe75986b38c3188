# expect: data_validation_library_used
import tensorflow_data_validation as tfdv
stats = tfdv.generate_statistics_from_csv("data.csv")
