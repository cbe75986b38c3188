# expect: data_validation_library_used
# Evidently 0.7 and later: a report run with the tests of its metrics fails on bad data
from evidently import Report
from evidently.presets import DataSummaryPreset

report = Report([DataSummaryPreset()], include_tests=True)
result = report.run(current_data=batch, reference_data=None)
