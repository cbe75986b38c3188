# expect: model_registry_used
# expect: pipeline_defined
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.step_collections import RegisterModel
from sagemaker.workflow.steps import TrainingStep
register = RegisterModel(name="Register", model_package_group_name="churn")
pipeline = Pipeline(name="churn", steps=[TrainingStep(name="Train"), register])
