// expect: model_serving_present
// expect: model_registry_used
param workspaceName string

resource model 'Microsoft.MachineLearningServices/workspaces/models/versions@2024-04-01' = {
  name: '${workspaceName}/churn/3'
  properties: { modelUri: 'azureml://datastores/models/paths/churn/3' }
}

resource deployment 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2024-04-01' = {
  name: '${workspaceName}/churn/blue'
  location: resourceGroup().location
  properties: { model: model.id, endpointComputeType: 'Managed' }
}
