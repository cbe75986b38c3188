# ok: model_serving_present
# reading which model services run is not serving one
from zenml.integrations.seldon.model_deployers import SeldonModelDeployer

deployer = SeldonModelDeployer.get_active_model_deployer()
services = deployer.find_model_server(pipeline_name="continuous_deployment")
