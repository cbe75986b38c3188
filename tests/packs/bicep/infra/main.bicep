// expect: infrastructure_as_code
resource ws 'Microsoft.MachineLearningServices/workspaces@2023-04-01' = {
  name: 'mlw'
  location: location
}
