# ok: model_serving_present
import numpy as np
