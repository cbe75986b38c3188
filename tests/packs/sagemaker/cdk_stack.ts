// expect: model_serving_present
// expect: model_registry_used
// expect: drift_detection_used
// expect: feature_store_used
import * as cdk from 'aws-cdk-lib';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as sm from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

export class ScoringStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const group = new sm.CfnModelPackageGroup(this, 'Group', { modelPackageGroupName: 'churn' });
    const config = new sm.CfnEndpointConfig(this, 'Config', { productionVariants: [] });
    const endpoint = new sm.CfnEndpoint(this, 'Endpoint', { endpointConfigName: config.attrEndpointConfigName });
    new sm.CfnDataQualityJobDefinition(this, 'Quality', {} as any);
    new cdk.aws_sagemaker.CfnFeatureGroup(this, 'Features', {} as any);
  }
}
