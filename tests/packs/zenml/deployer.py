# expect: model_serving_present
from zenml import pipeline
from zenml.integrations.seldon.services import SeldonDeploymentConfig
from zenml.integrations.seldon.steps import seldon_model_deployer_step


@pipeline
def continuous_deployment(model, decision):
    seldon_model_deployer_step(
        model=model,
        service_config=SeldonDeploymentConfig(model_name="churn", implementation="SKLEARN_SERVER"),
    )
