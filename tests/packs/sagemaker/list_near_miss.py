# ok: model_registry_used
# listing models and endpoints is not the registry
import boto3

sm = boto3.client("sagemaker")
models = sm.list_models(NameContains="churn")
endpoints = sm.list_endpoints()
