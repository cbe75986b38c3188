# ok: experiment_tracking_used
from ignite.engine import Engine
trainer = Engine(lambda e, b: None)
