# ok: pipeline_defined
from tfx import types
