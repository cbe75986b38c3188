# expect: model_registry_used
import hopsworks
project = hopsworks.login()
registry = project.get_model_registry()
model = registry.python.create_model(name="forecaster", metrics={"mape": 0.08})
