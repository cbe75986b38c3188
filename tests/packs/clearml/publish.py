# expect: model_registry_used
from clearml import Model, Task
task = Task.init(project_name="cost", task_name="train")
for model in task.get_models().output:
    Model(model_id=model.id).publish()
