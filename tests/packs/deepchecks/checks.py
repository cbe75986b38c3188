# expect: data_validation_library_used
from deepchecks.tabular.suites import data_integrity
result = data_integrity().run(dataset)
