# expect: data_remote_storage_configured
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput

raw = ProcessingInput(source=input_uri, destination="/opt/ml/processing/input")
train = TrainingInput(processed_uri, content_type="text/csv")
