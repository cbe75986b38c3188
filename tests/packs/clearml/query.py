# expect: model_registry_used
from clearml import Model
[champion] = Model.query_models(project_name="cost", model_name="cost-model", only_published=True)
