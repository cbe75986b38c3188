# ok: model_serving_present
import ray
ray.init()
