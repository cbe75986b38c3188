# ok: drift_detection_used
# a data-quality dashboard compares nothing over time
from evidently.dashboard import Dashboard
from evidently.dashboard.tabs import DataQualityTab

Dashboard(tabs=[DataQualityTab()]).calculate(reference_data=train, current_data=None)
