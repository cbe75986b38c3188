# expect: experiment_tracking_used
# expect: model_registry_used
from clearml import OutputModel, Task
task = Task.init(project_name="churn", task_name="train")
OutputModel(task=task).update_weights("model.pkl")
