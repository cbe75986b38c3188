// ok: model_serving_present
// Other services' endpoints (DMS, EventBridge), and a call that only reads a SageMaker endpoint.
const { DatabaseMigrationService } = require('@aws-sdk/client-database-migration-service')
const { CreateEndpointCommand } = require('@aws-sdk/client-eventbridge')
const { SageMakerClient, DescribeEndpointCommand } = require('@aws-sdk/client-sagemaker')

new DatabaseMigrationService({}).createEndpoint({ EndpointIdentifier: 'source', EngineName: 'postgres' })
new CreateEndpointCommand({ Name: 'global', RoutingConfig: {}, EventBuses: [] })
new SageMakerClient({}).send(new DescribeEndpointCommand({ EndpointName: 'churn' }))
