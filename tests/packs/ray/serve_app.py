# expect: model_serving_present
from ray import serve
@serve.deployment
class Scorer:
    async def __call__(self, request): ...
app = Scorer.bind()
