// expect: model_serving_present
const aws = require('aws-sdk')
const sagemaker = new aws.SageMaker()

exports.handler = async (event) => {
  await sagemaker.createEndpointConfig({ EndpointConfigName: event.name, ProductionVariants: [] }).promise()
  return sagemaker
    .createEndpoint({
      EndpointConfigName: event.name,
      EndpointName: event.name,
    })
    .promise()
}
