# expect: data_validation_library_used
# Evidently 0.7 and later: a report whose metrics carry test conditions fails on bad data
from evidently import Report
from evidently.metrics import MissingValueCount
from evidently.tests import eq

report = Report([MissingValueCount(column="age", tests=[eq(0)])], include_tests=True)
result = report.run(current_data=batch, reference_data=None)
