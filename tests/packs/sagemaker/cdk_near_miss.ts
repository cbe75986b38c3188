// ok: model_serving_present
// ok: model_registry_used
// ok: pipeline_defined
// Endpoints and pipelines of other services, and permissions that only name SageMaker actions.
import * as dms from 'aws-cdk-lib/aws-dms';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

new dms.CfnEndpoint(stack, 'Source', { endpointType: 'source', engineName: 'postgres' });
new s3outposts.CfnEndpoint(stack, 'Outpost', {} as any);
new codepipeline.CfnPipeline(stack, 'Release', {} as any);
const endpointConfig: sm.CfnEndpoint | undefined = undefined;  // a type, not a resource
new iam.PolicyStatement({ actions: ['sagemaker:CreateEndpoint', 'sagemaker:CreateModelPackage'] });
