// ok: model_serving_present
// ok: model_registry_used
// A workspace and its compute, an existing deployment referred to, a role that may deploy,
// and a deployment commented out.
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: 'mlw'
  location: resourceGroup().location
}
resource cpu 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: ws
  name: 'cpu'
}
resource live 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2024-04-01' existing = {
  name: 'mlw/churn/blue'
}
var deployerActions = [
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write'
  'Microsoft.MachineLearningServices/workspaces/models/versions/read'
]
// resource d 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2024-04-01' = {}
