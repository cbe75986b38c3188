# ok: drift_detection_used
# ok: prediction_logging_present
# a model uploaded for explanations; no production event is published
import fiddler as fdl

fdl.init(url=URL, token=TOKEN)
model = fdl.Model.from_data(source=train, name="churn", project_id=project.id)
model.create()
