# expect: model_serving_present
import bentoml
@bentoml.service
class Scorer:
    @bentoml.api
    def predict(self, rows: list) -> list:
        return rows
