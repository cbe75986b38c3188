# ok: data_remote_storage_configured
# a run that logs a metric and reads a file of the repository
import pandas as pd
from azureml.core import Run

run = Run.get_context()
frame = pd.read_csv("data/sample.csv")
run.log("rows", len(frame))
