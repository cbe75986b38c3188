# expect: drift_detection_used
# Evidently before 0.2: a drift dashboard and profile of recent data against training data
from evidently.dashboard import Dashboard
from evidently.dashboard.tabs import DataDriftTab
from evidently.model_profile import Profile
from evidently.model_profile.sections import DataDriftProfileSection

report = Dashboard(tabs=[DataDriftTab()])
report.calculate(reference_data=train, current_data=recent)
profile = Profile(sections=[DataDriftProfileSection()])
