# ok: model_registry_used
# a run fetched from the workspace to read its files: nothing is registered
from azureml.core import Workspace

ws = Workspace.from_config()
run = ws.get_run(run_id)
run.download_file(name="outputs/model.pt", output_file_path="model.pt")
