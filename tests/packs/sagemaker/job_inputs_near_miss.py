# ok: data_remote_storage_configured
# outputs go to S3; nothing is read from it
from sagemaker.processing import ProcessingOutput

out = ProcessingOutput(output_name="train", source="/opt/ml/processing/train")
