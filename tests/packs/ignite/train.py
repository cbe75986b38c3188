# expect: experiment_tracking_used
from ignite.contrib.handlers import MLflowLogger
logger = MLflowLogger(tracking_uri="http://mlflow:5000")
