# ok: drift_detection_used
from evidently import ColumnMapping
mapping = ColumnMapping(target="y")
