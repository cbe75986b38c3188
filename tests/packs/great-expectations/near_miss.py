# ok: data_quality_tracked
import great_expectations as gx
print(gx.__version__)
