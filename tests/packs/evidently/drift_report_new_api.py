# expect: drift_detection_used
# ok: data_validation_library_used
# Evidently 0.7 and later: a drift report built from a preset monitors; it checks no expectation
from evidently import Report
from evidently.presets import DataDriftPreset

report = Report([DataDriftPreset()])
snapshot = report.run(reference_data=train, current_data=recent)
