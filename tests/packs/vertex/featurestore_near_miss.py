# ok: feature_store_used
# a dataset and a training job of the same SDK: no feature store
from google.cloud import aiplatform

dataset = aiplatform.TabularDataset.create(display_name="fraud", bq_source="bq://p.d.t")
job = aiplatform.AutoMLTabularTrainingJob(display_name="fraud", optimization_prediction_type="classification")
