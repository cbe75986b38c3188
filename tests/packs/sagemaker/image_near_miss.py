# ok: dev_environment_defined
# an image looked up with no version: whatever is newest when the job runs
import sagemaker

image = sagemaker.image_uris.retrieve(framework="xgboost", region="eu-west-1")
