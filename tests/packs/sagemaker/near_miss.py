# ok: model_registry_used
import boto3
boto3.client("sagemaker").list_model_packages()
