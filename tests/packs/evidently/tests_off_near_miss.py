# ok: data_validation_library_used
# the same report with its tests switched off only describes the data
from evidently import Report
from evidently.presets import DataSummaryPreset

report = Report([DataSummaryPreset()], include_tests=False)
result = report.run(current_data=batch, reference_data=None)
