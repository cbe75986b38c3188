// ok: model_serving_present
// ok: model_registry_used
// A workspace and its compute; the deployment is commented out.
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: 'mlw'
  location: resourceGroup().location
}
resource cpu 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: ws
  name: 'cpu'
}
// resource d 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2024-04-01' = {}
