// ok: model_serving_present
// ok: model_registry_used
// ok: pipeline_defined
// ok: feature_store_used
// Endpoints and pipelines of other services, constructs in comments, and permissions that
// only name SageMaker actions.
import { CfnEndpoint } from 'aws-cdk-lib/aws-dms';
import * as events from 'aws-cdk-lib/aws-events';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

new CfnEndpoint(stack, 'Source', { endpointType: 'source', engineName: 'postgres' });
new events.CfnEndpoint(stack, 'Global', {} as any);
new s3outposts.CfnEndpoint(stack, 'Outpost', {} as any);
new codepipeline.CfnPipeline(stack, 'Release', {} as any);
const endpointConfig: sm.CfnEndpoint | undefined = undefined;  // a type, not a resource
// new sagemaker.CfnModelPackageGroup(this, 'Old', { modelPackageGroupName: 'old' });
/* new sagemaker.CfnFeatureGroup(this, 'Old', {} as any); */
new iam.PolicyStatement({ actions: ['sagemaker:CreateEndpoint', 'sagemaker:CreateModelPackage'] });
