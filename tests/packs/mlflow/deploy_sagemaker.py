# expect: model_serving_present
import mlflow.sagemaker

mlflow.sagemaker._deploy(mode="replace", app_name="churn", model_uri="models:/churn/3")
