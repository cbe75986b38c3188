# ok: model_registry_used
# a serving class loading its own file, and a model logged by hand from a project object
import mlrun
class Scorer(mlrun.serving.V2ModelServer):
    def load(self):
        self.model_file, _ = self.get_model(".pkl")
project = mlrun.get_or_create_project("fraud", context="./")
project.log_model("placeholder", model_file="model.pkl")
