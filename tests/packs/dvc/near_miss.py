# ok: experiment_tracking_used
import dvc.api
params = dvc.api.params_show()
