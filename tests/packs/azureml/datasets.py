# expect: data_assets_versioned
from azureml.data import OutputFileDatasetConfig
clean = OutputFileDatasetConfig(name="clean").register_on_complete(name="clean_training_data")
