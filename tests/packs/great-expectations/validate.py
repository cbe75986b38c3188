# expect: data_validation_library_used
import great_expectations as gx
context = gx.get_context()
context.run_checkpoint(checkpoint_name="daily")
