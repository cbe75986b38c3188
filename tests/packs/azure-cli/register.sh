# expect: model_registry_used
az ml model create --name churn --path outputs/model
