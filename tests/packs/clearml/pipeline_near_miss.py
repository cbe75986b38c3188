# ok: pipeline_defined
# ok: data_assets_versioned
# One tracked task that reads a CSV: no pipeline, no dataset version.
import pandas as pd
from clearml import Task

task = Task.init(project_name="churn", task_name="train")
frame = pd.read_csv("data.csv")
