# expect: model_packaged
torch-model-archiver --model-name churn --version 1.0 --serialized-file model.pt --handler handler.py
