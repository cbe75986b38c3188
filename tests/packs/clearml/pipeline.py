# expect: pipeline_defined
# expect: training_in_pipeline
# expect: data_assets_versioned
from clearml import Dataset, PipelineController

raw = Dataset.create(dataset_name="raw", dataset_project="churn")
pipe = PipelineController(name="churn", project="churn", version="1.0")
pipe.add_step(name="prepare_data", base_task_project="churn", base_task_name="prepare")
pipe.add_step(name="train_model", parents=["prepare_data"], base_task_project="churn", base_task_name="train")
pipe.start()
