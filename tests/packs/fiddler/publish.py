# expect: drift_detection_used
# expect: prediction_logging_present
# production events published to Fiddler for monitoring
import fiddler as fdl

fdl.init(url=URL, token=TOKEN)
model = fdl.Model.from_name(name="churn", project_id=project.id)
model.publish(source=events, environment=fdl.EnvType.PRODUCTION)
