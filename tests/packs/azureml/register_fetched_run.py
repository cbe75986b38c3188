# expect: model_registry_used
# the model of a finished run, fetched from the workspace, registered with its framework
from azureml.core import Model, Workspace

ws = Workspace.from_config()
run = ws.get_run(run_id)
if run.status == "Completed":
    model = run.register_model(
        model_name="birds",
        model_path="outputs/model.pt",
        model_framework=Model.Framework.PYTORCH,
    )
