# expect: prediction_logging_present
import whylogs as why
results = why.log(predictions)
